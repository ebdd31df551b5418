import Foundation
import SproutDiagnostics
import SproutPlanner

/// The on-disk store (default `./.sprout/`): task outputs by content hash and one manifest per run.
///
/// ```
/// <root>/
///   tasks/<hash>/task.json               canonical resolved definition + input hashes (written first)
///   tasks/<hash>/step-000000.safetensors  checkpoints (the initialization, every N steps, the last step)
///   tasks/<hash>/metrics.jsonl           one JSON object per record: {"step":…, "<metric>":…}
///   tasks/<hash>/outputs.json            final metrics and output hashes — written last; its presence
///                                        is what makes the task complete
///   tasks/<hash>/claim                   locked (flock) by the process running the task (`TaskClaim`)
///   runs/<run-id>/manifest.json          spec, plan, versions, machine, timings, per-task status
///   runs/<run-id>/tasks/<trial>/<stage>.json   per-task status of a run whose tasks run as separate
///                                        processes (`sprout submit`): one file per task, no shared file
/// ```
/// Every file is written atomically (`AtomicFile`), so a crash leaves each name either absent or whole.
/// See docs/store.md.
public struct Store: Sendable {
  /// The store's root directory.
  public let root: String

  /// A store at `root` (created on first write).
  public init(root: String = ".sprout") {
    var r = root
    while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
    self.root = r
  }

  /// `tasks/<hash>` under the root.
  public func taskDirectory(_ hash: String) -> String { "\(root)/tasks/\(hash)" }
  /// `runs/<run-id>` under the root.
  public func runDirectory(_ runID: String) -> String { "\(root)/runs/\(runID)" }
  /// The metrics file of a task.
  public func metricsPath(_ hash: String) -> String { "\(taskDirectory(hash))/metrics.jsonl" }
  /// The outputs record of a task.
  public func outputsPath(_ hash: String) -> String { "\(taskDirectory(hash))/outputs.json" }
  /// The manifest of a run.
  public func manifestPath(_ runID: String) -> String { "\(runDirectory(runID))/manifest.json" }
  /// The claim file of a task (``TaskClaim``).
  public func claimPath(_ hash: String) -> String { "\(taskDirectory(hash))/\(TaskClaim.fileName)" }
  /// A checkpoint of a task.
  public func checkpointPath(_ hash: String, step: Int) -> String {
    "\(taskDirectory(hash))/\(Checkpoint.fileName(step: step))"
  }

  /// Creates the task directory and writes `task.json`: the canonical resolved definition, the input
  /// hashes, seed and backend (the planner's `TaskRecord`) — what the hash was computed over. The write is
  /// deferred: ``commitTask(_:keyRecord:)`` makes it durable with the task's other files.
  /// Returns the record's JSON text (the key record's too, see ``stageCommit(_:keyRecord:)``).
  @discardableResult
  public func prepareTask(hash: String, record: TaskRecord) throws -> String {
    try AtomicFile.makeDirectory(taskDirectory(hash))
    removeTemporaries(hash)
    let text = try Self.recordText(record)
    try AtomicFile.write(text, to: "\(taskDirectory(hash))/task.json", durability: .deferred)
    return text
  }

  /// Completes a task: makes every file it wrote durable in one step, then writes outputs.json, the commit.
  ///
  /// ```
  ///  outputs.json (and the key record) written under temporary names      stageCommit
  ///  → syncfs(2) of the store's file system (elsewhere: fsync of every file of the task directory)
  ///  → rename(outputs.json) → fsync(task directory)            the task is complete and durable
  ///  → rename(key record)                                      descriptive; durable with the next sync
  /// ```
  /// The task's own writes before this (task.json, metrics.jsonl, the step-0 and final checkpoints) skip their
  /// fsyncs (`.deferred`); an intermediate checkpoint, a resume point, is durable when written (docs/store.md).
  /// `keyRecord` (the task key's record for `plan --explain`) is optional output: failing to write it loses no
  /// result and is not an error. On failure nothing is renamed, the temporaries are removed, and the task stays
  /// incomplete. The executor stages each task's commit and publishes several together (``publish(_:calls:)``).
  public func commitTask(
    _ outputs: TaskOutputs, keyRecord: (record: TaskRecord, experiment: String, taskKey: String)? = nil
  ) throws {
    try commitTask(outputs, keyRecord: keyRecord, calls: .system)
  }

