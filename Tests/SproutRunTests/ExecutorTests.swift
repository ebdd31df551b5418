import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutConfig
import Testing

@testable import SproutRun

/// The executor end to end on real files: a two-trial train → evaluate → select plan as the planner lays it
/// out (definitions resolved per trial, hashes over definition and inputs).
struct ExecutorTests {
  static func span(_ line: Int) -> SourceSpan {
    SourceSpan(
      SourceRange(
        file: "exp.yaml", start: SourceLocation(line: line, column: 3), end: SourceLocation(line: line, column: 9)))
  }

  /// Two trials (kaiming and low-rank init), each train + evaluate, then a select over both evaluations, planned by
  /// the planner from a spec.
  static func plan(steps: Int = 12, lr: Double = 0.05) -> Plan {
    let text = """
      sprout: 1
      name: exp
      seed: 7
      matrix:
        init: [full, lowrank]
      datasets:
        teacher: {kind: teacher_student, inputs: 4, outputs: 1, samples: 64, hidden: 8, split: {train: 0.75, test: 0.25}}
      models:
        net: {input: 4, layers: [{dense: 16}, relu, {dense: 1}]}
      initializers:
        full: {kind: kaiming_normal, nonlinearity: relu}
        lowrank: {kind: low_rank, rank: 2, base: kaiming_normal, layers: {last: {kind: lecun_normal}}}
      stages:
        train:
          kind: train
          model: net
          init: ${matrix.init}
          data: teacher.train
          loss: mse
          optimizer: {kind: sgd, lr: \(lr), momentum: 0.9}
          steps: \(steps)
          batch: 16
          checkpoint_every: 4
          every: 2
          record: [loss, weight_change, effective_rank]
        test: {kind: evaluate, from: train, data: teacher.test, record: [loss]}
        best: {kind: select, from: test, metric: loss, mode: min}
      """
    var diagnostics = Diagnostics()
    guard
      let plan = Planner.plan(
        text: text, file: "exp.yaml", options: PlanOptions(specText: "spec text"), store: nil,
        diagnostics: &diagnostics)
    else { preconditionFailure("the test spec plans: \(diagnostics.all)") }
    return plan
  }

  static func outputHashes(_ store: Store, _ plan: Plan) throws -> [String: [String: String]] {
    var out: [String: [String: String]] = [:]
    for t in plan.tasks { out[t.key.description] = try #require(try store.outputs(t.hash)).outputHashes }
    return out
  }

  @Test func runsCachesAndForcesWithIdenticalHashes() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/.sprout")
    let plan = Self.plan()
    let events = EventLog()
    let first = try Executor(store: store).run(plan: plan, specText: "spec text", onEvent: { events.append($0) })
    #expect(first.succeeded, "\(first.results.compactMap(\.error))")
    #expect(first.results.map(\.status) == Array(repeating: .completed, count: 5))
    let trainHash = plan.tasks[0].hash
    #expect(store.checkpointSteps(trainHash) == [0, 4, 8, 12])
    #expect(try store.metrics(trainHash).map(\.step) == [0, 2, 4, 6, 8, 10, 12])
    let best = try #require(try store.outputs(plan.tasks.last!.hash))
    // One candidate per init (no other axis): the choice is one of them, with both as evidence.
    let choice = try #require(best.extra["chosen"]?.objectValue?["(all)"]?.stringValue)
    #expect(choice.hasPrefix("init="))
    #expect(best.extra["candidates"]?.arrayValue?.count == 2)
    let manifest = try store.manifest(first.runID)
    #expect(manifest.tasks.map(\.status) == Array(repeating: "completed", count: 5))
    #expect(manifest.tasks[0].checkpoints.count == 4)
    #expect(manifest.machine["cpus"]?.intValue ?? 0 >= 1)
    #expect(try Executor.plan(from: manifest) == plan)
    // The planner's view now sees every task complete.
    #expect(plan.tasks.allSatisfy { store.view(experiment: "exp").hasOutputs(hash: $0.hash) })
    #expect(store.view(experiment: "exp").lastRecord(taskKey: "t0001/train")?.hash == plan.tasks[2].hash)

    let second = try Executor(store: store).run(plan: plan, specText: "spec text")
    #expect(second.results.map(\.status) == Array(repeating: .cached, count: 5))
    let hashes = try Self.outputHashes(store, plan)

    let forced = try Executor(store: store, options: ExecutorOptions(force: true)).run(
      plan: plan, specText: "spec text")
    #expect(forced.results.map(\.status) == Array(repeating: .completed, count: 5))
    #expect(try Self.outputHashes(store, plan) == hashes)
    #expect(store.runIDs().count == 3)
  }

