import Foundation
import GRDB
import SproutDiagnostics
import SproutRun

/// The run index: an SQLite database (`<store>/index.sqlite`, through GRDB) of runs, their tasks, the
/// trials' axis values, final metrics and tags, for `sprout runs` to answer in milliseconds what reading
/// every manifest would answer in seconds.
///
/// The store stays the source of truth: a run's rows are replaced in one transaction from its manifest,
/// outputs and labels (``record(_:)``), and ``rebuild()`` recreates the whole index from the store.
///
/// ```
/// runs(run_id PK, spec_name, spec_path, started, started_epoch, seconds, status, tasks, failed, tool_version,
///      backend, jobs, hostname, git_commit, git_dirty)
/// tags(run_id, tag)                          tasks(run_id, key, hash, trial, stage, kind, status, seconds, steps)
/// axis_values(run_id, trial, axis, value, number)
/// metrics(run_id, task, trial, stage, metric, value, non_finite)   final scalar metrics
/// ```
public final class RunIndex: Sendable {
  /// The store indexed.
  public let store: Store
  /// The database file.
  public let path: String
  private let db: DatabaseQueue

  /// The index file of a store.
  public static func path(of store: Store) -> String { "\(store.root)/index.sqlite" }

  /// Opens (creating if needed) the index of `store`.
  public init(store: Store) throws {
    self.store = store
    path = Self.path(of: store)
    try AtomicFile.makeDirectory(store.root)
    do {
      var configuration = Configuration()
      configuration.busyMode = .timeout(10)
      db = try DatabaseQueue(path: path, configuration: configuration)
      do { try Self.migrator.migrate(db) } catch {
        // Processes opening a new index at once (several `sprout run`s on one store) may all see it empty; the
        // later ones' CREATE TABLE then fails after the first committed. Migrating again sees the schema made.
        try Self.migrator.migrate(db)
      }
    } catch {
      throw RunError(.io, "cannot open the run index '\(path)': \(error)", cause: error, path: path)
    }
  }

