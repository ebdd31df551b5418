import Foundation
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import Testing

@testable import SproutRun

/// Issue 13's shapes run end to end: a select by the mean over seeds gates the stages that read its choice (and
/// they resume bit for bit), evaluation during training writes its own resumable series, a fit reads a trajectory,
/// certified training trains, and the model is a template (`repeat:` of a block whose activation is a matrix axis).
@Suite struct ExperimentRunTests {
  static let spec = """
    sprout: 1
    name: shapes
    seed: 3
    matrix:
      lr: [0.002, 0.05]
      act: [relu]
      seed: [0, 1]
    datasets:
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 3, samples: 96, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: [{repeat: {count: 2, layers: [{dense: 16}, "${matrix.act}"]}}, {dense: 3}]}
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
      best: {kind: select, from: test, metric: loss, mode: min, over: [lr]}
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
    // The choice's evidence (what `show` prints): every candidate with the mean of its two seeds' losses.
    #expect(best.extra["metric"]?.stringValue == "loss")
    #expect(best.extra["aggregate"]?.stringValue == "mean")
    let evidence = try #require(best.extra["candidates"]?.arrayValue)
    #expect(evidence.count == means.count)
    for item in evidence {
      let lr = try #require(item["choice"]?.stringValue?.split(separator: "=").last.map(String.init))
      #expect(item["value"]?.doubleValue == means[lr], "\(item)")
      #expect(item["values"]?.arrayValue?.count == 2)
    }
  }

  /// Stopped mid-way and run again, the gated certified training with its eval series ends bit for bit where an
  /// uninterrupted run does. The probes are shortened below the stopping point so that it is the gated task, with
  /// its two series, that is cut (at its step 9, past the checkpoint of step 8) and resumed, round after round.
  @Test func interruptedRunsResumeBitForBit() throws {
    let text = Self.spec.replacingOccurrences(of: "    steps: 10\n", with: "    steps: 6\n")
    let plan = try Self.plan(text)
    let whole = TemporaryDirectory()
    let a = Store(root: "\(whole.path)/.sprout")
    #expect(try Executor(store: a).run(plan: plan, specText: text).succeeded)
    let parts = TemporaryDirectory()
    let b = Store(root: "\(parts.path)/.sprout")
    let events = EventLog()
    var rounds = 0
    var summary: RunSummary
    repeat {
      summary = try Executor(store: b, options: ExecutorOptions(stopAfterSteps: 9)).run(
        plan: plan, specText: text, onEvent: { events.append($0) })
      rounds += 1
    } while !summary.succeeded && rounds < 12
    #expect(summary.succeeded)
    // Both chosen final tasks (24 steps) were cut at least twice and resumed from a checkpoint inside the run.
    let resumed = events.all.compactMap { e -> (String, Int)? in
      if case .taskResumed(let key, let step, _) = e { return (key, step) } else { return nil }
    }
    let finals = Set(resumed.filter { $0.0.hasSuffix("/final") }.map(\.0))
    #expect(finals.count == 2, "\(resumed)")
    #expect(resumed.filter { $0.0.hasSuffix("/final") }.count >= 4, "\(resumed)")
    #expect(resumed.allSatisfy { $0.1 > 0 && $0.1 < 24 })
    for task in plan.tasks {
      #expect(try a.outputs(task.hash)?.outputHashes == b.outputs(task.hash)?.outputHashes, "\(task.key)")
      #expect(try a.outputs(task.hash)?.finalMetrics == b.outputs(task.hash)?.finalMetrics, "\(task.key)")
    }
    // The eval series of a resumed task, record by record, against the uninterrupted one.
    for key in finals {
      let task = try #require(plan.task(key))
      let whole = try a.metrics(task.hash), cut = try b.metrics(task.hash)
      #expect(whole == cut)
      #expect(cut.filter { $0.values["eval/loss"] != nil }.map(\.step) == [0, 4, 8, 12, 16, 20, 24])
    }
  }

  // MARK: - Aggregates

  static func aggregateSpec(mode: SelectMode, aggregate: SelectAggregate) -> String {
    """
    sprout: 1
    name: aggregates
    seed: 5
    matrix:
      lr: [0.003, 0.03, 0.3]
      bs: [8, 16]
      seed: [0, 1, 2]
    datasets:
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 3, samples: 96, std: 2, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: [{dense: 8}, relu, {dense: 3}]}
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
        steps: 6
        batch: "${matrix.bs}"
      test: {kind: evaluate, from: probe, data: blobs.test, record: [loss]}
      best:
        kind: select
        from: test
        metric: loss
        over: [lr]
        per: [bs]
        mode: \(mode.rawValue)
        aggregate: \(aggregate.rawValue)
    """
  }

  /// Every aggregate in both directions, one choice of `lr` per batch size: what the select records (the choice in
  /// `extra.chosen`, the chosen aggregate in its metric record, every candidate's evidence) is what the definition
  /// gives on the candidates' own stored losses, computed here. The 18 candidates run once; each variant reruns
  /// only the select.
  @Test func everyAggregateChoosesWhatItsDefinitionSays() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/.sprout")
    var choices: Set<String> = []
    for aggregate in SelectAggregate.allCases {
      for mode in SelectMode.allCases {
        let text = Self.aggregateSpec(mode: mode, aggregate: aggregate)
        let plan = try Self.plan(text)
        let summary = try Executor(store: store, options: ExecutorOptions(jobs: 2)).run(plan: plan, specText: text)
        #expect(summary.succeeded, "\(summary.results.compactMap(\.error))")
        if aggregate != .mean || mode != .min {
          #expect(summary.results.filter { $0.status == .completed }.map(\.key) == ["all/best"])
        }
        // Expected, from the stored test losses: per batch size, per lr, the seeds' losses in plan order.
        var losses: [String: [String: [Double]]] = [:]
        var order: [String] = []
        for task in plan.tasks where task.stage == "test" {
          let trial = try #require(plan.trial(task.key.trial))
          let bs = try #require(trial["bs"]?.canonical), lr = try #require(trial["lr"]?.canonical)
          let group = "bs=\(bs)", choice = "lr=\(lr)"
          if !order.contains(choice) { order.append(choice) }
          let loss = try #require(try store.outputs(task.hash)?.finalMetrics["loss"]?.doubleValue)
          losses[group, default: [:]][choice, default: []].append(loss)
        }
        let selectTask = try #require(plan.task("all/best"))
        let outputs = try #require(try store.outputs(selectTask.hash))
        let chosen = try #require(outputs.extra["chosen"]?.objectValue)
        let recorded = try #require(outputs.finalMetrics["loss"]?.objectValue)
        #expect(Set(chosen.keys) == ["bs=8", "bs=16"])
        for (group, byChoice) in losses {
          var best: (String, Double)?
          for choice in order {
            let values = try #require(byChoice[choice])
            #expect(values.count == 3)
            let v = Self.combine(values, aggregate)
            if best.map({ mode == .min ? v < $0.1 : v > $0.1 }) ?? true { best = (choice, v) }
          }
          let (choice, value) = try #require(best)
          #expect(chosen[group]?.stringValue == choice, "\(aggregate) \(mode) \(group): \(byChoice)")
          #expect(recorded[group]?.doubleValue == value, "\(aggregate) \(mode) \(group)")
          choices.insert("\(group) \(choice)")
        }
        // The evidence: every candidate of every group with the values it combined.
        let evidence = try #require(outputs.extra["candidates"]?.arrayValue)
        #expect(evidence.count == 6 && evidence.allSatisfy { $0["values"]?.arrayValue?.count == 3 })
        #expect(outputs.extra["aggregate"]?.stringValue == aggregate.rawValue)
        #expect(outputs.extra["mode"]?.stringValue == mode.rawValue)
      }
    }
    // Not one answer for everything: the variants made different choices.
    #expect(choices.count > 2, "\(choices)")
  }

  /// The aggregates as their definitions state them, written out independently of ``SelectAggregate/combine``.
  static func combine(_ v: [Double], _ aggregate: SelectAggregate) -> Double {
    switch aggregate {
    case .mean: return v.reduce(0, +) / Double(v.count)
    case .min: return v.min()!
    case .max: return v.max()!
    case .median: return v.sorted()[1]  // three seeds
    }
  }
}
