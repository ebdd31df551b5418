import Foundation
import SproutPlanner

extension Store {
  /// The planner's read-only view of this store for one experiment (task keys such as `t0003/train` are
  /// only meaningful within the experiment that named them, so records are kept per experiment name).
  public func view(experiment: String) -> StoreSnapshot { StoreSnapshot(store: self, experiment: experiment) }

  /// A view for one planning pass (``ListedStoreView``): the task and key directories are listed once, so a plan of
  /// a million tasks does not look for a million files that are not there.
  public func listedView(experiment: String) -> ListedStoreView {
    ListedStoreView(snapshot: view(experiment: experiment))
  }

  /// The directory holding an experiment's task-key records, one file per task key.
  func keysDirectory(experiment: String) -> String {
    "\(root)/keys/\(Self.safeName(experiment.isEmpty ? "_" : experiment))"
  }

  /// A name as one path component.
  static func safeName(_ s: String) -> String { String(s.map { $0 == "/" || $0 == "\0" ? "_" : $0 }) }

  /// Where the last completed record of a task key lives: `keys/<experiment>/<trial>.<stage>.json` (stage names
  /// have no dots). One file per key in one folder: a folder per trial cost a directory (an inode and a block) per
  /// trial of a sweep. Stores written before keep `keys/<experiment>/<trial>/<stage>.json`
  /// (``legacyRecordPath(experiment:taskKey:)``), which is read when the new name is absent.
  func recordPath(experiment: String, taskKey: String) -> String {
    let keys = keysDirectory(experiment: experiment)
    guard let key = TaskKey(taskKey) else { return "\(keys)/\(Self.safeName(taskKey)).json" }
    return "\(keys)/\(Self.safeName(key.trial)).\(Self.safeName(key.stage)).json"
  }

  /// The record's path in stores written before the flat layout: one folder per trial.
  func legacyRecordPath(experiment: String, taskKey: String) -> String? {
    guard let key = TaskKey(taskKey) else { return nil }
    return "\(keysDirectory(experiment: experiment))/\(Self.safeName(key.trial))/\(Self.safeName(key.stage)).json"
  }

  /// The trial a name in an experiment's keys folder belongs to: `<trial>.<stage>.json` or, in older stores, the
  /// trial's folder `<trial>`.
  static func trial(ofKeyEntry name: String) -> String {
    guard name.hasSuffix(".json") else { return name }
    let stem = name.dropLast(5)
    guard let dot = stem.lastIndex(of: ".") else { return String(stem) }
    return String(stem[..<dot])
  }

  /// Remembers that `task` completed, for the planner's stale/cached reasons and `--explain`.
  public func writeRecord(_ record: TaskRecord, experiment: String, taskKey: String) throws {
    let path = recordPath(experiment: experiment, taskKey: taskKey)
    try AtomicFile.makeDirectory(AtomicFile.parent(of: path))
    try AtomicFile.write(Self.recordText(record), to: path)
  }

  /// The record of the last completed run of a task key, or nil.
  public func record(experiment: String, taskKey: String) -> TaskRecord? {
    // Feeds only `plan`'s stale reasons: without a readable record a task is explained as new, and still runs.
    var bytes = try? AtomicFile.readIfPresent(recordPath(experiment: experiment, taskKey: taskKey))
    if bytes == nil, let legacy = legacyRecordPath(experiment: experiment, taskKey: taskKey) {
      bytes = try? AtomicFile.readIfPresent(legacy)
    }
    guard let found = bytes else { return nil }
    return try? JSONDecoder().decode(TaskRecord.self, from: Data(found))
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

/// The planner's view of the store for one planning pass: `tasks/` and the experiment's `keys/` folder are listed
/// when the view is made, and a hash or trial missing from the listing is answered without touching the disk; the
/// rest is asked of the store as ``StoreSnapshot`` asks it. Made right before planning, so the listing is current.
public struct ListedStoreView: StoreView, Sendable {
  /// The live view answering what the listing does not rule out.
  public let snapshot: StoreSnapshot
  /// Folder names under `tasks/` (nil when it could not be listed: then every question goes to the store).
  let taskHashes: Set<String>?
  /// Trials with a record under the experiment's `keys/` folder (nil likewise).
  let trials: Set<String>?

  /// Lists the store's folders.
  public init(snapshot: StoreSnapshot) {
    self.snapshot = snapshot
    taskHashes = Self.list("\(snapshot.store.root)/tasks")
    trials = Self.list(snapshot.store.keysDirectory(experiment: snapshot.experiment)).map {
      Set($0.map(Store.trial(ofKeyEntry:)))
    }
  }

  /// The names in a folder; empty when it does not exist, nil when it exists but cannot be read.
  static func list(_ path: String) -> Set<String>? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
    guard isDirectory.boolValue, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
      return nil
    }
    return Set(names)
  }

  /// True when the task's `outputs.json` exists and parses.
  public func hasOutputs(hash: String) -> Bool {
    if let taskHashes, !taskHashes.contains(hash) { return false }
    return snapshot.hasOutputs(hash: hash)
  }

  /// The record left by the last completed run of the key.
  public func lastRecord(taskKey: String) -> TaskRecord? {
    if let trials, let key = TaskKey(taskKey), !trials.contains(Store.safeName(key.trial)) { return nil }
    return snapshot.lastRecord(taskKey: taskKey)
  }
}
