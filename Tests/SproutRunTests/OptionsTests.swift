import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain
import SproutConfig
import Testing

@testable import SproutRun

/// Every argument lint accepts is applied by the executor — never silently dropped.
struct OptionsTests {
  /// A spec with one train stage (`record`, `loss`, `layers`, `data` substituted) that checkpoints W₀ and the end.
  static func spec(
    record: String, loss: String = "mse", layers: String = "[{dense: 8}, relu, {dense: 1}]", data: String = "teacher"
  ) -> String {
    """
    sprout: 1
    name: options
    seed: 5
    datasets:
      teacher:
        kind: teacher_student
        inputs: 3
        samples: 48
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 2, samples: 48}
      teacher01: {kind: teacher_student, inputs: 3, samples: 48, task: classification}
    models:
      net:
        input: 3
        layers: \(layers)
    initializers:
      he: {kind: kaiming_normal, nonlinearity: relu}
    stages:
      train:
        kind: train
        model: net
        init: he
        data: \(data)
        loss: \(loss)
        optimizer: {kind: sgd, lr: 0.05}
        steps: 5
        batch: 16
        record: \(record)
        checkpoint_every: 5
    """
  }

  /// Plans and runs `text`; returns the plan, the run summary and the store.
  static func run(_ text: String) throws -> (Plan, RunSummary, Store) {
    let store = Store(root: TemporaryDirectory().path)
    var diagnostics = Diagnostics()
    let plan = try #require(
      Planner.plan(
        text: text, file: "options.yaml", options: PlanOptions(), store: store.view(experiment: "options"),
        diagnostics: &diagnostics), "\(diagnostics.all.map(\.message))")
    #expect(!diagnostics.hasErrors, "\(diagnostics.all.map(\.message))")
    return (plan, try Executor(store: store).run(plan: plan, specText: text), store)
  }

  /// The final metrics of `stage`'s task.
  static func metrics(_ stage: String, _ plan: Plan, _ store: Store) throws -> [String: JSONValue] {
    let task = try #require(plan.tasks.first { $0.stage == stage })
    return try #require(try store.outputs(task.hash)).finalMetrics
  }

  @Test func weightChangeIsAbsoluteUnlessRelative() throws {
    let (absPlan, absRun, absStore) = try Self.run(Self.spec(record: "[{weight_change: {relative: false}}]"))
    #expect(absRun.succeeded, "\(absRun.results.compactMap(\.error).map(\.description))")
    let (relPlan, relRun, relStore) = try Self.run(Self.spec(record: "[{weight_change: {relative: true}}]"))
    #expect(relRun.succeeded, "\(relRun.results.compactMap(\.error).map(\.description))")
    let (defPlan, _, defStore) = try Self.run(Self.spec(record: "[weight_change]"))
    let name = "layers.0.weight"
    let absolute = try #require(try Self.metrics("train", absPlan, absStore)["weight_change"]?[name]?.doubleValue)
    let relative = try #require(try Self.metrics("train", relPlan, relStore)["weight_change"]?[name]?.doubleValue)
    let hash = try #require(absPlan.tasks.first { $0.stage == "train" }?.hash)
    func weight(_ step: Int) throws -> [Double] {
      let t = try #require(try Checkpoint.read(absStore.checkpointPath(hash, step: step))[name])
      guard case .float32(_, let values) = t.storage else { throw RunError(.corruptCheckpoint, "not F32") }
      return values.map(Double.init)
    }
    let (w0, w) = (try weight(0), try weight(5))
    let norm0 = w0.map { $0 * $0 }.reduce(0, +).squareRoot()
    let expected = zip(w, w0).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    #expect(absolute > 0)
    #expect(abs(absolute - expected) < 1e-9 * expected, "‖W − W₀‖_F from the checkpoints")
    #expect(abs(relative - expected / norm0) < 1e-9 * relative, "‖W − W₀‖_F / ‖W₀‖_F")
    #expect(abs(absolute - relative) > 1e-6, "the two forms differ for ‖W₀‖ ≠ 1 (‖W₀‖ = \(norm0))")
    // The language's default is `relative: true` (issue 5's ‖W − W₀‖/‖W₀‖).
    #expect(try Self.metrics("train", defPlan, defStore)["weight_change"]?[name]?.doubleValue == relative)
  }

  @Test func activationStatsSelectsActivationLayersAndStatistics() throws {
    let layers = "[{dense: 8}, relu, {dense: 8}, tanh, {dense: 1}]"
    let text = Self.spec(
      record: "[loss, {activation_stats: {layers: 1, stats: [std, max_abs]}}]", layers: layers)
    let (plan, summary, store) = try Self.run(text)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let stats = try #require(try Self.metrics("train", plan, store)["activation_stats"]?.objectValue)
    #expect(Set(stats.keys) == ["layers.3"], "index 1 among the activation layers [layers.1, layers.3]")
    #expect(Set(try #require(stats["layers.3"]?.objectValue).keys) == ["std", "max_abs"])

    let (allPlan, allRun, allStore) = try Self.run(
      Self.spec(record: "[{activation_stats: [mean, massive_ratio]}]", layers: layers))
    #expect(allRun.succeeded, "\(allRun.results.compactMap(\.error).map(\.description))")
    let all = try #require(try Self.metrics("train", allPlan, allStore)["activation_stats"]?.objectValue)
    #expect(Set(all.keys) == ["layers.1", "layers.3"])
    #expect(
      Set(try #require(all["layers.1"]?.objectValue).keys) == ["mean", "massive_ratio", "massive_ratio_per_input"])
  }

  @Test func activationLayerPathsSkipParameterAndShapeLayers() throws {
    let layers: [LayerConfig] = [
      .fourierFeatures(features: 4, sigma: 1, trainable: false, includeInput: false), .dense(units: 4, bias: true),
      .activation(.relu), .dropout(rate: 0.1), .residual([.dense(units: 4, bias: true)]),
      .layerNorm(eps: 1e-5, affine: true), .activation(.dice(form: .paper, alpha: 0, eps: 1e-8, momentum: 0.1)),
      .dense(units: 1, bias: true),
    ]
    let net = try Network(input: 2, layers: layers, backend: CPUBackend(threads: 1), maxBatch: 4)
    #expect(MetricsRecorder.activationLayers(net) == [2, 4, 6])
  }

  /// Arguments the executor used to refuse at run time: each now runs and changes the numbers.
  @Test(arguments: [
    ("[{dense: 8}, {dice: {form: official}}, {dense: 1}]", "[{dense: 8}, {dice: {form: paper}}, {dense: 1}]", "mse",
     "mse", "teacher"),
    ("[{dense: 8}, relu, {dense: 2}]", "[{dense: 8}, relu, {dense: 2}]", "{kind: cross_entropy, label_smoothing: 0.1}",
     "cross_entropy", "blobs"),
    ("[{dense: 8}, relu, {dense: 1}]", "[{dense: 8}, relu, {dense: 1}]", "{kind: bce_with_logits, pos_weight: 3}",
     "bce_with_logits", "teacher01"),
    ("[{dense: 8}, {rational: {degrees: [3, 2]}}, {dense: 1}]", "[{dense: 8}, rational, {dense: 1}]", "mse", "mse",
     "teacher"),
  ])
  func formerlyRefusedValuesRunAndChangeTheResult(
    layers: String, defaultLayers: String, loss: String, defaultLoss: String, data: String
  ) throws {
    let (plan, summary, store) = try Self.run(Self.spec(record: "[loss]", loss: loss, layers: layers, data: data))
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let (basePlan, baseSummary, baseStore) = try Self.run(
      Self.spec(record: "[loss]", loss: defaultLoss, layers: defaultLayers, data: data))
    #expect(baseSummary.succeeded)
    let value = try #require(try Self.metrics("train", plan, store)["loss"]?.doubleValue)
    let base = try #require(try Self.metrics("train", basePlan, baseStore)["loss"]?.doubleValue)
    #expect(value != base, "the argument reached the numbers")
  }

  @Test func gaussianBlobsSeparationIsApplied() throws {
    func blobs(_ separation: Double) throws -> Dataset {
      let source = DataSource.gaussianBlobs(inputs: 2, classes: 3, samples: 30, std: 1, separation: separation)
      return try Dataset.load(DataSelection(dataset: DatasetConfig(name: "blobs", source: source)), seed: 9, directory: ".")
    }
    let near = try blobs(0.5)
    let expected = try DatasetGenerator.gaussianBlobs(
      classes: 3, features: 2, samples: 30, spread: 1, separation: 0.5, seed: 9, path: ["data", "blobs"])
    #expect(near.features == expected.features)
    #expect(try blobs(4).features != near.features)
  }
}
