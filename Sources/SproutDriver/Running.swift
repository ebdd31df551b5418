import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutResults
import SproutRun
import SproutTrain

/// What `sprout run` asks for.
public struct RunRequest: Sendable {
  /// Planning options (spec path, overrides, backend, selection, force, store).
  public var plan: PlanRequest
  /// `--jobs N`.
  public var jobs = 1
  /// `--threads N` per task (nil: the executor decides).
  public var threads: Int?
  /// `--resume` (continue incomplete tasks; the default) or start them over.
  public var resume = true
  /// `--blas-library PATH` (or `SPROUT_CBLAS`).
  public var blasLibrary: String?
  /// `--plan FILE --task K`: execute one task of a saved plan.
  public var planFile: String?
  /// The task key for `--plan`.
  public var task: String?
  /// `--run-id ID` with `--plan`: record the task into run ID (made by `sprout submit`) instead of a new run.
  public var existingRun: String?
  /// `--tag NAME`: labels recorded with the run (`sprout runs --tag NAME` finds it).
  public var tags: [String] = []

  /// Creates a request.
  public init(plan: PlanRequest) { self.plan = plan }
}

/// The result of `sprout run`.
public struct RunOutcome: Sendable {
  /// Diagnostics of the front end (and of runtime failures, located at their stage).
  public var diagnostics: [Diagnostic]
  /// Source texts for rendering them.
  public var sources: [String: String]
  /// The executor's summary, when the spec was valid and the run started.
  public var summary: RunSummary?

  /// 0 when every selected task completed or was cached, 1 otherwise (errors, failed or cancelled tasks, or
  /// tasks skipped because an input did not complete). The CLI turns a run stopped by a signal into 128 + the
  /// signal (``StopSignals/exitCode(normal:stopped:)`` with ``stopped``).
  public var exitCode: Int32 {
    guard let summary, !diagnostics.contains(where: { $0.severity == .error }) else { return 1 }
    let asked = summary.results.filter { selected?.contains($0.key) ?? true }
    return asked.allSatisfy(\.status.isSuccess) ? 0 : 1
  }

  /// The task keys asked for (`--plan … --task K`); nil for every task of the plan.
  public var selected: Set<String>?

  /// Whether a stop request left work undone: a task stopped at a checkpoint or skipped because the run was
  /// stopping (true as well when the stop came before any task could start).
  public var stopped: Bool {
    guard let summary else { return true }
    return summary.results.contains {
      $0.status == .cancelled || ($0.status == .skipped && $0.error?.code == .cancelled)
    }
  }
}

/// Problems that stop `sprout run`, `rerun` or `show` before anything runs (exit code 2).
public struct CommandError: Error, CustomStringConvertible, Sendable {
  /// What went wrong.
  public var description: String
  /// Creates an error.
  public init(_ description: String) { self.description = description }
}

/// `sprout run`, `sprout rerun` and `sprout show`.
public enum Running {
  /// Plans and executes a spec (or one task of a saved plan), reporting progress through `onEvent`.
  public static func run(
    _ request: RunRequest, stop: StopFlag, onEvent: @escaping @Sendable (RunEvent) -> Void
  ) throws -> RunOutcome {
    Languages.registerCatalogs()
    let store = Store(root: request.plan.store)
    var options = ExecutorOptions(
      jobs: request.jobs, force: request.plan.force, resume: request.resume, threadsPerTask: request.threads,
      blasLibraryPath: request.blasLibrary ?? ProcessInfo.processInfo.environment["SPROUT_CBLAS"],
      toolVersion: Tool.version, stop: stop)

    if let planFile = request.planFile {
      guard let key = request.task else { throw CommandError("--plan needs --task TASK (a task key from the plan)") }
      var plan: Plan
      do { plan = try Plan.load(from: URL(fileURLWithPath: planFile)) } catch {
        throw CommandError("cannot load plan '\(planFile)': \(error)")
      }
      guard plan.tasks.contains(where: { $0.key.description == key }) else {
        let keys = plan.tasks.prefix(5).map(\.key.description).joined(separator: ", ")
        throw CommandError("no task '\(key)' in plan '\(planFile)' (tasks: \(keys)\(plan.tasks.count > 5 ? ", …" : ""))")
      }
      // Only the task and what it reads: the other tasks of the plan are other processes' business (and a
      // job of a 10,000-task plan checks a handful of hashes, not all of them).
      plan.tasks = Self.closure(of: key, in: plan.tasks)
      let tampered = plan.verifyHashes()
      guard tampered.isEmpty else {
        throw CommandError(
          "plan '\(planFile)' was modified: hashes do not match for \(tampered.map(\.description).joined(separator: ", "))")
      }
      options.onlyTasks = [key]
      var specText = ""
      var runID: String
      if let run = request.existingRun {
        guard AtomicFile.exists(store.runDirectory(run)) else {
          throw CommandError("no run '\(run)' in store '\(store.root)' (--run-id names a run made by `sprout submit`)")
        }
        options.existingRun = run
        runID = run
      } else {
        specText = (try? String(contentsOfFile: plan.spec.path, encoding: .utf8)) ?? ""
        runID = try label(store: store, specPath: plan.spec.path, tags: request.tags)
      }
      let summary = try Executor(store: store, options: options).run(
        plan: plan, specPath: plan.spec.path, specText: specText, runID: runID, onEvent: onEvent)
      if request.existingRun == nil { index(summary.runID, store: store, onEvent: onEvent) }
      // The failure as a diagnostic (code, stage position in the spec): the one place a job's log names it.
      let sources = (try? String(contentsOfFile: plan.spec.path, encoding: .utf8)).map { [plan.spec.path: $0] } ?? [:]
      return RunOutcome(
        diagnostics: summary.failed.compactMap { $0.error?.diagnostic }, sources: sources, summary: summary,
        selected: [key])
    }

    let outcome = try Planning.plan(request.plan)
    guard let plan = outcome.plan else {
      return RunOutcome(diagnostics: outcome.front.diagnostics.sorted, sources: outcome.front.sources, summary: nil)
    }
    let runID = try label(store: store, specPath: request.plan.path, tags: request.tags)
    let summary = try Executor(store: store, options: options).run(
      plan: plan, specPath: request.plan.path, specText: outcome.front.text, runID: runID, onEvent: onEvent)
    index(summary.runID, store: store, onEvent: onEvent)
    return RunOutcome(
      diagnostics: outcome.front.diagnostics.sorted + summary.failed.compactMap { $0.error?.diagnostic },
      sources: outcome.front.sources, summary: summary)
  }

