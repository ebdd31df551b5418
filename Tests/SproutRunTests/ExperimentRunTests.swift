import Foundation
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import Testing

@testable import SproutRun

/// Issue 13's shapes run end to end: a select by the mean over seeds gates the stages that read its choice (and
/// they resume bit for bit), evaluation during training writes its own resumable series, a fit reads a trajectory,
/// and certified training trains.
@Suite struct ExperimentRunTests {
  static let spec = """
    sprout: 1
    name: shapes
    seed: 3
    matrix:
      lr: [0.002, 0.05]
      seed: [0, 1]
    datasets:
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 3, samples: 96, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: [{dense: 16}, relu, {dense: 16}, relu, {dense: 3}]}
    initializers:
      he: {kind: kaiming_normal, nonlinearity: relu}
    stages:
      probe:
        kind: train
        model: net
        init: he
        data: blobs.train
        loss: cross_entropy
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: 10
        batch: 16
      test: {kind: evaluate, from: probe, data: blobs.test, record: [loss, accuracy]}
      best: {kind: select, from: test, metric: loss, mode: min}
      final:
        kind: train
        model: net
        init: he
        data: blobs.train
        loss: {kind: ibp, eps: 0.05, ramp_length: 12, regularizers: [tightness, relu]}
        optimizer: {kind: adam, lr: "${select.best.lr}"}
        steps: 24
        batch: 16
        checkpoint_every: 4
        record: [loss, {verified_error: 0.05}, dead_units]
        every: 3
        eval: {data: blobs.test, every: 4, record: [loss, accuracy, {verified_error: 0.05}]}
      trend: {kind: fit, from: final, metric: eval/loss, form: exp_saturation}
    """

  static func plan(_ text: String = spec) throws -> Plan {
    var d = Diagnostics()
    let plan = Planner.plan(text: text, file: "shapes.yaml", options: PlanOptions(), store: nil, diagnostics: &d)
    return try #require(plan, "\(d.all.map { "\($0.id) \($0.message)" })")
  }

  @Test func selectGatesTheStagesThatReadItsChoice() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/.sprout")
    let plan = try Self.plan()
    let summary = try Executor(store: store).run(plan: plan, specText: Self.spec)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error))")
    // The choice is the learning rate with the lower mean test loss over the two seeds.
    var losses: [String: [Double]] = [:]
    for task in plan.tasks where task.stage == "test" {
      let lr = try #require(plan.trial(task.key.trial)?["lr"]?.canonical)
      let loss = try store.outputs(task.hash)?.finalMetrics["loss"]?.doubleValue
      losses[lr, default: []].append(try #require(loss))
    }
    let means = losses.mapValues { $0.reduce(0, +) / Double($0.count) }
    let expected = try #require(means.min { $0.value < $1.value }?.key)
    let selectTask = try #require(plan.task("all/best"))
    let best = try #require(try store.outputs(selectTask.hash))
    #expect(best.extra["chosen"]?.objectValue?["(all)"]?.stringValue == "lr=\(expected)")
    #expect(best.finalMetrics["loss"]?.doubleValue == means[expected])
    // Gated tasks ran for the chosen candidate only; the others are not chosen, which is no failure.
    let byKey = Dictionary(uniqueKeysWithValues: summary.results.map { ($0.key, $0.status) })
    for task in plan.tasks where task.gates != nil {
      let chosen = plan.trial(task.key.trial)?["lr"]?.canonical == expected
      #expect(byKey[task.key.description] == (chosen ? .completed : .notChosen), "\(task.key)")
    }
    // Evaluation during training: its own series at steps 0, 4, ..., 24, beside the training records.
    let final = try #require(plan.tasks.first { $0.stage == "final" && byKey[$0.key.description] == .completed })
    let records = try store.metrics(final.hash)
    #expect(records.filter { $0.values["eval/loss"] != nil }.map(\.step) == [0, 4, 8, 12, 16, 20, 24])
    #expect(records.filter { $0.values["loss"] != nil }.map(\.step) == [0, 3, 6, 9, 12, 15, 18, 21, 24])
    let outputs = try #require(try store.outputs(final.hash))
    for key in ["eval/accuracy", "eval/verified_error", "verified_error"] {
      #expect(outputs.finalMetrics[key]?.doubleValue != nil, "\(key)")
    }
    #expect(outputs.finalMetrics["dead_units"]?.objectValue?["layers.1"] != nil)
    // The fit read the eval series.
    let trend = try #require(plan.tasks.first { $0.stage == "trend" && $0.key.trial == final.key.trial })
    let fitted = try #require(try store.outputs(trend.hash)?.finalMetrics)
    #expect(fitted["points"]?.intValue == 7)
    #expect(fitted["r2"]?.doubleValue.map { $0 > 0.5 } == true, "\(fitted)")
    // show lists the choice with its evidence.
    let report = try RunReport.load(summary.runID, store: store)
    #expect(report.selections.first?.hasPrefix("all/best: lr=\(expected) (mean loss") == true, "\(report.selections)")
    #expect(!report.table.contains("run.not-chosen"))
  }

  /// Stopped mid-way and run again, the gated certified training with its eval series ends bit for bit where an
  /// uninterrupted run does.
  @Test func interruptedRunsResumeBitForBit() throws {
    let plan = try Self.plan()
    let whole = TemporaryDirectory()
    let a = Store(root: "\(whole.path)/.sprout")
    #expect(try Executor(store: a).run(plan: plan, specText: Self.spec).succeeded)
    let parts = TemporaryDirectory()
    let b = Store(root: "\(parts.path)/.sprout")
    let stopped = try Executor(store: b, options: ExecutorOptions(stopAfterSteps: 9)).run(
      plan: plan, specText: Self.spec)
    #expect(!stopped.succeeded)
    var resumed = try Executor(store: b).run(plan: plan, specText: Self.spec)
    var rounds = 0
    while !resumed.succeeded && rounds < 10 {
      resumed = try Executor(store: b).run(plan: plan, specText: Self.spec)
      rounds += 1
    }
    #expect(resumed.succeeded)
    for task in plan.tasks {
      #expect(try a.outputs(task.hash)?.outputHashes == b.outputs(task.hash)?.outputHashes, "\(task.key)")
    }
  }
}
