import Foundation
import SproutDiagnostics
import SproutGraph
import SproutSpec
import Testing

@testable import SproutPlanner

/// `sprout plan` prints text and JSON from a ``PlanStream``: tasks made as they are read, from a check pass over
/// every trial. The text, the JSON, the tasks, the trials and every diagnostic must be exactly a full plan's.
@Suite struct PlanStreamTests {
  /// A sweep the stream makes trial by trial: a product of distinct values, two stages.
  static let sweep = """
    sprout: 1
    name: sweep
    seed: 1
    params: {width: 8}
    matrix:
      init: [a, b]
      lr: [0.001, 0.01]
      depth: [1, 2]
      seed: [0, 1, 2]
    datasets:
      teacher: {kind: teacher_student, inputs: 4, samples: 64, split: {train: 0.75, test: 0.25}}
    models:
      net:
        input: 4
        layers: [{dense: "${params.width}"}, relu, {dense: 1}]
    initializers:
      a: {kind: xavier_normal, gain: 1.0}
      b: {kind: xavier_normal, gain: 1.5}
    stages:
      train:
        kind: train
        model: net
        init: ${matrix.init}
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: "${matrix.depth * 10}"
        batch: 16
        record: [loss]
      test:
        kind: evaluate
        from: train
        data: teacher.test
        record: [loss]
    """

  /// The sweep with `text` added to its matrix after the seed axis.
  static func afterSeed(_ text: String) -> String {
    sweep.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  seed: [0, 1, 2]\n" + text)
  }

  /// The sweep with its train stage's `steps` written as `value`.
  static func steps(_ value: String) -> String {
    sweep.replacingOccurrences(of: "steps: \"${matrix.depth * 10}\"", with: "steps: " + value)
  }

  /// Streamed and full plans of `yaml`, with their diagnostics in a comparable form.
  static func both(
    _ yaml: String, store: StoreView? = nil, force: Bool = false, checkOnly: Bool = false
  ) throws -> (plan: Plan?, stream: PlanStream?, planFound: [String], streamFound: [String]) {
    func found(_ d: Diagnostics) -> [String] {
      d.sorted.map { "\($0.range) \($0.id) \($0.message) \($0.notes.map(\.message))" }
    }
    var d = Diagnostics()
    let spec = try #require(SpecDecoder.decode(text: yaml, file: "spec.yaml", diagnostics: &d))
    let graph = try #require(GraphBuilder.build(spec, diagnostics: &d))
    let options = PlanOptions(specText: yaml, force: force, checkOnly: checkOnly)
    var d1 = d
    let plan = Planner.plan(graph, options: options, store: store, diagnostics: &d1)
    var d2 = d
    let stream = Planner.stream(graph, options: options, store: store, diagnostics: &d2)
    return (plan, stream, found(d1), found(d2))
  }

  static func text(_ write: (([UInt8]) -> Void) -> Void) -> String {
    var all: [UInt8] = []
    write { all += $0 }
    return String(decoding: all, as: UTF8.self)
  }

  /// Everything a reader of the stream sees equals the full plan.
  static func expectSame(_ plan: Plan, _ stream: PlanStream, _ name: String) {
    var tasks: [PlanTask] = []
    stream.forEachTask { tasks.append($0) }
    var trials: [Trial] = []
    stream.forEachTrial { trials.append($0) }
    #expect(tasks == plan.tasks, "\(name)")
    #expect(trials == plan.trials, "\(name)")
    #expect(stream.taskCount == plan.tasks.count, "\(name)")
    #expect(stream.stateCounts == plan.stateCounts, "\(name)")
    #expect(text { stream.writeText(chunk: 100, to: $0) } == plan.text, "\(name)")
    #expect(text { stream.writeJSON(chunk: 100, to: $0) } == plan.jsonText, "\(name)")
    // A full plan read through a stream writes the same JSON.
    #expect(text { PlanStream(plan: plan).writeJSON(to: $0) } == plan.jsonText, "\(name)")
  }

  @Test func aSweepIsStreamedAndPrintsTheFullPlan() throws {
    let r = try Self.both(Self.sweep)
    let plan = try #require(r.plan)
    let stream = try #require(r.stream)
    #expect(stream.plan == nil, "a product of distinct values is made trial by trial")
    #expect(r.planFound == r.streamFound)
    Self.expectSame(plan, stream, "sweep")
    #expect(plan.tasks.count == 48)
  }

