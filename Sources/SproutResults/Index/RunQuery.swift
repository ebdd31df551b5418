import Foundation
import GRDB
import SproutDiagnostics

/// What `sprout runs` asks for: filters over the run index, newest first.
public struct RunQuery: Sendable {
  /// One `--where` condition: `accuracy > 0.9`, `test/accuracy >= 0.8`, `init = orthogonal`.
  public struct Condition: Sendable, Hashable {
    /// A final metric (optionally `stage/metric`) or an axis.
    public var name: String
    /// `<`, `<=`, `>`, `>=`, `=`, `!=`.
    public var op: String
    /// The value compared with.
    public var value: String

    /// Creates a condition.
    public init(name: String, op: String, value: String) {
      self.name = name
      self.op = op
      self.value = value
    }
  }

  /// `--spec NAME`: the experiment's name, or the spec file's path or base name.
  public var spec: String?
  /// `--tag T` (repeatable: every tag must be present).
  public var tags: [String] = []
  /// `--since DATE`: runs started at or after this time (seconds since 1970).
  public var since: Double?
  /// `--where` conditions (all must hold).
  public var conditions: [Condition] = []
  /// At most this many runs.
  public var limit: Int?

  /// Creates an empty query (every run).
  public init() {}

  /// Parses `NAME OP VALUE` (`accuracy > 0.9`); several joined by `and`.
  public static func conditions(_ text: String) throws -> [Condition] {
    let parts = text.components(separatedBy: " and ").flatMap { $0.components(separatedBy: " AND ") }
    return try parts.map { part in
      let p = part.trimmingCharacters(in: .whitespaces)
      for op in ["<=", ">=", "!=", "==", "<", ">", "="] {
        guard let r = p.range(of: op) else { continue }
        let name = p[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
        let value = p[r.upperBound...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard !name.isEmpty, !value.isEmpty else { break }
        return Condition(name: name, op: op == "==" ? "=" : op, value: value)
      }
      throw ResultsError("cannot read the condition '\(p)': write NAME OP VALUE, e.g. 'accuracy > 0.9' (OP: < <= > >= = !=)")
    }
  }

  /// Parses `--since`: `2026-11-29`, `2026-11-29T15:10:00Z`, or a time ago (`30m`, `12h`, `7d`, `2w`).
  public static func since(_ text: String, now: Date = Date()) throws -> Double {
    let t = text.trimmingCharacters(in: .whitespaces)
    if let unit = t.last, let n = Double(t.dropLast()), n >= 0 {
      let seconds: Double? = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800][String(unit)]
      if let seconds { return now.timeIntervalSince1970 - n * seconds }
    }
    let iso = ISO8601DateFormatter()
    if let d = iso.date(from: t) { return d.timeIntervalSince1970 }
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    for format in ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss"] {
      f.dateFormat = format
      if let d = f.date(from: t) { return d.timeIntervalSince1970 }
    }
    throw ResultsError("cannot read the date '\(text)': write 2026-11-29, 2026-11-29T15:10:00Z or a time ago (12h, 7d, 2w)")
  }
}

/// One run as `sprout runs` lists it.
public struct IndexedRun: Sendable, Hashable {
  /// The run id.
  public var runID: String
  /// The experiment's name.
  public var spec: String
  /// The spec path as given to `sprout run`.
  public var specPath: String
  /// ISO-8601 start time.
  public var started: String
  /// `completed`, `failed`, `cancelled`, `incomplete` or `running`.
  public var status: String
  /// Tasks in the run.
  public var tasks: Int
  /// Failed tasks.
  public var failed: Int
  /// Wall-clock seconds.
  public var seconds: Double
  /// Backend.
  public var backend: String
  /// Tags.
  public var tags: [String]
  /// The spec's git commit, if recorded.
  public var gitCommit: String?
}