  @Test func resultsDoNotDependOnJobs() throws {
    let plan = Self.plan()
    let one = Store(root: TemporaryDirectory().path)
    let two = Store(root: TemporaryDirectory().path)
    // One job with a 3-thread backend against two jobs with one thread each: same bits.
    let a = try Executor(store: one, options: ExecutorOptions(jobs: 1, threadsPerTask: 3)).run(plan: plan, specText: "")
    let b = try Executor(store: two, options: ExecutorOptions(jobs: 2)).run(plan: plan, specText: "")
    #expect(a.succeeded && b.succeeded)
    #expect(try Self.outputHashes(one, plan) == Self.outputHashes(two, plan))
  }

  @Test func interruptedRunResumesToTheSameResult() throws {
    let plan = Self.plan()
    let reference = Store(root: TemporaryDirectory().path)
    _ = try Executor(store: reference).run(plan: plan, specText: "")
    let store = Store(root: TemporaryDirectory().path)
    let stopped = try Executor(store: store, options: ExecutorOptions(stopAfterSteps: 5)).run(plan: plan, specText: "")
    #expect(stopped.results[0].status == .cancelled)
    #expect(stopped.results.dropFirst().allSatisfy { $0.status == .skipped })
    #expect(!store.isComplete(plan.tasks[0].hash))
    let events = EventLog()
    let resumed = try Executor(store: store).run(plan: plan, specText: "", onEvent: { events.append($0) })
    #expect(resumed.succeeded)
    #expect(events.resumedSteps == [6])
    #expect(try Self.outputHashes(store, plan) == Self.outputHashes(reference, plan))
  }

  @Test func rerunMatchesAndFindsATamperedMetric() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/store")
    let plan = Self.plan()
    let run = try Executor(store: store).run(plan: plan, specText: "spec text")
    let report = try Rerun.run(run.runID, store: store, scratch: Store(root: "\(dir.path)/scratch1"))
    #expect(report.allMatch, "\(report.tasks)")
    #expect(report.tasks.count == 5)

