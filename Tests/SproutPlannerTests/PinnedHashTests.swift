import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// Task hashes are the store's addresses: a plan made by a faster planner must give every task the hash the
/// slower one gave it, or existing stores stop being found. These fingerprints were taken with the planner of
/// commit 392ac53 (`sprout plan --format json`, SHA-256 over one `key hash` line per task in run order) before
/// the hashing path was optimised (issue 15); a change here means every cached result is lost and needs
/// `Plan.currentFormatVersion` raised instead. Raised to 3 on 2026-12-04 (random streams keyed by the task's seed
/// and stage, no longer the trial's id: results under 2 came from other streams) and re-pinned with `sprout plan
/// --format json` of that build; the tasks and their order are unchanged, only the format number in each hash.
/// lsuv.yaml re-pinned the same day: its train stage gained `clip: {norm: 1.0}` (two ReLU/LSUV seeds diverged under
/// the format-3 draws), a changed task definition for its 24 train tasks and the 48 evaluations that read them.
@Suite struct PinnedHashTests {
  /// (example file, task count, fingerprint).
  static let examples: [(String, Int, String)] = [
    ("adapters.yaml", 39, "a21dcb7561d547d259581aad3cde58bc1fc3eed795ccff7fe7c4c47290d045c2"),
    ("cnn-digits.yaml", 12, "b67917cbdf848ad94dbbdd4aaa33f62c9aa0affaccce242ed3312cc4d7a9d7bf"),
    ("crrelu.yaml", 40, "479c3c41a9ba296e4401eb25eb7d0faf4266b08d900ea8ac6d0980cdf273baf4"),
    ("dice.yaml", 27, "098bb0999b5c230ec2a94f761dd6c86e50a1453101adfb6a93801135685ecb92"),
    ("digits.yaml", 12, "0aab9a012a777e2ea31aafaccb3643594c351b160554c2fa506e2ee6feaaa885"),
    ("fresh-select.yaml", 31, "8ad943deef5c52ebe5fdd490298e8486ace80133db93c60c5bf43fd300d3a509"),
    ("fresh-spectrum.yaml", 48, "71c94fdbb4c3d66cc3fe4762a73422ee88780ee75ac2a1d36472ad95d631dac5"),
    ("ibp-certified.yaml", 8, "08058d28a0527016f5aa4e35d5cc2cfcd8b09da8287f1c3a7c8bebf8eca8c33b"),
    ("ibp-init.yaml", 18, "44ab5948b140a02b8d8ba3ffc46a67ab8b64a268d0f00482dcf9aa4b1ef99df1"),
    ("init-depth.yaml", 18, "7474cadbaf5f2e394ea3ac665f1b2faeea80228151c1c0dacfa764a35b5351ac"),
    ("iris.yaml", 12, "302e247a6d4a22b66a26b2bb54f02ee85551da020d74786863a5e12ca39b7baa"),
    ("kat-rational.yaml", 27, "001b294698c2de396cbf5f89530415fc85059fc21921ca9f8dab5b0dac557e50"),
    ("learngene.yaml", 12, "1bec4364761d7c7267c2d85ddc038ab0ebf4da5853dc203888a6a45aa3136f14"),
    ("lsuv.yaml", 96, "3b95d4e438bc3da6d95e9d7fd6b6571962ae319a0714ad6eea122443991ae515"),
    ("quickstart.yaml", 8, "5ae971ee615782389b0ac19984b10e617cdafb76cbebe6391ebdd881759d15c5"),
    ("rich-vs-lazy.yaml", 40, "d3a48ec757f31d9ecbc366c6fa212026daaed2b943c3b8fdb31083410fef5f15"),
    ("siren.yaml", 6, "c1a6797d9936dad18c16c7d3eaac1db8ad7a3722b16532f456cc68e8a16a8d2f"),
    ("tract.yaml", 16, "6a59262dcf96277ddae40d46dee9e9fa78114c434d995c103d16188474281273"),
    ("winner.yaml", 14, "1f1da934824446bc7fc1f8612ceeb78328ec5e33947b30d375943ef07141b187"),
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
    #expect(Self.fingerprint(plan) == "28103e51cb112fc81ca8af57098b935ceaae99c317242401180adcdb1933e1c1")
    #expect(plan.tasks.first?.key.description == "t0000/train")
    // One hash spelled out, so a mismatch can be told from a change in the fingerprint's own form.
    #expect(plan.tasks.first?.hash == Self.firstHash)
  }

  static let firstHash = "aa8cb87cc536077083e03e6dc86186c7e1dba266fd8a2804456401f2ea2d7e4d"
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
