import Foundation

/// Where an executor run writes what it is doing, as tasks start and end.
///
/// - A run of its own (`sprout run`) keeps one manifest, `runs/<id>/manifest.json`, rewritten under a lock (so
///   a stale snapshot never overwrites a newer one) when a task starts or ends: after a crash it shows what was
///   running. The manifest holds the whole plan (3 MB for 1,000 trials), so rewriting it at every change made a
///   sweep quadratic (bench/sweep: 2,000 rewrites of a growing file, seconds per task by the 300th). Snapshots
///   are therefore paced by their own cost: after a write that took `c`, the next one waits until `20·c` has
///   passed (writing then costs at most ~5% of the run), and a change inside that window is written by a
///   deferred flush when it ends, so the manifest is never staler than the window. A small run's manifest
///   takes about a millisecond to write, so it is still rewritten at practically every change.
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
  /// The manifest's plan rendered once (``RunManifest/prettyPlan()``): every snapshot writes the same text.
  private var planText: [UInt8]?
  /// Status files whose last write failed, by task key: a task of a submitted run whose final status could not
  /// be recorded fails the run at ``finish()`` instead of looking pending forever.
  private var unrecorded: [String: any Error] = [:]
  /// Snapshot pacing (monotonic nanoseconds): when the last manifest write ended and what it took; `dirty` when
  /// the manifest changed since, `flushScheduled` while a deferred write is pending, `finished` after the final
  /// write (a deferred write arriving later does nothing).
  private var lastWriteEnd: UInt64 = 0
  private var lastWriteCost: UInt64 = 0
  private var dirty = false
  private var flushScheduled = false
  private var finished = false
  /// The pacing factor: a snapshot that took `c` is followed by at least `c · costFactor` without one.
  private static let costFactor: UInt64 = 20

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
    lock.lock()
    defer { lock.unlock() }
    let start = DispatchTime.now().uptimeNanoseconds
    planText = manifest.prettyPlan()
    try store.writeManifest(manifest, planText: planText)
    noteWrite(since: start)
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
      dirty = true
      snapshotIfDue()
    }
  }

  /// Writes a progress snapshot now if the pacing window has passed, else makes sure a deferred one is
  /// scheduled for when it ends. Called with `lock` held.
  private func snapshotIfDue() {
    let due = lastWriteEnd &+ lastWriteCost &* Self.costFactor
    if DispatchTime.now().uptimeNanoseconds >= due {
      snapshot()
    } else if !flushScheduled {
      flushScheduled = true
      DispatchQueue.global().asyncAfter(deadline: DispatchTime(uptimeNanoseconds: due)) { [self] in
        lock.lock()
        defer { lock.unlock() }
        flushScheduled = false
        if dirty && !finished { snapshot() }
      }
    }
  }

  /// Writes the manifest as it is. A progress snapshot that fails is superseded by the next, and by the final
  /// write in `finish()`, which throws. Called with `lock` held.
  private func snapshot() {
    let start = DispatchTime.now().uptimeNanoseconds
    try? store.writeManifest(manifest, planText: planText)
    dirty = false
    noteWrite(since: start)
  }

  private func noteWrite(since start: UInt64) {
    lastWriteEnd = DispatchTime.now().uptimeNanoseconds
    lastWriteCost = lastWriteEnd &- start
  }

  /// Writes the final manifest and returns it.
  func finish() throws -> RunManifest {
    lock.lock()
    defer { lock.unlock() }
    manifest.seconds = Date().timeIntervalSince(started)
    finished = true
    if !intoExistingRun { try store.writeManifest(manifest, planText: planText) }
    if let (key, error) = unrecorded.sorted(by: { $0.key < $1.key }).first {
      throw RunError(.io, "cannot record the status of task \(key) in run \(manifest.runID)", cause: error)
    }
    return manifest
  }
}
