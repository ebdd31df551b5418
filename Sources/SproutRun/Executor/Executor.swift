import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs a plan's tasks against a store: cached tasks are skipped, incomplete ones resume from their last
/// valid checkpoint, the rest run from the beginning, `jobs` at a time.
///
/// Scheduling: workers take the first task in plan order whose inputs are done; a task whose input failed
/// is skipped. Determinism: every random number a task draws comes from streams keyed by its seed, trial and
/// stage, and the backends partition work by output element, so results are bit-identical whatever `jobs`
/// or the thread count per task (by default all cores for one job, one thread per task otherwise).
public struct Executor: Sendable {
  /// The store written to.
  public let store: Store
  /// Options (`--jobs`, `--force`, stop flag, ...).
  public let options: ExecutorOptions

  /// Creates an executor.
  public init(store: Store, options: ExecutorOptions = ExecutorOptions()) {
    self.store = store
    self.options = options
  }

  /// Runs `plan`, writing a manifest under `runs/<run-id>/`, and returns every task's result.
  ///
  /// Task failures do not throw: they are results (and events). Throws only when the manifest cannot be
  /// written.
  /// - Parameters:
  ///   - specPath: the spec's path, as recorded in the manifest.
  ///   - specText: the spec's text, recorded so `rerun` needs only the store.
  ///   - runID: the id to use (default: a new time-based id).
  public func run(
    plan: Plan, specPath: String? = nil, specText: String, runID: String = Store.newRunID(),
    onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) throws -> RunSummary {
    let started = Date()
    let state = SchedulerState(plan: plan)
    var manifest = RunManifest(
      runID: runID, specPath: specPath ?? plan.spec.path, specText: specText, plan: try Self.planJSON(plan),
      toolVersion: options.toolVersion, backend: plan.backend, jobs: options.jobs, machine: Self.machine(),
      started: ISO8601DateFormatter().string(from: started),
      tasks: plan.tasks.map {
        RunManifest.TaskEntry(
          key: $0.key.description, hash: $0.hash, trial: $0.key.trial, stage: $0.stage, kind: $0.kind,
          status: "pending")
      })
    try store.writeManifest(manifest)
    onEvent(.runStarted(runID: runID, tasks: plan.tasks.count))

    let manifestLock = NSLock()
    let threads = options.threadsPerTask ?? (options.jobs == 1 ? ProcessInfo.processInfo.activeProcessorCount : 1)
    DispatchQueue.concurrentPerform(iterations: min(options.jobs, max(plan.tasks.count, 1))) { _ in
      // The manifest is rewritten (under the lock, so a stale snapshot never overwrites a newer one) when a
      // task starts and when it ends: after a crash it shows what was running.
      func record(_ index: Int, _ update: (inout RunManifest.TaskEntry) -> Void) {
        manifestLock.lock()
        defer { manifestLock.unlock() }
        update(&manifest.tasks[index])
        manifest.seconds = Date().timeIntervalSince(started)
        try? store.writeManifest(manifest)
      }
      while let index = state.next() {
        let task = plan.tasks[index]
        record(index) { $0.status = "running" }
        let result = execute(task, plan: plan, threads: threads, inputs: state.inputOutputs(of: task), onEvent: onEvent)
        record(index) { $0 = entry(task, result) }
        state.finish(index, result)
      }
    }
    manifest.seconds = Date().timeIntervalSince(started)
    try store.writeManifest(manifest)
    let results = state.results()
    onEvent(
      .runFinished(runID: runID, seconds: manifest.seconds, failed: results.filter { $0.status == .failed }.count))
    return RunSummary(runID: runID, manifest: manifest, results: results)
  }

  /// The manifest entry of a finished task.
  private func entry(_ task: PlanTask, _ result: TaskResult) -> RunManifest.TaskEntry {
    let checkpoints = store.checkpointSteps(task.hash).map { "tasks/\(task.hash)/\(Checkpoint.fileName(step: $0))" }
    let hasMetrics = AtomicFile.exists(store.metricsPath(task.hash))
    return RunManifest.TaskEntry(
      key: task.key.description, hash: task.hash, trial: task.key.trial, stage: task.stage, kind: task.kind,
      status: result.status.rawValue, checkpoints: checkpoints,
      metrics: hasMetrics ? "tasks/\(task.hash)/metrics.jsonl" : nil, seconds: result.seconds,
      error: result.error?.description)
  }

