import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTrain
import SproutConfig
import Testing

@testable import SproutRun

/// From YAML to results: the real planner's tasks run on the executor, and the next plan sees them cached.
struct SpecToStoreTests {
  static let text = """
    sprout: 1
    name: probe
    seed: 7
    matrix:
      init: [full, lowrank]
    datasets:
      teacher:
        kind: teacher_student
        inputs: 4
        samples: 64
        split: {train: 0.75, test: 0.25}
    models:
      net:
        input: 4
        layers: [{dense: 16}, relu, {dense: {units: 16, bias: false}}, {leaky_relu: 0.1}, {dense: 1}]
    initializers:
      full: {kind: kaiming_normal, nonlinearity: relu}
      lowrank:
        kind: low_rank
        rank: 2
        base: kaiming_normal
        layers: {last: {kind: lecun_normal}}
    stages:
      train:
        kind: train
        model: net
        init: ${matrix.init}
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: 0.05, momentum: 0.9, schedule: {kind: cosine, min_lr: 0.001}, clip: {kind: norm, max_norm: 1}}
        steps: 12
        batch: 16
        checkpoint_every: 4
        record: [loss, weight_change]
        every: 2
      test:
        kind: evaluate
        from: train
        data: teacher.test
        record: [loss]
      best:
        kind: select
        from: test
        metric: loss
    """

  static func plan(_ store: Store, force: Bool = false) throws -> Plan {
    var diagnostics = Diagnostics()
    let plan = Planner.plan(
      text: text, file: "probe.yaml", options: PlanOptions(force: force), store: store.view(experiment: "probe"),
      diagnostics: &diagnostics)
    #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.message))")
    return try #require(plan)
  }

  @Test func plannedSpecRunsAndIsCachedAfterwards() throws {
    let store = Store(root: TemporaryDirectory().path)
    let plan = try Self.plan(store)
    #expect(
      plan.tasks.map(\.key.description) == ["t0000/train", "t0000/test", "t0001/train", "t0001/test", "all/best"])
    #expect(plan.tasks.allSatisfy { $0.state != .cached })
    let summary = try Executor(store: store).run(plan: plan, specText: Self.text)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let train = try #require(try store.outputs(plan.tasks[0].hash))
    #expect(train.steps == 12)
    #expect(train.finalMetrics["weight_change"]?.objectValue?["layers.0.weight"] != nil)
    #expect(store.checkpointSteps(plan.tasks[0].hash) == [0, 4, 8, 12])
    let again = try Self.plan(store)
    #expect(again.tasks.allSatisfy { $0.state == .cached })
    #expect(again.tasks.map(\.hash) == plan.tasks.map(\.hash))
    let rerun = try Executor(store: store).run(plan: again, specText: Self.text)
    #expect(rerun.results.allSatisfy { $0.status == .cached })
  }
}

/// Data-dependent (LSUV) and transfer (from_stage) initializers and a measure stage, from YAML.
struct TransferSpecTests {
  static let text = """
    sprout: 1
    name: transfer
    seed: 3
    datasets:
      teacher:
        kind: teacher_student
        inputs: 4
        samples: 64
        split: {train: 0.75, test: 0.25}
    models:
      net:
        input: 4
        layers: [{dense: 8}, tanh, {dense: 1}]
    initializers:
      lsuv: {kind: lsuv, data: teacher.train, batch: 32}
      pretrained: {kind: from_stage, stage: pretrain}
    stages:
      pretrain:
        kind: train
        model: net
        init: lsuv
        data: teacher.train
        loss: mse
        optimizer: {kind: adam, lr: 0.01}
        steps: 6
        batch: 16
      transfer:
        kind: train
        model: net
        init: pretrained
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: 0.01}
        steps: 4
        batch: 16
      probe:
        kind: measure
        model: net
        init: lsuv
        data: teacher.test
        loss: mse
        record: [loss, weight_norm, effective_rank]
    """

  @Test func lsuvTransferAndMeasureRun() throws {
    let store = Store(root: TemporaryDirectory().path)
    var diagnostics = Diagnostics()
    let plan = try #require(
      Planner.plan(
        text: Self.text, file: "transfer.yaml", options: PlanOptions(), store: store.view(experiment: "transfer"),
        diagnostics: &diagnostics), "\(diagnostics.all.map(\.message))")
    let summary = try Executor(store: store).run(plan: plan, specText: Self.text)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let pretrain = try #require(plan.tasks.first { $0.stage == "pretrain" })
    let transfer = try #require(plan.tasks.first { $0.stage == "transfer" })
    let final = try Checkpoint.read(store.checkpointPath(pretrain.hash, step: 6))
    let start = try Checkpoint.read(store.checkpointPath(transfer.hash, step: 0))
    for name in ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"] {
      let a = try #require(final[name])
      let b = try #require(start[name])
      #expect(a.bitEqual(b), "\(name) copied from pretrain")
    }
    let probeTask = try #require(plan.tasks.first { $0.stage == "probe" })
    let probe = try #require(try store.outputs(probeTask.hash))
    #expect(probe.finalMetrics["loss"]?.doubleValue != nil)
    #expect(probe.finalMetrics["effective_rank"]?.objectValue?["layers.0.weight"] != nil)
  }
}