  static var migrator: DatabaseMigrator {
    var m = DatabaseMigrator()
    m.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE runs(
            run_id TEXT PRIMARY KEY, spec_name TEXT NOT NULL, spec_path TEXT NOT NULL, started TEXT NOT NULL,
            started_epoch REAL NOT NULL, seconds REAL NOT NULL, status TEXT NOT NULL, tasks INTEGER NOT NULL,
            failed INTEGER NOT NULL, tool_version TEXT NOT NULL, backend TEXT NOT NULL, jobs INTEGER NOT NULL,
            hostname TEXT NOT NULL, git_commit TEXT, git_dirty INTEGER NOT NULL);
          CREATE INDEX runs_started ON runs(started_epoch);
          CREATE INDEX runs_spec ON runs(spec_name);
          CREATE TABLE tags(run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE, tag TEXT NOT NULL,
            PRIMARY KEY(run_id, tag));
          CREATE INDEX tags_tag ON tags(tag);
          CREATE TABLE tasks(run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE, key TEXT NOT NULL,
            hash TEXT NOT NULL, trial TEXT NOT NULL, stage TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
            seconds REAL NOT NULL, steps INTEGER, PRIMARY KEY(run_id, key));
          CREATE INDEX tasks_hash ON tasks(hash);
          CREATE TABLE axis_values(run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE, trial TEXT NOT NULL,
            axis TEXT NOT NULL, value TEXT NOT NULL, number REAL, PRIMARY KEY(run_id, trial, axis));
          CREATE TABLE metrics(run_id TEXT NOT NULL REFERENCES runs ON DELETE CASCADE, task TEXT NOT NULL,
            trial TEXT NOT NULL, stage TEXT NOT NULL, metric TEXT NOT NULL, value REAL, non_finite TEXT,
            PRIMARY KEY(run_id, task, metric));
          CREATE INDEX metrics_metric ON metrics(metric, value);
          """)
    }
    return m
  }

  /// Replaces the rows of one run, in one transaction.
  public func record(_ run: RunResults) throws {
    try write { db in try Self.insert(run, db: db) }
  }

  /// Indexes a run by id (reading it from the store).
  public func record(runID: String) throws {
    try record(try RunResults.load(runID, store: store))
  }

  /// Recreates the index from the store: every run, in one transaction. Returns the number of runs.
  @discardableResult
  public func rebuild() throws -> Int {
    let ids = store.runIDs()
    // The index is a cache of the store: a run whose manifest cannot be loaded is left out of it (`sprout show`
    // on that run reports why); the store itself is untouched.
    let runs = ParallelMap.map(ids) { id in try? RunResults.load(id, store: self.store) }
    try write { db in
      try db.execute(sql: "DELETE FROM runs")
      for run in runs.compactMap({ $0 }) { try Self.insert(run, db: db) }
    }
    return runs.compactMap { $0 }.count
  }

  /// Brings the index up to date cheaply: indexes runs of the store it lacks, re-reads runs it saw while
  /// they were still going, and drops runs no longer in the store.
  public func refresh() throws {
    let inStore = Set(store.runIDs())
    let known = try read { db in
      try Row.fetchAll(db, sql: "SELECT run_id, status FROM runs").map { (id: $0["run_id"] as String, status: $0["status"] as String) }
    }
    let knownIDs = Set(known.map(\.id))
    let stale = known.filter { $0.status == "running" && inStore.contains($0.id) }.map(\.id)
    let missing = inStore.subtracting(knownIDs).sorted() + stale
    let gone = knownIDs.subtracting(inStore)
    guard !missing.isEmpty || !gone.isEmpty else { return }
    let runs = ParallelMap.map(missing) { id in try? RunResults.load(id, store: self.store) }  // as in rebuild()
    try write { db in
      for id in gone { try db.execute(sql: "DELETE FROM runs WHERE run_id = ?", arguments: [id]) }
      for run in runs.compactMap({ $0 }) { try Self.insert(run, db: db) }
    }
  }

  /// Every task hash some indexed run references (for `sprout gc`).
  public func referencedHashes() throws -> Set<String> {
    try read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT hash FROM tasks")) }
  }

  static func insert(_ run: RunResults, db: Database) throws {
    let m = run.manifest
    try db.execute(sql: "DELETE FROM runs WHERE run_id = ?", arguments: [m.runID])
    let failed = run.tasks.filter { $0.status == "failed" }.count
    let started = ISO8601DateFormatter().date(from: m.started)?.timeIntervalSince1970 ?? 0
    try db.execute(
      sql: """
        INSERT INTO runs(run_id, spec_name, spec_path, started, started_epoch, seconds, status, tasks, failed,
          tool_version, backend, jobs, hostname, git_commit, git_dirty)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        m.runID, Self.specName(m), m.specPath, m.started, started, m.seconds, Self.status(run), run.tasks.count,
        failed, m.toolVersion, m.backend, m.jobs, m.machine["hostname"]?.stringValue ?? "", run.labels.gitCommit,
        run.labels.gitDirty ? 1 : 0,
      ])
    for tag in Set(run.labels.tags) {
      try db.execute(sql: "INSERT INTO tags(run_id, tag) VALUES (?, ?)", arguments: [m.runID, tag])
    }
    for t in run.trials {
      for v in t.values {
        try db.execute(
          sql: "INSERT OR REPLACE INTO axis_values(run_id, trial, axis, value, number) VALUES (?, ?, ?, ?, ?)",
          arguments: [m.runID, t.id, v.axis, v.value.display, v.value.doubleValue])
      }
    }
    for t in run.tasks {
      try db.execute(
        sql: "INSERT INTO tasks(run_id, key, hash, trial, stage, kind, status, seconds, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        arguments: [m.runID, t.key, t.hash, t.trial, t.stage, t.kind, t.status, t.seconds, t.outputs?.steps])
      for (name, value) in t.finalMetrics {
        guard let x = MetricScalar.value(value) else { continue }
        try db.execute(
          sql: "INSERT INTO metrics(run_id, task, trial, stage, metric, value, non_finite) VALUES (?, ?, ?, ?, ?, ?, ?)",
          arguments: [
            m.runID, t.key, t.trial, t.stage, name, x.isFinite ? x : nil,
            x.isFinite ? nil : (x.isNaN ? "NaN" : x > 0 ? "Infinity" : "-Infinity"),
          ])
      }
    }
  }

  /// The experiment's name (`name:` of the spec, as recorded in the plan), else the spec file's base name.
  static func specName(_ m: RunManifest) -> String {
    if let name = m.plan["spec"]?["name"]?.stringValue, !name.isEmpty { return name }
    let base = (m.specPath as NSString).lastPathComponent
    return (base as NSString).deletingPathExtension
  }

  /// `running` while any task is pending or running, `failed` if any failed, `cancelled` if any was stopped,
  /// else `completed`.
  static func status(_ run: RunResults) -> String {
    let statuses = Set(run.tasks.map(\.status))
    if statuses.contains("running") || statuses.contains("pending") { return "running" }
    if statuses.contains("failed") { return "failed" }
    if statuses.contains("cancelled") { return "cancelled" }
    if statuses.contains("skipped") { return "incomplete" }
    return "completed"
  }

  func read<T>(_ body: (Database) throws -> T) throws -> T {
    do { return try db.read(body) } catch let e as RunError { throw e } catch {
      throw RunError(.io, "cannot read the run index '\(path)': \(error)", cause: error, path: path)
    }
  }

  func write<T>(_ body: (Database) throws -> T) throws -> T {
    do { return try db.write(body) } catch let e as RunError { throw e } catch {
      throw RunError(.io, "cannot update the run index '\(path)': \(error)", cause: error, path: path)
    }
  }
}