    // Change the loss recorded at step 6 of trial 1's training by one ulp.
    let hash = plan.tasks[2].hash
    var records = try store.metrics(hash)
    let index = try #require(records.firstIndex { $0.step == 6 })
    let loss = try #require(records[index].values["loss"]?.doubleValue)
    records[index].values["loss"] = .double(loss.nextUp)
    try store.writeMetrics(records, hash: hash)
    let tampered = try Rerun.run(run.runID, store: store, scratch: Store(root: "\(dir.path)/scratch2"))
    #expect(!tampered.allMatch)
    let mismatch = try #require(tampered.firstMismatch)
    #expect(mismatch.key == "t0001/train")
    #expect(mismatch.differingOutputs == ["metrics.jsonl"])
    #expect(mismatch.divergence?.step == 6)
    #expect(mismatch.divergence?.what == "metric loss")
    #expect(tampered.tasks.filter { !$0.matches }.count == 1)
    #expect(tampered.text.contains("t0001/train  DIFFERS at step 6: metric loss"))
    #expect(tampered.text.hasSuffix("1 of 5 tasks differ\n"))
    #expect(report.text.hasSuffix("all 5 tasks reproduce bit for bit\n"))
    #expect(try JSONValue.parse(tampered.json)["all_match"] == .bool(false))
  }

  @Test func rerunNamesTheFirstDivergingTensor() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/store")
    let plan = Self.plan()
    _ = try Executor(store: store).run(plan: plan, specText: "")
    let replay = Store(root: "\(dir.path)/replay")
    _ = try Executor(store: replay).run(plan: plan, specText: "")
    // Perturb one weight of the step-8 checkpoint of the replay and its final output hash.
    let hash = plan.tasks[0].hash
    let path = replay.checkpointPath(hash, step: 8)
    var checkpoint = try Checkpoint.read(path)
    let i = try #require(checkpoint.tensors.firstIndex { $0.name == "layers.2.weight" })
    var values = checkpoint.tensors[i].values
    values[3] += 1
    checkpoint.tensors[i] = NamedTensor(name: "layers.2.weight", shape: checkpoint.tensors[i].shape, values: values)
    try checkpoint.write(to: path)
    var outputs = try #require(try replay.outputs(hash))
    outputs.outputHashes["tensor:layers.2.weight"] = "sha256:0"
    try replay.writeOutputs(outputs)
    let c = Rerun.compare(key: "t0000/train", hash: hash, original: store, replay: replay)
    #expect(!c.matches)
    #expect(c.divergence?.step == 8)
    #expect(c.divergence?.what == "tensor layers.2.weight")
    #expect(c.divergence?.detail.hasPrefix("element 3:") == true)
  }

  /// A plan file naming a stage kind this version does not know is refused when it is read, naming the field.
  @Test func planFilesWithUnknownStageKindsAreRefused() throws {
    let dir = TemporaryDirectory()
    let url = URL(fileURLWithPath: "\(dir.path)/plan.json")
    let text = Self.plan().jsonText.replacingOccurrences(of: "\"evaluate\": {", with: "\"distill\": {")
    try Data(text.utf8).write(to: url)
    #expect(throws: Plan.FileError.self) { try Plan.load(from: url) }
    do { _ = try Plan.load(from: url) } catch let e as Plan.FileError {
      #expect(e.message.contains("config"), "\(e.message)")
    }
  }

  @Test func nonFiniteLossFailsTheTaskAndSkipsItsReaders() throws {
    let store = Store(root: TemporaryDirectory().path)
    let plan = Self.plan(lr: 1e30)
    let summary = try Executor(store: store).run(plan: plan, specText: "")
    #expect(summary.results[0].status == .failed)
    #expect(summary.results[0].error?.code == .nonFiniteLoss)
    #expect(summary.results[0].error?.range?.description == plan.tasks[0].span.description)
    #expect(summary.results[1].status == .skipped)
    #expect(summary.results.last?.status == .skipped)
    #expect(store.checkpointSteps(plan.tasks[0].hash).first == 0)
    let manifest = try store.manifest("latest")
    #expect(manifest.tasks[0].status == "failed")
    #expect(manifest.tasks[0].error?.contains("run.non-finite-loss") == true)
  }

  /// What `sprout show` reads (SproutResults' tests cover the table): the manifest lists every task in plan order
  /// with its hash, and each task's outputs hold its steps and final metrics.
  @Test func theManifestAndOutputsSummariseARun() throws {
    let store = Store(root: TemporaryDirectory().path)
    let plan = Self.plan()
    let run = try Executor(store: store).run(plan: plan, specText: "")
    let manifest = try store.manifest("latest")
    #expect(manifest.runID == run.runID)
    #expect(manifest.tasks.map(\.key) == plan.tasks.map(\.key.description))
    #expect(manifest.tasks.map(\.hash) == plan.tasks.map(\.hash))
    let first = try #require(try store.outputs(plan.tasks[0].hash))
    #expect(first.steps == 12)
    #expect(first.finalMetrics["loss"]?.doubleValue != nil)
    #expect(first.finalMetrics["weight_change"] != nil)
  }
}