  @Test func variantsOfTheSweep() throws {
    let variants: [(String, String)] = [
      ("shuffled", Self.afterSeed("  order: shuffled\n")),
      ("sampled", Self.afterSeed("  sample: 7\n")),
      ("no seed axis", Self.sweep.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "")),
      ("reads trial.seed", Self.steps("\"${trial.seed + 1}\"")),
      ("reads trial.index", Self.steps("\"${trial.index + 1}\"")),
      ("repeated value", Self.sweep.replacingOccurrences(of: "depth: [1, 2]", with: "depth: [1, 2, 1]")),
      ("excluded", Self.afterSeed("  exclude: [{init: a, depth: 2}]\n")),
      (
        "no matrix",
        Self.steps("5").replacingOccurrences(
          of: "matrix:\n  init: [a, b]\n  lr: [0.001, 0.01]\n  depth: [1, 2]\n  seed: [0, 1, 2]\n", with: ""
        ).replacingOccurrences(of: "${matrix.init}", with: "a")
          .replacingOccurrences(of: "\"${matrix.lr}\"", with: "0.1")
      ),
    ]
    for (name, yaml) in variants {
      let r = try Self.both(yaml)
      #expect(r.planFound == r.streamFound, "\(name)")
      let plan = try #require(r.plan, "\(name): \(r.planFound)")
      let stream = try #require(r.stream, "\(name)")
      Self.expectSame(plan, stream, name)
    }
  }

  @Test func errorsMakeNoStreamAndTheSameDiagnostics() throws {
    let bad: [(String, String)] = [
      ("non-integer seed", Self.sweep.replacingOccurrences(of: "seed: [0, 1, 2]", with: "seed: [0, 1.5, x]")),
      ("per-trial problem", CheckOnlyTests.fixedWithProblem),
      ("lowering error", Self.steps("\"${matrix.depth - 2}\"")),
    ]
    for (name, yaml) in bad {
      for checkOnly in [false, true] {
        let r = try Self.both(yaml, checkOnly: checkOnly)
        #expect(r.planFound == r.streamFound, "\(name), checkOnly \(checkOnly)")
        #expect(!r.streamFound.isEmpty, "\(name)")
        #expect((r.plan == nil) == (r.stream == nil), "\(name)")
      }
    }
  }

  @Test func cacheStatesFromAStore() throws {
    let first = try #require(try Self.both(Self.sweep).plan)
    var store = MemoryStore()
    store.run(first)
    // One task's outputs gone (stale: outputs missing), and a changed dataset (every task stale, with changes).
    let gone = first.tasks[5]
    store.outputs.remove(gone.hash)
    for yaml in [Self.sweep, Self.sweep.replacingOccurrences(of: "samples: 64", with: "samples: 96")] {
      for force in [false, true] {
        let r = try Self.both(yaml, store: store, force: force)
        let plan = try #require(r.plan)
        let stream = try #require(r.stream)
        #expect(stream.plan == nil)
        Self.expectSame(plan, stream, "force \(force)")
        #expect(plan.stateCounts.new + plan.stateCounts.stale + plan.stateCounts.cached == plan.tasks.count)
      }
    }
    let again = try #require(try Self.both(Self.sweep, store: store).plan)
    #expect(again.stateCounts.cached == again.tasks.count - 1)
  }

  @Test func everyExampleAndMemoSpecPrintsTheSame() throws {
    let files =
      (try? FileManager.default.contentsOfDirectory(atPath: ExampleTests.examples.path))?.filter {
        $0.hasSuffix(".yaml")
      }.sorted() ?? []
    #expect(!files.isEmpty)
    var specs: [(String, String)] = try files.map {
      ($0, try String(contentsOfFile: ExampleTests.examples.appendingPathComponent($0).path, encoding: .utf8))
    }
    specs += TrialMemoTests.specs.enumerated().map { ("memo spec \($0.offset)", $0.element) }
    for (name, yaml) in specs {
      var d = Diagnostics()
      guard let spec = SpecDecoder.decode(text: yaml, file: name, diagnostics: &d),
        let graph = GraphBuilder.build(spec, diagnostics: &d), !d.hasErrors
      else { continue }
      let options = PlanOptions(specText: yaml)
      var d1 = d
      let plan = Planner.plan(graph, options: options, store: nil, diagnostics: &d1)
      var d2 = d
      let stream = Planner.stream(graph, options: options, store: nil, diagnostics: &d2)
      #expect(d1.sorted.map(\.message) == d2.sorted.map(\.message), "\(name)")
      // `sprout lint` reads a check-only stream: its diagnostics are a check-only plan's.
      var d3 = d
      var d4 = d
      let checkOnly = PlanOptions(specText: yaml, checkOnly: true)
      _ = Planner.plan(graph, options: checkOnly, store: nil, diagnostics: &d3)
      _ = Planner.stream(graph, options: checkOnly, store: nil, diagnostics: &d4)
      #expect(d3.sorted.map { "\($0)" } == d4.sorted.map { "\($0)" }, "\(name)")
      guard let plan, let stream else {
        #expect((plan == nil) == (stream == nil), "\(name)")
        continue
      }
      Self.expectSame(plan, stream, name)
    }
  }

  /// The byte writer of pretty JSON is `pretty()`'s text.
  @Test func prettyBytesArePrettyText() throws {
    let values: [JSONValue] = [
      .null, .array([]), .object([:]), .array([.int(1), .string("a\n\"b")]),
      .array((0..<40).map { .int($0) }),
      .object(["b": .array([.object(["x": .double(0.1)]), .bool(true)]), "a": .object(["": .null]), "é": .int(-3)]),
    ]
    for v in values {
      for level in 0..<4 {
        var out: [UInt8] = []
        v.writePretty(to: &out, level: level)
        #expect(String(decoding: out, as: UTF8.self) == v.pretty(indent: level))
      }
    }
  }
}
