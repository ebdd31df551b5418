import SproutDiagnostics
import SproutPlanner
import SproutTensor

/// What one task's runner needs besides its own definition: where to write, who it is, how to report.
struct TaskContext {
  /// The store.
  let store: Store
  /// The run this task executes in (its TensorBoard logs go under `<store>/tensorboard/<run id>`).
  let runID: String
  /// The plan task.
  let task: PlanTask
  /// The stamp written into checkpoints and required of any checkpoint resumed from.
  let stamp: Checkpoint.Stamp
  /// Executor options (stop flag, resume, progress interval).
  let options: ExecutorOptions
  /// The backend the task computes on.
  let backend: any Backend
  /// Outputs of the tasks this task reads, by task key text.
  let inputs: [String: TaskOutputs]
  /// Event sink.
  let emit: @Sendable (RunEvent) -> Void

  var key: String { task.key.description }
  var hash: String { task.hash }
  /// The spec range of the stage: errors at run time point here.
  var range: SourceRange { task.span.range }

  /// A `RunError` pointing at the stage.
  func error(_ code: RunError.Code, _ message: String, cause: (any Error)? = nil, path: String? = nil) -> RunError {
    RunError(code, message, cause: cause, range: range, path: path)
  }
}