/// examples/quickstart.yaml (shortened with --set) runs to completion in-process: one-hot targets feed
/// cross-entropy as class indices, and `show` lists every task.
@Test func quickstartExampleRuns() throws {
  var root = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { root.deleteLastPathComponent() }
  let path = root.appendingPathComponent("examples/quickstart.yaml").path
  guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }  // examples not in this checkout
  let store = Store(root: TemporaryDirectory().path)
  var diagnostics = Diagnostics()
  let plan = try #require(
    Planner.plan(
      text: text, file: path, options: PlanOptions(overrides: ["stages.train.steps=30"]),
      store: store.view(experiment: "quickstart"), diagnostics: &diagnostics), "\(diagnostics.all.map(\.message))")
  let summary = try Executor(store: store).run(plan: plan, specText: text)
  #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
  let manifest = try store.manifest("latest")
  #expect(manifest.tasks.map(\.key) == plan.tasks.map(\.key.description))
  for task in manifest.tasks {
    #expect(try store.outputs(task.hash)?.finalMetrics["accuracy"]?.doubleValue != nil, "\(task.key)")
  }
}

/// A spec whose selectors are checked below: dense layers at layer-list positions 0, 2 (inside a residual block) and 3.
private let selectorSpec = """
  sprout: 1
  name: selectors
  seed: 3
  datasets:
    teacher: {kind: teacher_student, inputs: 4, samples: 32}
  models:
    net:
      input: 4
      layers: [{dense: 4}, relu, {residual: [{dense: 4}]}, {dense: 1}]
  initializers:
    mixed:
      kind: kaiming_normal
      layers: {"1": {kind: orthogonal}, "0, -1": {kind: constant, value: 0.25}, last: ones}
  stages:
    train:
      kind: train
      model: net
      init: mixed
      data: teacher
      loss: mse
      optimizer: {kind: sgd, lr: 0.01}
      steps: 2
      record:
        - {kernel_alignment: {layers: 1, samples: 16}}
        - {weight_norm: {layers: [0, -1]}}
        - {effective_rank: {definition: participation_ratio}}
        - loss
  """

/// The language's layer selectors pick dense weights (residual bodies included); per-layer maps keep only those.
@Test func metricSelectionFollowsTheSpec() throws {
  var diagnostics = Diagnostics()
  let plan = try #require(
    Planner.plan(text: selectorSpec, file: "s.yaml", options: PlanOptions(), store: nil, diagnostics: &diagnostics),
    "\(diagnostics.all.map(\.message))")
  guard case .train(_, _, let training)? = plan.tasks[0].config?.kind else {
    Issue.record("not a train task")
    return
  }
  #expect(
    training.record == [
      .kernelAlignment(layers: .indices([1]), samples: 16), .weightNorm(layers: .indices([0, -1])),
      .effectiveRank(layers: .all, definition: .participationRatio), .loss,
    ])
  let store = Store(root: TemporaryDirectory().path)
  let summary = try Executor(store: store).run(plan: plan, specText: selectorSpec)
  #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
  let metrics = try #require(try store.outputs(plan.tasks[0].hash)).finalMetrics
  #expect(metrics["weight_norm"]?.objectValue.map { Set($0.keys) } == ["layers.0.weight", "layers.3.weight"])
  #expect(
    metrics["effective_rank"]?.objectValue.map { Set($0.keys) }
      == ["layers.0.weight", "layers.2.layers.0.weight", "layers.3.weight"])
  #expect(metrics["kernel_alignment"]?.doubleValue != nil)
}

/// Initializer layer selectors count dense layers, residual bodies included, the same in lint and in training.
@Test func initializerSelectorsCountDenseLayers() throws {
  var diagnostics = Diagnostics()
  let plan = try #require(
    Planner.plan(text: selectorSpec, file: "s.yaml", options: PlanOptions(), store: nil, diagnostics: &diagnostics))
  guard case .train(_, let initialization, _)? = plan.tasks[0].config?.kind else {
    Issue.record("not a train task")
    return
  }
  #expect(initialization.layerRules.map(\.layers) == [.indices([1]), .indices([0, -1]), .last])
  #expect(initialization.layerRules.map(\.rule) == [.orthogonal(gain: 1), .constant(0.25), .ones])
  let store = Store(root: TemporaryDirectory().path)
  _ = try Executor(store: store).run(plan: plan, specText: selectorSpec)
  let initial = try Checkpoint.read(store.checkpointPath(plan.tasks[0].hash, step: 0))
  func values(_ name: String) throws -> [Float] {
    guard case .float32(_, let v)? = initial[name]?.storage else { throw RunError(.corruptCheckpoint, name) }
    return v
  }
  #expect(try values("layers.0.weight").allSatisfy { $0 == 0.25 })  // `0, -1`
  #expect(try values("layers.3.weight").allSatisfy { $0 == 1 })  // `last` is written later: ones
  let middle = try values("layers.2.layers.0.weight")  // dense 1: orthogonal 4×4
  var gram: Float = 0
  for j in 0..<4 { gram += middle[j] * middle[j] }
  #expect(abs(gram - 1) < 1e-5)
}

