import Foundation

/// Where an executor run writes what it is doing, as tasks start and end.
///
/// - A run of its own (`sprout run`) keeps one manifest, `runs/<id>/manifest.json`, rewritten under a lock (so
///   a stale snapshot never overwrites a newer one) whenever a task starts or ends: after a crash it shows what
///   was running.
/// - A task of a run that another process created (`sprout run --plan … --task … --run-id ID`, what each Slurm
///   array element runs) writes only its own status file, `runs/<ID>/tasks/<trial>/<stage>.json`: thousands of
///   processes record into one run without ever rewriting a shared file.
final class RunRecorder: @unchecked Sendable {
  // @unchecked Sendable: `manifest` and `unrecorded` are read and written under `lock`; the rest is immutable.
  private let store: Store
  private let lock = NSLock()
  private let started: Date
  private let intoExistingRun: Bool
  private let selected: Set<String>?
  private var manifest: RunManifest
  /// Status files whose last write failed, by task key: a task of a submitted run whose final status could not
  /// be recorded fails the run at ``finish()`` instead of looking pending forever.
  private var unrecorded: [String: any Error] = [:]

  /// A recorder starting from `manifest`; with `existingRun` it writes the per-task files of that run (only for
  /// the `selected` tasks) instead of the manifest.
  init(store: Store, manifest: RunManifest, existingRun: Bool, selected: Set<String>?, started: Date) {
    self.store = store
    self.manifest = manifest
    self.intoExistingRun = existingRun
    self.selected = selected
    self.started = started
  }

  /// Writes the initial manifest (a run of its own; nothing for a task of an existing run).
  func begin() throws {
    guard !intoExistingRun else { return }
    try store.writeManifest(manifest)
  }

  /// Updates task `index`'s entry and records it.
  func update(_ index: Int, _ change: (inout RunManifest.TaskEntry) -> Void) {
    lock.lock()
    defer { lock.unlock() }
    change(&manifest.tasks[index])
    manifest.seconds = Date().timeIntervalSince(started)
    if intoExistingRun {
      let entry = manifest.tasks[index]
      // Only the tasks this process was asked to run: inputs it found cached belong to other processes' files.
      guard selected?.contains(entry.key) ?? true else { return }
      do {
        try store.writeTaskStatus(TaskStatusRecord(entry: entry, holder: .current()), run: manifest.runID)
        unrecorded[entry.key] = nil
      } catch {
        unrecorded[entry.key] = error
      }
    } else {
      // A progress snapshot: one that fails is superseded by the next, and by the final write in `finish()`,
      // which throws.
      try? store.writeManifest(manifest)
    }
  }

  /// Writes the final manifest and returns it.
  func finish() throws -> RunManifest {
    lock.lock()
    defer { lock.unlock() }
    manifest.seconds = Date().timeIntervalSince(started)
    if !intoExistingRun { try store.writeManifest(manifest) }
    if let (key, error) = unrecorded.sorted(by: { $0.key < $1.key }).first {
      throw RunError(.io, "cannot record the status of task \(key) in run \(manifest.runID)", cause: error)
    }
    return manifest
  }
}
