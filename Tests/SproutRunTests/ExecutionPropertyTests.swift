import Foundation
import PropertyBased
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import Testing

@testable import SproutRun

/// Properties of execution over random choices (few cases, tiny models: a few seconds in all):
/// - resuming from any checkpoint gives the same bytes as a run that was never interrupted;
/// - any number of jobs and threads per task gives the same bytes.
@Suite struct ExecutionPropertyTests {
  /// One train task of 8 steps on a 4→6→1 network, checkpointing every `every` steps, then an evaluation.
  static func plan(checkpointEvery every: Int) -> Plan {
    let text = """
      sprout: 1
      name: prop
      seed: 3
      matrix:
        seed: [0, 1]
      datasets:
        teacher: {kind: teacher_student, inputs: 4, outputs: 1, samples: 48, hidden: 4, split: {train: 0.75, test: 0.25}}
      models:
        net: {input: 4, layers: [{dense: 6}, tanh, {dense: 1}]}
      initializers:
        he: {kind: kaiming_normal}
      stages:
        train:
          kind: train
          model: net
          init: he
          data: teacher.train
          loss: mse
          optimizer: {kind: adam, lr: 0.01}
          steps: 8
          batch: 8
          checkpoint_every: \(every)
          every: 1
          record: [loss, weight_norm]
        test: {kind: evaluate, from: train, data: teacher.test, record: [loss]}
      """
    var diagnostics = Diagnostics()
    guard
      let plan = Planner.plan(
        text: text, file: "prop.yaml", options: PlanOptions(specText: text), store: nil, diagnostics: &diagnostics)
    else { preconditionFailure("the property spec plans: \(diagnostics.all)") }
    return plan
  }

  /// What a task leaves that must not depend on how it was run: its final checkpoint's bytes, its metrics file's
  /// bytes and its output hashes, by task key.
  static func results(_ store: Store, _ plan: Plan) throws -> [String: [String]] {
    var out: [String: [String]] = [:]
    for task in plan.tasks {
      let outputs = try #require(try store.outputs(task.hash))
      var parts = outputs.outputHashes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      if let last = store.checkpointSteps(task.hash).last {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.checkpointPath(task.hash, step: last)))
        parts.append("checkpoint \(last): \(bytes.base64EncodedString())")
      }
      let metrics = store.metricsBytes(task.hash)
      parts.append("metrics: \(String(decoding: metrics, as: UTF8.self))")
      out[task.key.description] = parts
    }
    return out
  }

  @Test("resuming from any checkpoint gives the bytes of an uninterrupted run")
  func resumeFromAnyCheckpoint() async throws {
    // (checkpoint interval, step at which the run is stopped, which of the checkpoints left to resume from)
    await propertyCheck(count: 6, input: Gen.int(in: 1...4), Gen.int(in: 1...7), Gen.int(in: 0...8)) {
      every, stopAt, pick in
      let plan = Self.plan(checkpointEvery: every)
      let referenceDirectory = TemporaryDirectory()
      let reference = Store(root: referenceDirectory.path)
      let uninterrupted = try Executor(store: reference, options: ExecutorOptions(threadsPerTask: 1)).run(
        plan: plan, specText: "")
      #expect(uninterrupted.succeeded)

      let directory = TemporaryDirectory()
      let store = Store(root: directory.path)
      let stopped = try Executor(store: store, options: ExecutorOptions(threadsPerTask: 1, stopAfterSteps: stopAt))
        .run(plan: plan, specText: "")
      #expect(stopped.results.contains { $0.status == .cancelled })
      // Resume from an earlier checkpoint than the last: the later ones are removed, as if never written.
      for task in plan.tasks where !store.isComplete(task.hash) {
        let steps = store.checkpointSteps(task.hash)
        guard !steps.isEmpty else { continue }
        let from = steps[pick % steps.count]
        for step in steps where step > from {
          try FileManager.default.removeItem(atPath: store.checkpointPath(task.hash, step: step))
        }
      }
      let resumed = try Executor(store: store, options: ExecutorOptions(threadsPerTask: 1)).run(plan: plan, specText: "")
      #expect(resumed.succeeded, "\(resumed.results.compactMap(\.error))")
      #expect(try Self.results(store, plan) == Self.results(reference, plan), "every \(every), stop \(stopAt), pick \(pick)")
    }
  }

  @Test("any --jobs and thread count give the same bytes")
  func jobsAndThreadsDoNotChangeBytes() async throws {
    let plan = Self.plan(checkpointEvery: 4)
    let referenceDirectory = TemporaryDirectory()
    let reference = Store(root: referenceDirectory.path)
    _ = try Executor(store: reference, options: ExecutorOptions(jobs: 1, threadsPerTask: 1)).run(plan: plan, specText: "")
    let expected = try Self.results(reference, plan)
    await propertyCheck(count: 4, input: Gen.int(in: 1...4), Gen.int(in: 1...4)) { jobs, threads in
      let directory = TemporaryDirectory()
      let store = Store(root: directory.path)
      let run = try Executor(store: store, options: ExecutorOptions(jobs: jobs, threadsPerTask: threads)).run(
        plan: plan, specText: "")
      #expect(run.succeeded)
      #expect(try Self.results(store, plan) == expected, "jobs \(jobs), threads \(threads)")
    }
  }
}