/// A measure stage without data records weight metrics of an untrained model, and refuses data metrics.
@Test func measureWithoutDataRecordsWeightMetrics() throws {
  let text = """
    sprout: 1
    name: weights
    seed: 1
    models:
      net:
        input: 3
        layers: [{dense: 8}, relu, {dense: 2}]
    initializers:
      ortho: {kind: orthogonal}
    stages:
      look:
        kind: measure
        model: net
        init: ortho
        record: [weight_norm, stable_rank]
    """
  let store = Store(root: TemporaryDirectory().path)
  var diagnostics = Diagnostics()
  let plan = try #require(
    Planner.plan(text: text, file: "w.yaml", options: PlanOptions(), store: nil, diagnostics: &diagnostics),
    "\(diagnostics.all.map(\.message))")
  let summary = try Executor(store: store).run(plan: plan, specText: text)
  #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
  let outputs = try #require(try store.outputs(plan.tasks[0].hash))
  // An orthogonal 8×3 matrix has unit singular values: ‖W‖_F = √3, stable rank 3.
  let norm = try #require(outputs.finalMetrics["weight_norm"]?["layers.0.weight"]?.doubleValue)
  #expect(abs(norm - 3.0.squareRoot()) < 1e-5)
  #expect(outputs.outputHashes["tensor:layers.0.weight"] != nil)
}

/// Per-layer rules on a token model reach the embedding, the attention projections and a block's MLP through the
/// planner and the executor, and change the task's hash and its start; the tensors no rule names start as PyTorch's.
@Test func tokenLayerInitializerRulesRunEndToEnd() throws {
  func text(_ rules: String) -> String {
    """
    sprout: 1
    name: tokeninit
    seed: 3
    datasets:
      tok: {kind: induction, samples: 16, length: 6, vocab: 5}
    models:
      net:
        input: {tokens: 6, vocab: 5}
        layers:
          - embedding: {vocab: 5, dim: 8}
          - transformer_block: {heads: 2, mlp: 16, norm: pre}
          - dense: 5
    initializers:
      i:
        kind: kaiming_uniform
        \(rules)
    stages:
      train:
        kind: train
        model: net
        init: i
        data: tok
        loss: cross_entropy
        optimizer: {kind: adam, lr: 0.001}
        steps: 2
        batch: 8
        record: [loss]
    """
  }
  func run(_ yaml: String) throws -> (hash: String, tensors: [String: [Float]]) {
    var diagnostics = Diagnostics()
    let plan = try #require(
      Planner.plan(text: yaml, file: "t.yaml", options: PlanOptions(), store: nil, diagnostics: &diagnostics),
      "\(diagnostics.all.map(\.message))")
    #expect(diagnostics.all.isEmpty, "\(diagnostics.all.map(\.message))")
    let store = Store(root: TemporaryDirectory().path)
    let summary = try Executor(store: store).run(plan: plan, specText: yaml)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let initial = try Checkpoint.read(store.checkpointPath(plan.tasks[0].hash, step: 0))
    var tensors: [String: [Float]] = [:]
    for tensor in initial.tensors {
      if case .float32(_, let v) = tensor.storage { tensors[tensor.name] = v }
    }
    return (plan.tasks[0].hash.description, tensors)
  }
  let plain = try run(text(""))
  let ruled = try run(
    text("layers: {embedding.token: zeros, transformer_block.query: identity, transformer_block.linear1: ones}"))
  #expect(plain.hash != ruled.hash)
  let qkv = "layers.1.layers.0.layers.1.in_proj_weight"
  #expect(ruled.tensors["layers.0.weight"]?.allSatisfy { $0 == 0 } == true)
  #expect(ruled.tensors[qkv].map { Array($0[0..<64]) } == (0..<64).map { $0 % 9 == 0 ? 1 : 0 })
  // Key and value keep PyTorch's packed bound √(6/(4·8)); the output projection and W₂ are untouched.
  #expect(ruled.tensors[qkv].map { $0[64...].allSatisfy { abs($0) <= (6.0 / 32).squareRoot() } } == true)
  #expect(ruled.tensors[qkv] != plain.tensors[qkv])
  #expect(ruled.tensors["layers.1.layers.1.layers.1.weight"]?.allSatisfy { $0 == 1 } == true)
  for same in ["layers.1.layers.0.layers.1.out_proj.weight", "layers.1.layers.1.layers.3.weight", "layers.2.weight"] {
    #expect(ruled.tensors[same] != nil && ruled.tensors[same] == plain.tensors[same], "\(same)")
  }
}
