import Foundation
import SproutDiagnostics

/// The status of one task of a run whose tasks run as separate processes (`sprout submit`):
/// `runs/<run-id>/tasks/<trial>/<stage>.json`, written by the process running the task when it starts and when
/// it ends. One file per task, so concurrent processes never rewrite a shared file.
public struct TaskStatusRecord: Hashable, Sendable {
  /// The task's entry, as in a manifest (status, error, seconds, checkpoints, metrics).
  public var entry: RunManifest.TaskEntry
  /// The process that wrote it (pid, host, Slurm job).
  public var holder: TaskClaim.Holder
  /// When it was written (ISO 8601, UTC).
  public var updated: String

  /// Creates a record stamped now.
  public init(entry: RunManifest.TaskEntry, holder: TaskClaim.Holder, updated: Date = Date()) {
    self.entry = entry
    self.holder = holder
    self.updated = ISO8601DateFormatter().string(from: updated)
  }

  /// The JSON form: the manifest entry's fields plus `pid`, `host`, `job` and `updated`.
  public var json: JSONValue {
    guard case .object(var o) = entry.json else { return entry.json }
    o["pid"] = .int(holder.pid)
    o["host"] = .string(holder.host)
    if let job = holder.job { o["job"] = .string(job) }
    o["updated"] = .string(updated)
    return .object(o)
  }

  /// Reads the JSON form; nil when a field is missing.
  public init?(json: JSONValue) {
    guard let entry = RunManifest.TaskEntry(json: json), let holder = TaskClaim.Holder(json: json) else { return nil }
    self.entry = entry
    self.holder = holder
    updated = json["updated"]?.stringValue ?? ""
  }
}

extension Store {
  /// `runs/<run>/tasks/<trial>/<stage>.json`.
  public func taskStatusPath(run: String, key: String) -> String {
    "\(runDirectory(run))/tasks/\(key).json"
  }

  /// Writes a task's status file atomically.
  public func writeTaskStatus(_ record: TaskStatusRecord, run: String) throws {
    let path = taskStatusPath(run: run, key: record.entry.key)
    try AtomicFile.makeDirectory(AtomicFile.parent(of: path))
    try AtomicFile.write(record.json.pretty() + "\n", to: path)
  }

  /// The status file of a task of a run, if present and readable.
  public func taskStatus(run: String, key: String) -> TaskStatusRecord? {
    // Status files are written atomically by the job running the task; none (or none readable) leaves the task
    // as the submitted manifest has it (pending), and its results are read from the task's own files.
    guard let bytes = try? AtomicFile.read(taskStatusPath(run: run, key: key)),
      let json = try? JSONValue.parse(bytes: bytes)
    else { return nil }
    return TaskStatusRecord(json: json)
  }
}
