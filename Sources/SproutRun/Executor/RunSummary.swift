/// How one task of a run ended.
public struct TaskResult: Sendable {
  /// The plan's task key (`t0003/train`).
  public var key: String
  /// The task's content hash.
  public var hash: String
  /// How it ended.
  public var status: TaskStatus
  /// Seconds spent on it in this run.
  public var seconds: Double
  /// The error, when failed, cancelled or skipped for a reason.
  public var error: RunError?
  /// Its outputs record, when complete.
  public var outputs: TaskOutputs?
}

/// The result of `Executor.run`: the manifest written and every task's result in plan order.
public struct RunSummary: Sendable {
  /// The run id (`runs/<id>/manifest.json`).
  public var runID: String
  /// The manifest as written at the end of the run.
  public var manifest: RunManifest
  /// Per task, in plan order.
  public var results: [TaskResult]

  /// Tasks that failed.
  public var failed: [TaskResult] { results.filter { $0.status == .failed } }
  /// True when every task completed, was cached or was not chosen by a select.
  public var succeeded: Bool { results.allSatisfy(\.status.isSuccess) }
  /// True when the stop flag interrupted the run.
  public var cancelled: Bool { results.contains { $0.status == .cancelled } }
}
