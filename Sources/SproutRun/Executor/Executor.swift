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

  /// Runs `plan`, writing a manifest under `runs/<run-id>/` (or, with `options.existingRun`, one status file
  /// per task of that run), and returns every task's result.
  ///
  /// Before running a task the executor claims it (``TaskClaim``); a task another process holds is put back and
  /// tried again later, after the other tasks that are ready, so processes sharing the store split the work
  /// and none trains a task another is training.
  ///
  /// Task failures do not throw: they are results (and events). Throws only when the manifest cannot be
  /// written.
  /// - Parameters:
  ///   - specPath: the spec's path, as recorded in the manifest.
  ///   - specText: the spec's text, recorded so `rerun` needs only the store.
  ///   - runID: the id to use (default: a new time-based id whose directory is created exclusively).
  public func run(
    plan: Plan, specPath: String? = nil, specText: String, runID: String? = nil,
    onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) throws -> RunSummary {
    let started = Date()
    let state = SchedulerState(plan: plan, stop: options.stop, selected: options.onlyTasks)
    let existing = options.existingRun
    let runID = try existing ?? runID ?? store.reserveRunID(date: started)
    let manifest = RunManifest(
      runID: runID, specPath: specPath ?? plan.spec.path, specText: specText,
      // A task of an existing run writes no manifest, so it skips encoding the whole plan.
      plan: existing == nil ? try Self.planJSON(plan) : .null,
      toolVersion: options.toolVersion, backend: plan.backend, jobs: options.jobs, machine: Self.machine(),
      started: ISO8601DateFormatter().string(from: started),
      tasks: plan.tasks.map {
        RunManifest.TaskEntry(
          key: $0.key.description, hash: $0.hash, trial: $0.key.trial, stage: $0.stage, kind: $0.kind,
          status: "pending")
      })
    let recorder = RunRecorder(
      store: store, manifest: manifest, existingRun: existing != nil, selected: options.onlyTasks, started: started)
    try recorder.begin()
    onEvent(.runStarted(runID: runID, tasks: plan.tasks.count))

    let threads = options.threadsPerTask ?? (options.jobs == 1 ? ProcessInfo.processInfo.activeProcessorCount : 1)
    let committer = GroupCommitter(store: store)
    DispatchQueue.concurrentPerform(iterations: min(options.jobs, max(plan.tasks.count, 1))) { _ in
      while let index = state.next() {
        let task = plan.tasks[index]
        let attempt = execute(
          task, plan: plan, runID: runID, threads: threads, inputs: state.inputOutputs(of: task),
          unchosen: state.unchosen(task),
          onStart: { recorder.update(index) { $0.status = "running" } }, onEvent: onEvent)
        switch attempt {
        case .finished(let result):
          recorder.update(index) { $0 = entry(task, result) }
          state.finish(index, result)
        case .committing(let commit):
          // The task is done once its commit is durable: the committer publishes it with others and finishes it
          // there, while this worker goes on (GroupCommitter).
          committer.submit(commit.staged) { error in
            commit.claim.release()
            let result = Self.finished(
              task, error.map { .failed($0.at(task.span.range)) } ?? .completed(commit.outputs),
              seconds: commit.seconds, onEvent: onEvent)
            recorder.update(index) { $0 = entry(task, result) }
            state.finish(index, result)
          }
        case .claimedElsewhere(let holder):
          let who = holder.map { "being run by \($0)" } ?? "being run by another process"
          let key = task.key.description
          let path = store.claimPath(task.hash)
          switch state.deferTask(index) {
          case .movingOn: onEvent(.warning(key: key, message: "\(who); moving on to other tasks", path: path))
          case .waiting: onEvent(.warning(key: key, message: "\(who); waiting for it", path: path))
          case .again: break
          }
        }
      }
    }
    committer.finish()
    let final = try recorder.finish()
    let results = state.results()
    onEvent(
      .runFinished(runID: runID, seconds: final.seconds, failed: results.filter { $0.status == .failed }.count))
    return RunSummary(runID: runID, manifest: final, results: results)
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

  /// What became of an attempt to run a task.
  private enum Attempt {
    /// It ran, was cached, failed, stopped or was skipped.
    case finished(TaskResult)
    /// It ran, and its commit is staged: the task completes when the commit is published (``GroupCommitter``).
    case committing(Commit)
    /// Another process holds its claim (who, when known); nothing was done.
    case claimedElsewhere(TaskClaim.Holder?)
  }

  /// A task that ran and waits for its commit: the staged files, its outputs, its claim (held until the commit is
  /// published, so no other process runs the task or removes its temporaries meanwhile) and the seconds it ran
  /// (the wait for the shared sync is not the task's).
  private struct Commit: Sendable {
    let staged: Store.StagedCommit
    let outputs: TaskOutputs
    let claim: TaskClaim
    let seconds: Double
  }

  /// How a task that ran ended, once its commit was published or failed.
  private enum Ending {
    case completed(TaskOutputs)
    case failed(RunError)
  }

  /// The result of a task whose commit ended, reported as `execute` reports the others.
  private static func finished(
    _ task: PlanTask, _ ending: Ending, seconds: Double, onEvent: @Sendable (RunEvent) -> Void
  ) -> TaskResult {
    let key = task.key.description
    switch ending {
    case .completed(let outputs):
      onEvent(.taskFinished(key: key, status: .completed, seconds: seconds, error: nil))
      return TaskResult(key: key, hash: task.hash, status: .completed, seconds: seconds, error: nil, outputs: outputs)
    case .failed(let error):
      onEvent(.taskFinished(key: key, status: .failed, seconds: seconds, error: error))
      return TaskResult(key: key, hash: task.hash, status: .failed, seconds: seconds, error: error, outputs: nil)
    }
  }

  /// Runs one task (or recognises it as cached) and never throws: failures become results. `onStart` is
  /// called once the task is claimed, before it runs.
  private func execute(
    _ task: PlanTask, plan: Plan, runID: String, threads: Int, inputs: [String: TaskOutputs]?, unchosen: String?,
    onStart: () -> Void,
    onEvent: @escaping @Sendable (RunEvent) -> Void
  ) -> Attempt {
    let key = task.key.description
    let start = Date()
    func result(_ status: TaskStatus, _ error: RunError? = nil, _ outputs: TaskOutputs? = nil) -> Attempt {
      let seconds = status == .cached ? 0 : Date().timeIntervalSince(start)
      onEvent(.taskFinished(key: key, status: status, seconds: seconds, error: error))
      return .finished(
        TaskResult(key: key, hash: task.hash, status: status, seconds: seconds, error: error, outputs: outputs))
    }
    func cached() -> Attempt? {
      // An unreadable outputs.json is not a result: the task runs again and rewrites it.
      guard !options.force, let outputs = try? store.outputs(task.hash) else { return nil }
      onEvent(.taskCached(key: key, hash: task.hash))
      // The key record only feeds `plan`'s stale reasons and `--explain`; failing to write it loses no result.
      try? store.writeRecord(TaskRecord(task: task, plan: plan), experiment: plan.spec.name, taskKey: key)
      return .finished(TaskResult(key: key, hash: task.hash, status: .cached, seconds: 0, error: nil, outputs: outputs))
    }
    if let unchosen {
      return result(.notChosen, RunError(.notChosen, "task \(key) did not run: \(unchosen)", range: task.span.range))
    }
    if let done = cached() { return done }
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
    // The claim: no other process trains this task while this one does (and none removes its temporaries).
    let claim: TaskClaim
    do {
      switch try TaskClaim.attempt(store: store, hash: task.hash) {
      case .busy(let holder): return .claimedElsewhere(holder)
      case .claimed(let held): claim = held
      }
    } catch let error as RunError {
      return result(.failed, error.at(task.span.range))
    } catch {
      return result(.failed, RunError(.io, "cannot claim task \(key): \(error)", cause: error, range: task.span.range))
    }
    // Released when this returns, unless the task's commit is staged: then when the commit ends.
    var claimHandedOff = false
    defer { if !claimHandedOff { claim.release() } }
    // The process that held the claim before may have completed the task since the check above.
    if let done = cached() { return done }
    onStart()
    do {
      if options.force || !options.resume { try store.reset(task.hash) }
      let recordText = try store.prepareTask(hash: task.hash, record: TaskRecord(task: task, plan: plan))
      let backend: any Backend
      do {
        backend = try Backends.make(name: plan.backend, threads: threads, libraryPath: options.blasLibraryPath)
      } catch {
        throw RunError(.invalidTask, "cannot start backend '\(plan.backend)': \(error)", cause: error)
      }
      let context = TaskContext(
        store: store, runID: runID, task: task,
        stamp: Checkpoint.Stamp(specHash: task.hash, toolVersion: options.toolVersion, backend: plan.backend),
        options: options, backend: backend, inputs: inputs, emit: onEvent)
      var outputs = try StageRunner(context: context, plan: plan).run()
      outputs.seconds = Date().timeIntervalSince(start)
      // One durable step for everything the task wrote, then outputs.json (Store.commitTask, in groups); the key
      // record (see cached()) rides along, optional: the same text as task.json.
      let staged = try store.stageCommit(outputs, keyRecord: (plan.spec.name, key, recordText, true))
      claimHandedOff = true
      return .committing(
        Commit(staged: staged, outputs: outputs, claim: claim, seconds: Date().timeIntervalSince(start)))
    } catch let error as RunError {
      let located = error.at(task.span.range)
      return result(error.code == .cancelled ? .cancelled : .failed, located)
    } catch {
      return result(
        .failed, RunError(.invalidTask, "task \(key) failed: \(error)", cause: error, range: task.span.range))
    }
  }

  /// The plan as a JSON value for the manifest.
  public static func planJSON(_ plan: Plan) throws -> JSONValue {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    do {
      let data = try encoder.encode(plan)
      return try JSONValue.parse(bytes: data)
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
  public static func machine() -> [String: JSONValue] {
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
