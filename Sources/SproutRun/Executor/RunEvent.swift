import SproutDiagnostics
import SproutTrain

/// Progress of a run, delivered to the caller's callback (the CLI renders bars on a terminal and plain
/// lines otherwise). SproutRun itself never prints.
///
/// Events of one task arrive in order; events of different tasks interleave when `jobs > 1`.
public enum RunEvent: Sendable {
  /// The run started: its id and the number of tasks in the plan.
  case runStarted(runID: String, tasks: Int)
  /// A task is already complete in the store and is skipped.
  case taskCached(key: String, hash: String)
  /// A task started; `totalSteps` is its step count (0 for tasks that do not train).
  case taskStarted(key: String, hash: String, totalSteps: Int)
  /// A task continues from a checkpoint instead of from the beginning.
  case taskResumed(key: String, step: Int, checkpoint: String)
  /// Training reached a recorded step (sent with every metric record after step 0); `loss` is nil when the
  /// stage does not compute it at that step.
  case progress(key: String, step: Int, totalSteps: Int, loss: Float?, stepsPerSecond: Double)
  /// A checkpoint file was written.
  case checkpointWritten(key: String, step: Int, path: String)
  /// Something worth telling the user that does not stop the task (a corrupt checkpoint skipped, ...).
  case warning(key: String?, message: String, path: String?)
  /// A task finished with a status.
  case taskFinished(key: String, status: TaskStatus, seconds: Double, error: RunError?)
  /// The run finished.
  case runFinished(runID: String, seconds: Double, failed: Int)
}

/// How a task ended in this run.
public enum TaskStatus: String, Sendable, Hashable, CaseIterable {
  /// Ran to completion in this run.
  case completed
  /// Already complete in the store; not run.
  case cached
  /// Stopped with an error.
  case failed
  /// Stopped by the stop flag after writing a checkpoint.
  case cancelled
  /// Not run because a task it reads failed, or the run was stopped first.
  case skipped
  /// Not run because a select stage chose another candidate (the task's gate did not hold). Not a failure.
  case notChosen = "not_chosen"

  /// True for the outcomes of a run that went as planned: completed, cached or not chosen.
  public var isSuccess: Bool {
    switch self {
    case .completed, .cached, .notChosen: true
    case .failed, .cancelled, .skipped: false
    }
  }
}

/// Options of an executor run (the CLI's `--jobs`, `--force`, `--resume`, ...).
public struct ExecutorOptions: Sendable {
  /// Tasks run at once (`--jobs N`, at least 1).
  public var jobs: Int
  /// Re-execute tasks even when complete in the store (`--force`).
  public var force: Bool
  /// Continue incomplete tasks from their last valid checkpoint (default; `false` starts them over).
  public var resume: Bool
  /// Backend threads per task. nil: all cores when `jobs == 1`, else 1 per task. Results do not depend on
  /// it (the backends partition work by output element), only speed does.
  public var threadsPerTask: Int?
  /// The CBLAS library for the `blas` backend, if not the default.
  public var blasLibraryPath: String?
  /// The `sprout` version stamped into checkpoints and manifests.
  public var toolVersion: String
  /// Only run tasks whose key is in this set (nil: all); others count as skipped unless cached.
  public var onlyTasks: Set<String>?
  /// Set by the CLI on SIGINT or SIGTERM (`stop.set()`); running tasks write a checkpoint and stop, queued ones
  /// are skipped.
  public var stop: StopFlag
  /// Sets `stop` once a training task has run this many steps in this run (how tests interrupt a run at a
  /// chosen step; with `jobs > 1` it stops every task, as Ctrl-C would).
  public var stopAfterSteps: Int?
  /// Record into this existing run (one made by `sprout submit`), one status file per task under
  /// `runs/<id>/tasks/`, instead of starting a run of its own with a manifest (nil).
  public var existingRun: String?

  /// Creates options.
  public init(
    jobs: Int = 1, force: Bool = false, resume: Bool = true, threadsPerTask: Int? = nil,
    blasLibraryPath: String? = nil, toolVersion: String = SproutVersion.current, onlyTasks: Set<String>? = nil,
    stop: StopFlag = StopFlag(), stopAfterSteps: Int? = nil
  ) {
    self.jobs = max(1, jobs)
    self.force = force
    self.resume = resume
    self.threadsPerTask = threadsPerTask
    self.blasLibraryPath = blasLibraryPath
    self.toolVersion = toolVersion
    self.onlyTasks = onlyTasks
    self.stop = stop
    self.stopAfterSteps = stopAfterSteps
  }
}

/// The version of the run format and tool, stamped into checkpoints and manifests.
public enum SproutVersion {
  /// The current `sprout` version.
  public static let current = "0.1.0"
}
