import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// Task hashes are the store's addresses: a plan made by a faster planner must give every task the hash the
/// slower one gave it, or existing stores stop being found. These fingerprints were taken with the planner of
/// commit 392ac53 (`sprout plan --format json`, SHA-256 over one `key hash` line per task in run order) before
/// the hashing path was optimised (issue 15); a change here means every cached result is lost and needs
/// `Plan.currentFormatVersion` raised instead.
@Suite struct PinnedHashTests {
  /// (example file, task count, fingerprint).
  static let examples: [(String, Int, String)] = [
    ("adapters.yaml", 39, "a5b780effb64dd6879fee54acad08da5ca1994bda7d1254e8b71d610b8581e6e"),
    ("cnn-digits.yaml", 12, "43abc6edfeb060124810a157ee235af1ffb0580f528cbfa1cdff1f1f23f8c994"),
    ("crrelu.yaml", 40, "a83960cf44447c5fe18a64a7b3b869b061e234abc8ccfc44c4dced675239b334"),
    ("dice.yaml", 27, "6aeee0e5592d7216cb30ea54095c3e65e9daae550795e32a3605c9fb5ec1bce4"),
    ("digits.yaml", 12, "c650e5849f4c9ce876fd0e08c5159e61920aa232e3390eed67d5b8fd95090201"),
    ("fresh-select.yaml", 31, "bedad44d8c422d2f4eba5b4114ee1acf02ed16343ba5e074db0b3c50ee18fcab"),
    ("fresh-spectrum.yaml", 48, "f14c1307a8fa31e0e3f8647a7d01cb47751afc59566a5c6080c2ecd30f5be896"),
    ("ibp-certified.yaml", 8, "99bd79c35222bfac91b8bf7f8033ab9f53ee482b3823aaa59e5690c8792c3a8c"),
    ("ibp-init.yaml", 18, "8eaab38d4241ff79474bf4a4242d41810fd7049ce5ce4179132e40647dab8959"),
    ("init-depth.yaml", 18, "7f816759de0ed5e5cc5aedbf73fa6d2152871f5834be14845a5adcb3441501a2"),
    ("iris.yaml", 12, "98f6ded21097c878ab7bcd0aab88f731bc41a3932b068df2c3b90d2eef2deaee"),
    ("kat-rational.yaml", 27, "f11822f8b380175510125881f4bae85c5d0a695f018e8f4e3fdba969d43a9b64"),
    ("learngene.yaml", 12, "888f86f45a4c096ef872ef8245a8b4998398677384eed8ace5a5c951d036d716"),
    ("lsuv.yaml", 96, "06b2e089f77b5339a118f9ef62cd330e7a990a9908eb9d5030e93597328d8772"),
    ("quickstart.yaml", 8, "c267a1cf3ebe0c3c5bc450dfcda1733bac3e04b1ebc898442ca3377711c75572"),
    ("rich-vs-lazy.yaml", 40, "bb2ec55b8366676df8ca021b354a8b26f87897ff7a6fe60cfdc40daa588c0072"),
    ("siren.yaml", 6, "51b6d1e8c01a823e37c7e7b4f0667fa0ea04dd530e66fc83a17d24a81447c52a"),
    ("tract.yaml", 16, "f9f3a2330b35607d7345259cda6308830ed67222aa8c52965962e207eff5c7ad"),
    ("winner.yaml", 14, "56c9279c303411bd48c28bdb6ad12f0b1cc0ed0e7ab44d6040c70ca3a8d0e96a"),
  ]

  /// bench/plan's spec, shrunk to 3 × 2 × 2 × 3 trials: seeds share their configuration (the trial memo's
  /// replay path), the other axes do not.
  static let sweep = """
    sprout: 1
    name: pinned-sweep
    seed: 1
    params: {width: 32}
    matrix:
      init: [a, b, c]
      lr: [0.001, 0.01]
      depth: [1, 2]
      seed: [0, 1, 2]
    datasets:
      teacher: {kind: teacher_student, inputs: 8, samples: 256, split: {train: 0.8, test: 0.2}}
    models:
      net:
        input: 8
        layers: [{dense: "${params.width}"}, relu, {dense: "${params.width}"}, relu, {dense: 1}]
    initializers:
      a: {kind: xavier_normal, gain: 1.0}
      b: {kind: xavier_normal, gain: 1.1}
      c: {kind: xavier_normal, gain: 1.2}
    stages:
      train:
        kind: train
        model: net
        init: ${matrix.init}
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: "${matrix.depth * 100}"
        batch: 32
        record: [loss, weight_change]
      test:
        kind: evaluate
        from: train
        data: teacher.test
        record: [loss]

    """

  static func fingerprint(_ plan: Plan) -> String {
    SHA256.hash(plan.tasks.map { "\($0.key) \($0.hash)\n" }.joined()).hex
  }

  @Test func examplesKeepTheirHashes() throws {
    for (name, count, expected) in Self.examples {
      let path = ExampleTests.examples.appendingPathComponent(name).path
      let text = try String(contentsOfFile: path, encoding: .utf8)
      var d = Diagnostics()
      let plan = Planner.plan(text: text, file: path, options: PlanOptions(), store: nil, diagnostics: &d)
      #expect(plan?.tasks.count == count, "\(name)")
      #expect(plan.map(Self.fingerprint) == expected, "\(name): task hashes changed")
    }
  }

  @Test func sweepKeepsItsHashes() throws {
    var d = Diagnostics()
    let plan = try #require(
      Planner.plan(text: Self.sweep, file: "sweep.yaml", options: PlanOptions(), store: nil, diagnostics: &d))
    #expect(plan.tasks.count == 72)
    #expect(Self.fingerprint(plan) == "7cdcb5fe69cd793d382a1b2604f1a97dac836d09b4547eb31326c9815d1537b2")
    #expect(plan.tasks.first?.key.description == "t0000/train")
    // One hash spelled out, so a mismatch can be told from a change in the fingerprint's own form.
    #expect(plan.tasks.first?.hash == Self.firstHash)
  }

  static let firstHash = "3dde92f0f8a04c0bf4507367f42e4111315153c5ff01bf14e88276143f8df613"
}

/// The replay path's hash (a prefix state plus the inputs and seed written by hand) equals SHA-256 of the whole
/// canonical JSON text the hashing scheme defines, for seeds at the edges of `Int` and inputs that need escapes.
@Suite struct TaskHashTextTests {
  @Test func prefixHashEqualsTheCanonicalText() {
    let digest = SHA256.hash("config").hex
    let h1 = SHA256.hash("one").hex, h2 = SHA256.hash("two").hex
    let inputLists: [[String]] = [
      [], [h1], [h1, h2], [""], ["with \"quote\" and \\"], [String(repeating: "x", count: 70)],
    ]
    for seed in [0, 7, -1, 42_000_000, Int.max, Int.min] {
      for inputs in inputLists {
        let text = JSONValue.object([
          "backend": .string("cpu"), "definition": .string(digest), "format": .int(Plan.currentFormatVersion),
          "inputs": .array(inputs.map { .string($0) }), "seed": .int(seed),
        ]).canonical
        let prefix = TaskHasher.Prefix(configDigest: digest, backend: "cpu")
        #expect(prefix.hash(inputHashes: inputs, seed: seed) == SHA256.hash(text).hex, "seed \(seed), \(inputs)")
      }
    }
  }
}