  func commitTask(
    _ outputs: TaskOutputs, keyRecord: (record: TaskRecord, experiment: String, taskKey: String)?,
    calls: AtomicFile.Calls
  ) throws {
    let key = keyRecord.flatMap { k in (try? Self.recordText(k.record)).map { (k.experiment, k.taskKey, $0, false) } }
    let staged = try stageCommit(outputs, keyRecord: key, calls: calls)
    if let error = publish([staged], calls: calls)[0] { throw error }
  }

  /// A task's commit, staged: its outputs.json (and key record) written under temporary names, nothing renamed
  /// and nothing synced yet. ``publish(_:calls:)`` completes it; until then the task is incomplete for every reader.
  public struct StagedCommit: Sendable {
    /// The task directory.
    let directory: String
    /// outputs.json under its temporary name.
    let outputs: AtomicFile.Staged
    /// The key record under its temporary name (nil when it could not be written: it is optional).
    let key: AtomicFile.Staged?

    /// Removes the temporaries (a commit that will not be published).
    public func discard() {
      outputs.discard()
      key?.discard()
    }
  }

  /// Writes a task's outputs.json and key record under temporary names: the first half of
  /// ``commitTask(_:keyRecord:)``. `keyRecord` carries the record's JSON text; `inTaskJSON` says that the task's
  /// task.json holds exactly that text (``prepareTask(hash:record:)`` wrote it): then the key record is staged as a
  /// second name of task.json (a hard link: no file written, no inode allocated), where the file system allows it.
  public func stageCommit(
    _ outputs: TaskOutputs, keyRecord: (experiment: String, taskKey: String, text: String, inTaskJSON: Bool)?
  ) throws -> StagedCommit {
    try stageCommit(outputs, keyRecord: keyRecord, calls: .system)
  }

  func stageCommit(
    _ outputs: TaskOutputs, keyRecord: (experiment: String, taskKey: String, text: String, inTaskJSON: Bool)?,
    calls: AtomicFile.Calls
  ) throws -> StagedCommit {
    let staged = try AtomicFile.stage(
      Array((outputs.json.pretty() + "\n").utf8), to: outputsPath(outputs.hash), sync: false, calls: calls)
    let key = keyRecord.flatMap { k -> AtomicFile.Staged? in
      let path = recordPath(experiment: k.experiment, taskKey: k.taskKey)
      guard (try? AtomicFile.makeDirectory(AtomicFile.parent(of: path))) != nil else { return nil }
      if k.inTaskJSON, let link = AtomicFile.stageLink(to: "\(taskDirectory(outputs.hash))/task.json", at: path) {
        return link
      }
      return try? AtomicFile.stage(Array(k.text.utf8), to: path, sync: false, calls: calls)
    }
    return StagedCommit(directory: taskDirectory(outputs.hash), outputs: staged, key: key)
  }

  /// Publishes staged commits together: **one** sync makes every file of every task durable, then each
  /// outputs.json is renamed into place, the renames are made durable (the task directory fsynced; for a group of
  /// several, one more sync of the file system instead), then each key record is renamed.
  /// Returns each commit's error (nil: committed). A failed sync fails them all, with nothing renamed and the
  /// temporaries removed; a failed rename fails its own commit only.
  ///
  /// Tasks that finish while one group syncs wait for the next (``GroupCommitter``), so a sweep's workers never
  /// wait for the disk and its syncs are shared; each commit is still durable before its task counts as complete.
  public func publish(_ commits: [StagedCommit]) -> [RunError?] { publish(commits, calls: .system) }

