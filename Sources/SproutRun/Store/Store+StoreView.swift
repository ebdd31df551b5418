import Foundation
import SproutPlanner

extension Store {
  /// The planner's read-only view of this store for one experiment (task keys such as `t0003/train` are
  /// only meaningful within the experiment that named them, so records are kept per experiment name).
  public func view(experiment: String) -> StoreSnapshot { StoreSnapshot(store: self, experiment: experiment) }

  /// Where the last completed record of a task key lives: `keys/<experiment>/<trial>/<stage>.json`.
  func recordPath(experiment: String, taskKey: String) -> String {
    let safe = { (s: String) in String(s.map { $0 == "/" || $0 == "\0" ? "_" : $0 }) }
    let name = safe(experiment.isEmpty ? "_" : experiment)
    guard let key = TaskKey(taskKey) else { return "\(root)/keys/\(name)/\(safe(taskKey)).json" }
    return "\(root)/keys/\(name)/\(safe(key.trial))/\(safe(key.stage)).json"
  }

  /// Remembers that `task` completed, for the planner's stale/cached reasons and `--explain`.
  public func writeRecord(_ record: TaskRecord, experiment: String, taskKey: String) throws {
    let path = recordPath(experiment: experiment, taskKey: taskKey)
    try AtomicFile.makeDirectory(AtomicFile.parent(of: path))
    try AtomicFile.write(Self.encodeJSON(record), to: path)
  }

  /// The record of the last completed run of a task key, or nil.
  public func record(experiment: String, taskKey: String) -> TaskRecord? {
    guard let bytes = try? AtomicFile.read(recordPath(experiment: experiment, taskKey: taskKey)) else { return nil }
    return try? JSONDecoder().decode(TaskRecord.self, from: Data(bytes))
  }

  /// A Codable value as sorted, indented JSON text.
  static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    do { return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n" } catch {
      throw RunError(.io, "cannot encode \(T.self) as JSON", cause: error)
    }
  }
}

/// `SproutPlanner.StoreView` over the on-disk store: the planner learns which hashes are complete and what
/// each task key last ran with, and nothing else.
public struct StoreSnapshot: StoreView, Sendable {
  /// The store.
  public let store: Store
  /// The experiment whose task keys are looked up.
  public let experiment: String

  /// True when the task's `outputs.json` exists and parses.
  public func hasOutputs(hash: String) -> Bool { store.isComplete(hash) }

  /// The record left by the last completed run of the key.
  public func lastRecord(taskKey: String) -> TaskRecord? { store.record(experiment: experiment, taskKey: taskKey) }
}