extension RunIndex {
  /// The runs matching `query`, newest first.
  public func runs(_ query: RunQuery) throws -> [IndexedRun] {
    var clauses: [String] = []
    var arguments: [DatabaseValueConvertible?] = []
    if let spec = query.spec {
      clauses.append("(r.spec_name = ? OR r.spec_path = ? OR r.spec_path LIKE ?)")
      arguments += [spec, spec, "%/" + spec]
    }
    for tag in query.tags {
      clauses.append("EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.run_id AND t.tag = ?)")
      arguments.append(tag)
    }
    if let since = query.since {
      clauses.append("r.started_epoch >= ?")
      arguments.append(since)
    }
    for c in query.conditions {
      let number = Double(c.value)
      let parts = c.name.split(separator: "/", maxSplits: 1).map(String.init)
      let (stage, metric) = parts.count == 2 ? (parts[0] as String?, parts[1]) : (nil, c.name)
      let isMetric = try read { db in
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM metrics WHERE metric = ?)", arguments: [metric]) ?? false
      }
      if isMetric {
        guard let number else {
          throw ResultsError("'\(c.name) \(c.op) \(c.value)': a metric compares with a number")
        }
        clauses.append(
          "EXISTS (SELECT 1 FROM metrics m WHERE m.run_id = r.run_id AND m.metric = ?"
            + (stage == nil ? "" : " AND m.stage = ?") + " AND m.value \(c.op) ?)")
        arguments.append(metric)
        if let stage { arguments.append(stage) }
        arguments.append(number)
      } else {
        let column = number != nil && c.op != "=" && c.op != "!=" ? "a.number" : "a.value"
        clauses.append("EXISTS (SELECT 1 FROM axis_values a WHERE a.run_id = r.run_id AND a.axis = ? AND \(column) \(c.op) ?)")
        arguments.append(c.name)
        if column == "a.number", let number { arguments.append(number) } else { arguments.append(c.value) }
      }
    }
    var sql = "SELECT r.*, (SELECT group_concat(tag, ',') FROM tags t WHERE t.run_id = r.run_id) AS tag_list FROM runs r"
    if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
    sql += " ORDER BY r.started_epoch DESC, r.run_id DESC"
    if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
    let args = StatementArguments(arguments)
    return try read { db in
      try Row.fetchAll(db, sql: sql, arguments: args).map { row in
        IndexedRun(
          runID: row["run_id"], spec: row["spec_name"], specPath: row["spec_path"], started: row["started"],
          status: row["status"], tasks: row["tasks"], failed: row["failed"], seconds: row["seconds"],
          backend: row["backend"],
          tags: ((row["tag_list"] as String?) ?? "").split(separator: ",").map(String.init).sorted(),
          gitCommit: row["git_commit"])
      }
    }
  }

  /// Metric and axis names known to the index (for error messages).
  public func names() throws -> (metrics: [String], axes: [String]) {
    try read { db in
      (
        try String.fetchAll(db, sql: "SELECT DISTINCT metric FROM metrics ORDER BY metric"),
        try String.fetchAll(db, sql: "SELECT DISTINCT axis FROM axis_values ORDER BY axis")
      )
    }
  }
}

/// Rendering of `sprout runs`.
public enum RunListing {
  /// The runs in a format: an aligned table, a JSON array, or CSV.
  public static func render(_ runs: [IndexedRun], format: TableFormat) -> String {
    switch format {
    case .table:
      var rows = [["run", "spec", "started", "status", "tasks", "time", "backend", "tags"]]
      for r in runs {
        rows.append([
          r.runID, r.spec, r.started, r.status, r.failed > 0 ? "\(r.tasks) (\(r.failed) failed)" : String(r.tasks),
          String(format: "%.1fs", r.seconds), r.backend, r.tags.joined(separator: ","),
        ])
      }
      return runs.isEmpty ? "no runs match\n" : ResultTable.align(rows)
    case .json:
      return JSONValue.array(runs.map(json)).pretty() + "\n"
    case .csv:
      var out = CSV.line(["run", "spec", "spec_path", "started", "status", "tasks", "failed", "seconds", "backend", "tags", "git_commit"])
      for r in runs {
        out += CSV.line([
          r.runID, r.spec, r.specPath, r.started, r.status, String(r.tasks), String(r.failed), JSONValue.format(r.seconds),
          r.backend, r.tags.joined(separator: ";"), r.gitCommit ?? "",
        ])
      }
      return out
    }
  }

  static func json(_ r: IndexedRun) -> JSONValue {
    var o: [String: JSONValue] = [
      "run_id": .string(r.runID), "spec": .string(r.spec), "spec_path": .string(r.specPath), "started": .string(r.started),
      "status": .string(r.status), "tasks": .int(r.tasks), "failed": .int(r.failed), "seconds": .double(r.seconds),
      "backend": .string(r.backend), "tags": .array(r.tags.map { .string($0) }),
    ]
    o["git_commit"] = r.gitCommit.map { .string($0) } ?? .null
    return .object(o)
  }
}