  /// Runs one task (or recognises it as cached) and never throws: failures become results.
  private func execute(
    _ task: PlanTask, plan: Plan, threads: Int, inputs: [String: TaskOutputs]?,
    onEvent: @escaping @Sendable (RunEvent) -> Void
  ) -> TaskResult {
    let key = task.key.description
    let start = Date()
    func result(_ status: TaskStatus, _ error: RunError? = nil, _ outputs: TaskOutputs? = nil) -> TaskResult {
      let seconds = status == .cached ? 0 : Date().timeIntervalSince(start)
      onEvent(.taskFinished(key: key, status: status, seconds: seconds, error: error))
      return TaskResult(key: key, hash: task.hash, status: status, seconds: seconds, error: error, outputs: outputs)
    }
    if !options.force, let outputs = try? store.outputs(task.hash) {
      onEvent(.taskCached(key: key, hash: task.hash))
      try? store.writeRecord(TaskRecord(task: task, plan: plan), experiment: plan.spec.name, taskKey: key)
      return TaskResult(key: key, hash: task.hash, status: .cached, seconds: 0, error: nil, outputs: outputs)
    }
    if let only = options.onlyTasks, !only.contains(key) {
      return result(.skipped, RunError(.missingInput, "task \(key) is not selected", range: task.span.range))
    }
    guard let inputs else {
      return result(
        .skipped,
        RunError(
          .missingInput, "task \(key) was not run because a task it reads did not complete", range: task.span.range))
    }
    if options.stop.isSet {
      return result(.skipped, RunError(.cancelled, "run stopped before task \(key) started", range: task.span.range))
    }
    do {
      if options.force || !options.resume { try store.reset(task.hash) }
      try store.prepareTask(hash: task.hash, record: TaskRecord(task: task, plan: plan))
      let backend: any Backend
      do {
        backend = try Backends.make(name: plan.backend, threads: threads, libraryPath: options.blasLibraryPath)
      } catch {
        throw RunError(.invalidTask, "cannot start backend '\(plan.backend)': \(error)", cause: error)
      }
      let context = TaskContext(
        store: store, task: task,
        stamp: Checkpoint.Stamp(specHash: task.hash, toolVersion: options.toolVersion, backend: plan.backend),
        options: options, backend: backend, inputs: inputs, emit: onEvent)
      var outputs = try StageRunner(context: context, plan: plan).run()
      outputs.seconds = Date().timeIntervalSince(start)
      try store.writeOutputs(outputs)
      try? store.writeRecord(TaskRecord(task: task, plan: plan), experiment: plan.spec.name, taskKey: key)
      return result(.completed, nil, outputs)
    } catch let error as RunError {
      let located = error.at(task.span.range)
      return result(error.code == .cancelled ? .cancelled : .failed, located)
    } catch {
      return result(
        .failed, RunError(.invalidTask, "task \(key) failed: \(error)", cause: error, range: task.span.range))
    }
  }

  /// The plan as a JSON value for the manifest.
  static func planJSON(_ plan: Plan) throws -> JSONValue {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    do {
      let data = try encoder.encode(plan)
      return try JSONValue.parse(String(decoding: data, as: UTF8.self))
    } catch {
      throw RunError(.io, "cannot record the plan in the manifest", cause: error)
    }
  }

  /// The plan recorded in a manifest.
  public static func plan(from manifest: RunManifest) throws -> Plan {
    do { return try JSONDecoder().decode(Plan.self, from: Data(manifest.plan.canonical.utf8)) } catch {
      throw RunError(
        .corruptStore, "the plan recorded in run \(manifest.runID) cannot be read", cause: error,
        path: "runs/\(manifest.runID)/manifest.json")
    }
  }

  /// `uname` and CPU count, for the manifest.
  static func machine() -> [String: JSONValue] {
    var u = utsname()
    uname(&u)
    func text<T>(_ field: T) -> String {
      withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
    return [
      "system": .string(text(u.sysname)), "release": .string(text(u.release)), "machine": .string(text(u.machine)),
      "hostname": .string(text(u.nodename)), "cpus": .int(ProcessInfo.processInfo.activeProcessorCount),
    ]
  }
}

/// The shared state of the worker pool: which tasks are taken, which are done and how.
private final class SchedulerState: @unchecked Sendable {
  private let plan: Plan
  private let condition = NSCondition()
  private var taken: [Bool]
  private var done: [TaskResult?]
  private let indexByKey: [TaskKey: Int]

  init(plan: Plan) {
    self.plan = plan
    taken = Array(repeating: false, count: plan.tasks.count)
    done = Array(repeating: nil, count: plan.tasks.count)
    var map: [TaskKey: Int] = [:]
    for (i, t) in plan.tasks.enumerated() { map[t.key] = i }
    indexByKey = map
  }

  /// The first untaken task in plan order whose inputs are all done; waits while only blocked tasks remain;
  /// nil when everything is taken.
  func next() -> Int? {
    condition.lock()
    defer { condition.unlock() }
    while true {
      var anyUntaken = false
      for i in plan.tasks.indices where !taken[i] {
        anyUntaken = true
        let ready = plan.tasks[i].inputs.allSatisfy { key in indexByKey[key].map { done[$0] != nil } ?? true }
        if ready {
          taken[i] = true
          return i
        }
      }
      if !anyUntaken { return nil }
      condition.wait()
    }
  }

  /// Outputs of a task's inputs by key text, or nil when one of them did not complete.
  func inputOutputs(of task: PlanTask) -> [String: TaskOutputs]? {
    condition.lock()
    defer { condition.unlock() }
    var out: [String: TaskOutputs] = [:]
    for key in task.inputs {
      guard let i = indexByKey[key] else { return nil }
      guard let outputs = done[i]?.outputs else { return nil }
      out[key.description] = outputs
    }
    return out
  }

  func finish(_ index: Int, _ result: TaskResult) {
    condition.lock()
    done[index] = result
    condition.broadcast()
    condition.unlock()
  }

  func results() -> [TaskResult] {
    condition.lock()
    defer { condition.unlock() }
    return done.enumerated().map { i, r in
      r ?? TaskResult(key: plan.tasks[i].key.description, hash: plan.tasks[i].hash, status: .skipped, seconds: 0)
    }
  }
}