  func publish(_ commits: [StagedCommit], calls: AtomicFile.Calls) -> [RunError?] {
    guard let first = commits.first else { return [] }
    do {
      try AtomicFile.syncFileSystem(
        containing: first.directory,
        files: {
          // Only where there is no syncfs: every file of each task directory (the claim holds no result) and the
          // temporaries.
          commits.flatMap { c -> [String] in
            let names = (try? Self.listFolder(c.directory)) ?? []
            return names.filter { !$0.hasPrefix(".") && $0 != TaskClaim.fileName }.map { "\(c.directory)/\($0)" }
              + [c.outputs.temporary] + (c.key.map { [$0.temporary] } ?? [])
          }
        }, calls: calls)
    } catch {
      for c in commits { c.discard() }
      let failure = error as? RunError ?? RunError(.io, "cannot make the task's files durable", cause: error)
      return commits.map { _ in failure }
    }
    var errors: [RunError?] = []
    for c in commits {
      do {
        try c.outputs.publish(calls: calls)
        errors.append(nil)
      } catch {
        c.key?.discard()
        errors.append(error as? RunError ?? RunError(.io, "cannot commit '\(c.outputs.path)'", cause: error))
      }
    }
    // The renames made durable (best effort, as a directory fsync always was): a lone commit fsyncs its task folder;
    // a group of several makes one more syncfs, which covers every folder it renamed in. Each fsync of a folder is a
    // device cache flush on a file system without a journal (4.8 ms under load, bench/RESULTS.md): a group of n cost
    // n + 1 flushes, and now 2.
    let renamed = zip(commits, errors).filter { $0.1 == nil }.map(\.0)
    #if os(Linux)
      // syncfs: like the sync above, of the file system that holds every task folder.
      let synced =
        renamed.count > 1
        && (try? AtomicFile.syncFileSystem(containing: first.directory, files: { [] }, calls: calls)) != nil
    #else
      let synced = false
    #endif
    if !synced { for c in renamed { AtomicFile.syncDirectory(c.directory) } }
    for (c, error) in zip(commits, errors) where error == nil {
      guard let key = c.key else { continue }
      if (try? key.publish(calls: calls)) == nil { key.discard() }
      // A rename between two names of one file does nothing and leaves the temporary: gone either way.
      unlink(key.temporary)
    }
    return errors
  }