  /// The task with key `key` and every task it reads, directly or not, in plan order.
  static func closure(of key: String, in tasks: [PlanTask]) -> [PlanTask] {
    var needed: Set<TaskKey> = []
    var frontier = TaskKey(key).map { [$0] } ?? []
    let byKey = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0) })
    while let next = frontier.popLast() {
      guard needed.insert(next).inserted, let task = byKey[next] else { continue }
      frontier += task.inputs
    }
    return tasks.filter { needed.contains($0.key) }
  }

  /// A new run id, with the run's labels (tags, the spec's git commit) written beside where its manifest will be.
  static func label(store: Store, specPath: String, tags: [String]) throws -> String {
    let runID = Store.newRunID()
    let git = RunLabels.gitState(of: specPath)
    let labels = RunLabels(tags: tags, gitCommit: git?.commit, gitDirty: git?.dirty ?? false)
    if !labels.tags.isEmpty || labels.gitCommit != nil { try labels.write(store: store, runID: runID) }
    return runID
  }

  /// Records a finished run in the store's index (one transaction). The store stays the source of truth: a
  /// failure here is a warning, and `sprout index --rebuild` recreates the index.
  static func index(_ runID: String, store: Store, onEvent: @Sendable (RunEvent) -> Void) {
    do { try RunIndex(store: store).record(runID: runID) } catch {
      onEvent(.warning(key: nil, message: "the run index was not updated (\(error)); `sprout index --rebuild` recreates it", path: nil))
    }
  }

  /// `sprout rerun RUN`: replays a recorded run into a scratch store and compares every output.
  ///
  /// The replay writes a scratch store in the system's temporary folder, removed when the comparison is done
  /// (also when it fails) unless `keep`.
  public static func rerun(
    _ run: String, storePath: String, jobs: Int = 1, keep: Bool = false,
    onEvent: @escaping @Sendable (RunEvent) -> Void
  ) throws -> Rerun.Report {
    let store = try openStore(storePath)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-rerun-\(UUID().uuidString)")
    defer {
      if !keep && FileManager.default.fileExists(atPath: scratch.path) {
        do { try FileManager.default.removeItem(at: scratch) } catch {
          Terminal.write(
            "sprout: warning: cannot remove the scratch store '\(scratch.path)': \(error)\n", to: .standardError)
        }
      }
    }
    var report = try Rerun.run(
      run, store: store, scratch: Store(root: scratch.path), options: ExecutorOptions(jobs: jobs), onEvent: onEvent)
    report.scratchKept = keep
    return report
  }

  /// `sprout verify RUN`: every file of the run's completed tasks re-read and checked, nothing retrained.
  public static func verify(_ run: String, storePath: String) throws -> Verification.Report {
    try Verification.run(run, store: openStore(storePath))
  }

  /// The store at `path`, or a `CommandError` when there is none (exit code 2).
  public static func openStore(_ path: String) throws -> Store {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw CommandError("no store at '\(path)' (run `sprout run SPEC` first, or pass --store DIR)")
    }
    return Store(root: path)
  }
}
