import Foundation
import SproutDiagnostics
import SproutRun

extension RunComparison {
  /// The comparison in a format.
  public func render(_ format: TableFormat) -> String {
    switch format {
    case .table: return text
    case .json: return json.pretty() + "\n"
    case .csv: return csv
    }
  }

  /// Differences first, then one table per stage: trial, metric, A, B, B − A.
  public var text: String {
    var out = "A  run \(a.runID)  \(a.manifest.specPath)  backend \(a.manifest.backend)  sprout \(a.manifest.toolVersion)\n"
    out += "B  run \(b.runID)  \(b.manifest.specPath)  backend \(b.manifest.backend)  sprout \(b.manifest.toolVersion)\n"
    if differences.isEmpty {
      out += "\nsame spec values, tool version and backend\n"
    } else {
      out += "\nwhat differs:\n"
      var rows = [["", "A", "B", ""]]
      for d in differences {
        rows.append([d.what, d.a, d.b, d.tasks > 0 ? "(\(d.tasks) task\(d.tasks == 1 ? "" : "s"))" : ""])
      }
      out += ResultTable.align(rows).split(separator: "\n").dropFirst(2).map { "  " + $0 + "\n" }.joined()
    }
    var stage = ""
    var rows: [[String]] = []
    func flush() {
      guard !rows.isEmpty else { return }
      out += ResultTable.align([["trial", "metric", "A", "B", "B − A", ""]] + rows)
      rows = []
    }
    for p in pairs {
      if p.stage != stage {
        flush()
        stage = p.stage
        out += "\n\(stage)\n"
      }
      for (i, m) in p.metrics.enumerated() {
        rows.append([
          i == 0 ? p.label : "", m.name, m.a.map(MetricScalar.format) ?? "-", m.b.map(MetricScalar.format) ?? "-",
          Self.delta(m.a, m.b), i == 0 && p.sameHash ? "same task" : "",
        ])
      }
    }
    flush()
    if !onlyA.isEmpty { out += "\nonly in A: " + onlyA.joined(separator: ", ") + "\n" }
    if !onlyB.isEmpty { out += "\nonly in B: " + onlyB.joined(separator: ", ") + "\n" }
    return out
  }

  static func delta(_ a: Double?, _ b: Double?) -> String {
    guard let a, let b else { return "" }
    guard a.isFinite, b.isFinite else { return a == b || (a.isNaN && b.isNaN) ? "0" : "n/a" }
    let d = b - a
    return d == 0 ? "0" : (d > 0 ? "+" : "") + MetricScalar.format(d)
  }

  /// The JSON form.
  public var json: JSONValue {
    .object([
      "a": .string(a.runID), "b": .string(b.runID),
      "differences": .array(
        differences.map { d in
          .object(["what": .string(d.what), "a": .string(d.a), "b": .string(d.b), "tasks": .int(d.tasks)])
        }),
      "pairs": .array(
        pairs.map { p in
          .object([
            "stage": .string(p.stage), "trial": .string(p.label), "task_a": .string(p.taskA), "task_b": .string(p.taskB),
            "same_hash": .bool(p.sameHash),
            "metrics": .object(
              Dictionary(
                uniqueKeysWithValues: p.metrics.map { m in
                  (
                    m.name,
                    JSONValue.object([
                      "a": JSONNumber.value(m.a), "b": JSONNumber.value(m.b),
                      "delta": m.a.flatMap { x in m.b.map { JSONNumber.value($0 - x) } } ?? .null,
                    ])
                  )
                })),
          ])
        }),
      "only_a": .array(onlyA.map { .string($0) }), "only_b": .array(onlyB.map { .string($0) }),
    ])
  }

  /// Tidy CSV: `stage, trial, metric, a, b, delta`.
  public var csv: String {
    var out = CSV.line(["stage", "trial", "metric", "a", "b", "delta"])
    for p in pairs {
      for m in p.metrics {
        let d = m.a.flatMap { x in m.b.map { $0 - x } }
        out += CSV.line([p.stage, p.label, m.name, CSV.number(m.a), CSV.number(m.b), CSV.number(d)])
      }
    }
    return out
  }
}