  /// Removes temporary files a killed writer left in a task directory (`.<name>.tmp-<pid>-<random>`); they are
  /// never read, only clutter. Only the holder of the task's claim may call it: another process's write in
  /// progress would lose its temporary file and fail at the rename.
  func removeTemporaries(_ hash: String) {
    let dir = taskDirectory(hash)
    // Best effort: a leftover that stays is clutter only (never read), and `sprout gc` reports what it cannot remove.
    for name in AtomicFile.names(in: dir) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
      try? FileManager.default.removeItem(atPath: "\(dir)/\(name)")
    }
  }

  /// The `task.json` of a task, if present and readable.
  public func taskRecord(_ hash: String) -> TaskRecord? {
    // Descriptive only (`plan --explain`, gc); results never depend on it.
    guard let bytes = try? AtomicFile.read("\(taskDirectory(hash))/task.json") else { return nil }
    return try? JSONDecoder().decode(TaskRecord.self, from: Data(bytes))
  }

  /// Whether the task finished: its `outputs.json` exists and parses.
  public func isComplete(_ hash: String) -> Bool { (try? outputs(hash)) != nil }

  /// The outputs record of a complete task; nil when absent, `RunError(.corruptStore)` when unreadable.
  public func outputs(_ hash: String) throws -> TaskOutputs? {
    let path = outputsPath(hash)
    guard let bytes = try AtomicFile.readIfPresent(path) else { return nil }
    let json = try parseJSON(bytes, path: path)
    guard let outputs = TaskOutputs(json: json) else {
      throw RunError(.corruptStore, "'\(path)' is missing fields of a task outputs record", path: path)
    }
    return outputs
  }

  /// Writes the outputs record: the last write of a task, which marks it complete.
  public func writeOutputs(_ outputs: TaskOutputs) throws {
    try AtomicFile.write(outputs.json.pretty() + "\n", to: outputsPath(outputs.hash))
  }

  /// Removes a task's outputs record (so `--force` re-executes it) and its checkpoints and metrics; keeps
  /// `task.json` and the claim file (the caller's lock lives on it).
  public func reset(_ hash: String) throws {
    let fm = FileManager.default
    let dir = taskDirectory(hash)
    let kept: Set<String> = ["task.json", TaskClaim.fileName]
    // An unreadable folder must fail the reset: `--force` would otherwise resume from the old checkpoints.
    for name in try Self.listFolder(dir) where !kept.contains(name) {
      do { try fm.removeItem(atPath: "\(dir)/\(name)") } catch {
        throw RunError(.io, "cannot remove '\(dir)/\(name)'", cause: error, path: "\(dir)/\(name)")
      }
    }
  }

  /// Checkpoint steps present in a task directory (complete names only; validity is checked on load), ascending.
  public func checkpointSteps(_ hash: String) -> [Int] {
    // An unreadable folder lists no checkpoint: the task starts over from step 0 (slower, never a wrong result);
    // writing into that folder then fails with the error.
    let names = AtomicFile.names(in: taskDirectory(hash)) ?? []
    return names.compactMap(Checkpoint.step(fromFileName:)).sorted()
  }

  /// Writes `metrics.jsonl` atomically (durable at once, or with the task's commit when `.deferred`).
  public func writeMetrics(
    _ records: [MetricRecord], hash: String, durability: AtomicFile.Durability = .now
  ) throws {
    try AtomicFile.write(MetricRecord.jsonl(records), to: metricsPath(hash), durability: durability)
  }

  /// Removes `metrics.jsonl` (nothing to do when absent).
  public func removeMetrics(hash: String) throws {
    let path = metricsPath(hash)
    if unlink(path) != 0 && errno != ENOENT {
      let code = errno
      throw RunError(
        .io, "cannot remove '\(path)': \(String(cString: strerror(code)))",
        cause: SystemCallError(call: "unlink", errno: code), path: path)
    }
  }

  /// Appends records to `metrics.jsonl` (fsynced unless `.deferred`); the training loop's log between checkpoints.
  public func appendMetrics(
    _ records: [MetricRecord], hash: String, durability: AtomicFile.Durability = .now
  ) throws {
    guard !records.isEmpty else { return }
    try AtomicFile.append(Array(MetricRecord.jsonl(records).utf8), to: metricsPath(hash), durability: durability)
  }

  /// The first `count` records of `metrics.jsonl`, or nil when the file has fewer complete, parseable
  /// lines. Lines after them are ignored: an interrupted append may have torn the last one.
  public func metricsPrefix(_ hash: String, count: Int) -> [MetricRecord]? {
    guard count > 0 else { return [] }
    let text = String(decoding: metricsBytes(hash), as: UTF8.self)
    var records: [MetricRecord] = []
    var rest = Substring(text)
    while records.count < count, let newline = rest.firstIndex(of: "\n") {
      guard let record = MetricRecord(line: String(rest[..<newline])) else { return nil }
      records.append(record)
      rest = rest[rest.index(after: newline)...]
    }
    return records.count == count ? records : nil
  }

  /// Reads `metrics.jsonl`; an unreadable line is `RunError(.corruptStore)` naming the line.
  public func metrics(_ hash: String) throws -> [MetricRecord] {
    let path = metricsPath(hash)
    guard AtomicFile.exists(path) else { return [] }
    let text = String(decoding: try AtomicFile.read(path), as: UTF8.self)
    var records: [MetricRecord] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
      guard let record = MetricRecord(line: String(line)) else {
        throw RunError(.corruptStore, "'\(path)' line \(i + 1) is not a metric record", path: path)
      }
      records.append(record)
    }
    return records
  }

  /// The raw bytes of a task's metrics file (empty when absent).
  /// An unreadable file also reads as empty, which no caller takes for a result: resuming finds fewer records than
  /// the checkpoint counts and starts the task over, and `rerun` reports the metrics as differing.
  public func metricsBytes(_ hash: String) -> [UInt8] { (try? AtomicFile.read(metricsPath(hash))) ?? [] }

  /// Writes a run manifest atomically; `planText` is the manifest's plan already rendered
  /// (``RunManifest/prettyPlan()``), which the executor's progress snapshots reuse.
  public func writeManifest(_ manifest: RunManifest, planText: [UInt8]? = nil) throws {
    try AtomicFile.makeDirectory(runDirectory(manifest.runID))
    try AtomicFile.write(manifest.prettyBytes(planText: planText), to: manifestPath(manifest.runID))
  }

  /// Reads a run manifest. `run` may be an id, `latest`, or a unique id prefix.
  ///
  /// `omitting` names key paths whose values are skipped (checked, not built; see `JSONValue.parse(bytes:omitting:)`):
  /// readers of a large run that need only its trials and task statuses pass `["plan.tasks"]`, leaving out the
  /// planned tasks and their configurations (most of the file).
  public func manifest(_ run: String, omitting: Set<String> = []) throws -> RunManifest {
    let ids = runIDs()
    let id: String
    if run == "latest", let last = ids.last {
      id = last
    } else if ids.contains(run) {
      id = run
    } else if case let matches = ids.filter({ $0.hasPrefix(run) }), matches.count == 1 {
      id = matches[0]
    } else {
      throw RunError(
        .unknownRun,
        "no run '\(run)' in store '\(root)'"
          + (ids.isEmpty ? " (the store has no runs)" : "; runs: \(ids.suffix(5).joined(separator: ", "))"),
        path: "\(root)/runs")
    }
    let path = manifestPath(id)
    guard var manifest = RunManifest(json: try readJSON(path, omitting: omitting)) else {
      throw RunError(.corruptStore, "'\(path)' is missing fields of a run manifest", path: path)
    }
    // A submitted run's tasks record themselves in their own files (TaskStatusRecord); fold them in.
    if AtomicFile.exists("\(runDirectory(id))/tasks") {
      for i in manifest.tasks.indices {
        if let record = taskStatus(run: id, key: manifest.tasks[i].key) { manifest.tasks[i] = record.entry }
      }
    }
    return manifest
  }

  /// Run ids in the store, oldest first (ids start with their UTC start time). A store without a `runs` folder
  /// has none; an unreadable one also reads as none here (listings, `runs`, the index), while ``checkedRunIDs()``
  /// is what decisions that delete data rely on.
  public func runIDs() -> [String] { (try? checkedRunIDs()) ?? [] }

  /// Run ids, oldest first; throws when the `runs` folder exists but cannot be listed (so `gc` never takes an
  /// unreadable folder for an empty one and removes every task as unreferenced).
  public func checkedRunIDs() throws -> [String] {
    try Self.listFolder("\(root)/runs").filter { AtomicFile.exists(manifestPath($0)) }.sorted()
  }

  /// The names in folder `path`: none when it does not exist, an error when it exists but cannot be listed.
  public static func listFolder(_ path: String) throws -> [String] {
    guard AtomicFile.exists(path) else { return [] }
    do { return try FileManager.default.contentsOfDirectory(atPath: path) } catch {
      throw RunError(.io, "cannot list '\(path)'", cause: error, path: path)
    }
  }

  /// Creates the directory of a new run and returns its id. The directory is made with an exclusive `mkdir`,
  /// retried under a new id when it exists, so two processes starting in the same millisecond never share
  /// (and overwrite) one manifest.
  public func reserveRunID(date: Date = Date()) throws -> String {
    try AtomicFile.makeDirectory("\(root)/runs")
    while true {
      let id = Self.newRunID(date: date)
      if mkdir(runDirectory(id), 0o755) == 0 { return id }
      let code = errno
      guard code == EEXIST else {
        throw RunError(
          .io, "cannot create directory '\(runDirectory(id))': \(String(cString: strerror(code)))",
          cause: SystemCallError(call: "mkdir", errno: code), path: runDirectory(id))
      }
    }
  }

  /// A new run id: UTC start time and a random suffix (`20261129-151002.123-3f9a`).
  public static func newRunID(date: Date = Date()) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyyMMdd-HHmmss.SSS"
    let suffix = String(UInt16.random(in: 0...UInt16.max), radix: 16)
    return f.string(from: date) + "-" + String(repeating: "0", count: 4 - suffix.count) + suffix
  }

  private func readJSON(_ path: String, omitting: Set<String> = []) throws -> JSONValue {
    try parseJSON(try AtomicFile.read(path), path: path, omitting: omitting)
  }

  private func parseJSON(_ bytes: [UInt8], path: String, omitting: Set<String> = []) throws -> JSONValue {
    do { return try JSONValue.parse(bytes: bytes, omitting: omitting) } catch {
      throw RunError(.corruptStore, "'\(path)' is not valid JSON", cause: error, path: path)
    }
  }
}

extension Store {
  /// The plan a run executed: from its manifest, or from the plan file the manifest names.
  public func plan(of manifest: RunManifest) throws -> Plan {
    guard let file = manifest.planFile else { return try Executor.plan(from: manifest) }
    let path = "\(runDirectory(manifest.runID))/\(file)"
    do { return try Plan.load(from: URL(fileURLWithPath: path)) } catch {
      throw RunError(.corruptStore, "the plan of run \(manifest.runID) cannot be read", cause: error, path: path)
    }
  }
}
