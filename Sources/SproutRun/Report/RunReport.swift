import Foundation
import SproutDiagnostics
import SproutPlanner

/// `sprout show RUN`: one row per task of a run — trial, its matrix values, stage, status, final metrics,
/// time — as a text table or JSON. Values come from the manifest and each task's outputs.json.
public struct RunReport: Sendable {
  /// One row.
  public struct Row: Sendable, Hashable {
    /// Task key.
    public var key: String
    /// Trial id (`t0003`, or `all`).
    public var trial: String
    /// The trial's matrix values (`init=lowrank seed=1`).
    public var assignment: String
    /// Stage name.
    public var stage: String
    /// Stage kind.
    public var kind: String
    /// Status in the run.
    public var status: String
    /// Optimizer steps.
    public var steps: Int?
    /// Final metric values (scalars; per-layer maps as their mean, flagged in the JSON as maps).
    public var metrics: [String: JSONValue]
    /// Seconds the task ran (in the run that completed it).
    public var seconds: Double
    /// The error, when failed.
    public var error: String?
  }

  /// The run id.
  public var runID: String
  /// The spec path.
  public var specPath: String
  /// Backend and tool version.
  public var backend: String
  /// The `sprout` version.
  public var toolVersion: String
  /// Total wall-clock seconds.
  public var seconds: Double
  /// Rows in plan order.
  public var rows: [Row]
  /// What each select task chose and on what evidence, one line per group (`all/best: omega=80 (mean …)`).
  public var selections: [String] = []

  /// Builds the report of run `run` (`latest`, an id, or a unique prefix).
  public static func load(_ run: String, store: Store) throws -> RunReport {
    let manifest = try store.manifest(run)
    // `show` prints what it can: without the plan the rows lack their matrix values, without a task's outputs the
    // row shows the manifest's status only (`sprout verify` is the command that reports damaged files).
    let plan = try? store.plan(of: manifest)
    var rows: [Row] = []
    var selections: [String] = []
    for t in manifest.tasks {
      let outputs = try? store.outputs(t.hash)
      if t.kind == "select", let extra = outputs?.extra { selections += Self.selectionLines(t.key, extra) }
      rows.append(
        Row(
          key: t.key, trial: t.trial, assignment: plan?.trial(t.trial)?.assignmentText ?? "", stage: t.stage,
          kind: t.kind, status: t.status, steps: outputs?.steps, metrics: outputs?.finalMetrics ?? [:],
          seconds: t.status == "cached" ? (outputs?.seconds ?? 0) : t.seconds, error: t.error))
    }
    return RunReport(
      runID: manifest.runID, specPath: manifest.specPath, backend: manifest.backend, toolVersion: manifest.toolVersion,
      seconds: manifest.seconds, rows: rows, selections: selections)
  }

  /// `all/best: omega=80 (mean spectrum_w1 4.8 over 3 trials; omega=10 15.8, omega=120 5.3)`, per group.
  static func selectionLines(_ key: String, _ extra: [String: JSONValue]) -> [String] {
    guard let chosen = extra["chosen"]?.objectValue else { return [] }
    let metric = extra["metric"]?.stringValue ?? "metric"
    let aggregate = extra["aggregate"]?.stringValue ?? "mean"
    let evidence = extra["candidates"]?.arrayValue ?? []
    return chosen.keys.sorted().map { group in
      let choice = chosen[group]?.stringValue ?? "?"
      let here = evidence.filter { $0["group"]?.stringValue == group }
      let mine = here.first { $0["choice"]?.stringValue == choice }
      let count = mine?["values"]?.arrayValue?.count ?? 0
      let others = here.filter { $0["choice"]?.stringValue != choice }.map {
        "\($0["choice"]?.stringValue ?? "?") \(cell($0["value"]))"
      }
      let scope = group == "(all)" ? "" : " for \(group)"
      return "\(key)\(scope): \(choice) (\(aggregate) \(metric) \(cell(mine?["value"])) over \(count) trial"
        + (count == 1 ? "" : "s") + (others.isEmpty ? "" : "; " + others.joined(separator: ", ")) + ")"
    }
  }

  /// A metric value as one table cell: numbers with 4 significant digits, maps of numbers as their mean
  /// (marked `~`), vectors by length.
  static func cell(_ v: JSONValue?) -> String {
    guard let v else { return "" }
    switch v {
    case .double(let d): return format(d)
    case .int(let i): return String(i)
    case .object(let m):
      let numbers = m.values.compactMap(\.doubleValue)
      guard !numbers.isEmpty else { return "{…}" }
      return "~" + format(numbers.reduce(0, +) / Double(numbers.count))
    case .array(let a): return "[\(a.count)]"
    case .string(let s): return s
    case .bool(let b): return String(b)
    case .null: return "-"
    }
  }

  static func format(_ d: Double) -> String {
    if d == 0 || (abs(d) >= 1e-3 && abs(d) < 1e5) { return String(format: "%.4g", d) }
    return String(format: "%.3e", d)
  }

  /// The table: trial, values, stage, status, steps, one column per metric, time.
  public var table: String {
    let metricNames = Array(Set(rows.flatMap { $0.metrics.keys })).sorted()
    var header = ["task", "values", "status", "steps"] + metricNames + ["time"]
    var lines: [[String]] = rows.map { r in
      [r.key, r.assignment, r.status, r.steps.map(String.init) ?? ""] + metricNames.map { Self.cell(r.metrics[$0]) }
        + [String(format: "%.2fs", r.seconds)]
    }
    if rows.allSatisfy({ $0.assignment.isEmpty }) {
      header.remove(at: 1)
      lines = lines.map {
        var l = $0; l.remove(at: 1); return l
      }
    }
    let widths = header.indices.map { i in ([header[i]] + lines.map { $0[i] }).map(\.count).max() ?? 0 }
    func render(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
        .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    var out =
      "run \(runID)  \(specPath)  backend \(backend)  sprout \(toolVersion)  "
      + String(format: "%.2fs", seconds) + "\n"
    out += render(header) + "\n"
    out += render(widths.map { String(repeating: "-", count: $0) }) + "\n"
    for l in lines { out += render(l) + "\n" }
    for r in rows where r.status != "not_chosen" { if let error = r.error { out += "\(r.key): \(error)\n" } }
    if !selections.isEmpty { out += "selected:\n" + selections.map { "  \($0)\n" }.joined() }
    return out
  }

  /// The JSON form (`--format json`).
  public var json: String {
    let rowsJSON: [JSONValue] = rows.map { r in
      var o: [String: JSONValue] = [
        "key": .string(r.key), "trial": .string(r.trial), "values": .string(r.assignment), "stage": .string(r.stage),
        "kind": .string(r.kind), "status": .string(r.status), "metrics": .object(r.metrics),
        "seconds": .double(r.seconds),
      ]
      if let s = r.steps { o["steps"] = .int(s) }
      if let e = r.error { o["error"] = .string(e) }
      return .object(o)
    }
    return JSONValue.object([
      "run_id": .string(runID), "spec_path": .string(specPath), "backend": .string(backend),
      "tool_version": .string(toolVersion), "seconds": .double(seconds), "tasks": .array(rowsJSON),
      "selected": .array(selections.map { .string($0) }),
    ]).pretty() + "\n"
  }
}
