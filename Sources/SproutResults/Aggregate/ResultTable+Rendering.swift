import Foundation
import SproutDiagnostics
import SproutRun

/// Output formats of `sprout show`.
public enum TableFormat: String, Sendable, CaseIterable {
  /// An aligned text table.
  case table
  /// One JSON document.
  case json
  /// Tidy CSV: one line per (stage, group, metric).
  case csv
}

extension ResultTable {
  /// The table in a format.
  public func render(_ format: TableFormat) -> String {
    switch format {
    case .table: return text
    case .json: return json.pretty() + "\n"
    case .csv: return csv
    }
  }

  /// The run's header line and labels.
  var header: String {
    let m = run.manifest
    var out = "run \(m.runID)  \(m.specPath)  backend \(m.backend)  sprout \(m.toolVersion)  "
    out += String(format: "%.2fs", m.seconds) + "\n"
    var labels: [String] = []
    if !run.labels.tags.isEmpty { labels.append("tags: " + run.labels.tags.joined(separator: ", ")) }
    if let commit = run.labels.gitCommit {
      labels.append("spec at git \(commit.prefix(10))\(run.labels.gitDirty ? " (with uncommitted changes)" : "")")
    }
    if !labels.isEmpty { out += labels.joined(separator: "  ") + "\n" }
    return out
  }

  /// The text tables, one per stage, then the select choices.
  public var text: String {
    var out = header
    let grouped = !options.groupBy.isEmpty
    for block in blocks {
      out += "\n"
      var title = "\(block.stage) (\(block.kind)"
      let steps = Set(block.rows.compactMap(\.step))
      if steps.count == 1, let s = steps.first, s > 0 { title += ", final metrics at step \(s)" }
      title += ")"
      if grouped {
        let n = Set(block.rows.map { $0.trials.count })
        let each = n.count == 1 ? " (\(n.first ?? 0) each)" : ""
        title += over.isEmpty ? ": one trial per group" : ": mean ± sd over \(over.joined(separator: ", "))\(each)"
      }
      if let best = block.bestBy { title += "; * best by \(best.maximize ? "highest" : "lowest") \(best.metric)" }
      out += title + "\n"
      out += textRows(block, grouped: grouped)
      for r in block.rows where r.incomplete > 0 {
        let name = grouped ? r.group.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ") : r.tasks.joined()
        out += "  \(name): \(r.incomplete) of \(r.tasks.count) task\(r.tasks.count == 1 ? "" : "s") did not complete\n"
      }
      let diverged = block.rows.reduce(0) { acc, r in acc + (r.summaries.values.map(\.nonFinite).max() ?? 0) }
      if diverged > 0 {
        out += "  non-finite values (NaN, inf) are counted apart, never averaged: [k NaN] after a mean\n"
      }
      if !block.perLayer.isEmpty {
        out += "  ~ per-layer metric: mean over layers (`sprout export` has every layer)\n"
      }
    }
    // A task its select did not choose carries the reason as its error, but did not fail: the choice is below.
    for task in run.tasks
    where task.error != nil && task.status != "not_chosen" && (options.stage == nil || options.stage == task.stage) {
      out += "\(task.key): \(task.error ?? "")\n"
    }
    if !selections.isEmpty && (options.stage == nil || selections.contains { $0.stage == options.stage }) {
      out += "\n"
      for s in selections where options.stage == nil || s.stage == options.stage { out += s.text }
    }
    return out
  }

  private func textRows(_ block: Block, grouped: Bool) -> String {
    let axes = block.rows.first?.group.map(\.axis) ?? []
    var header = [" "]
    if grouped {
      header += axes + ["n"]
    } else {
      header += ["task"] + (axes.isEmpty ? [] : ["values"]) + ["status", "step"]
    }
    header += block.metrics.map { block.perLayer.contains($0) ? "\($0)~" : $0 } + ["time"]
    var lines: [[String]] = []
    for r in block.rows {
      var cells = [r.best ? "*" : " "]
      if grouped {
        cells += r.group.map(\.value.display) + [String(r.trials.count - r.incomplete)]
      } else {
        cells += [r.tasks.first ?? ""]
        if !axes.isEmpty { cells.append(r.group.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ")) }
        cells += [r.status ?? "", r.step.map(String.init) ?? ""]
      }
      cells += block.metrics.map { Self.cell(r.summaries[$0], grouped: grouped) }
      cells.append(String(format: "%.2fs", r.seconds))
      lines.append(cells)
    }
    return Self.align([header] + lines, rightAligned: grouped ? Set([axes.count + 1]) : [])
  }

  /// `0.9123 ± 0.0123`, `0.9123` (one value), `0.9123 ± 0.0123 [1 NaN]`, `NaN` (no finite value).
  static func cell(_ s: Summary?, grouped: Bool) -> String {
    guard let s else { return "" }
    var text: String
    if s.n == 0 {
      text = s.nonFinite > 0 ? "" : "-"
    } else if let sd = s.sd {
      text = "\(MetricScalar.format(s.mean)) ± \(MetricScalar.format(sd))"
    } else {
      text = MetricScalar.format(s.mean)
    }
    if s.nonFinite > 0 {
      text += text.isEmpty ? (grouped ? "[\(s.nonFinite) NaN/inf]" : "NaN/inf") : " [\(s.nonFinite) NaN/inf]"
    }
    return text
  }

  /// Columns padded to their widest cell, two spaces apart, trailing spaces trimmed.
  static func align(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    guard let first = rows.first else { return "" }
    let widths = first.indices.map { i in rows.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
    func render(_ cells: [String]) -> String {
      var line = ""
      for (i, c) in cells.enumerated() {
        let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
        line += (i == 0 ? "" : "  ") + (rightAligned.contains(i) ? pad + c : c + pad)
      }
      while line.hasSuffix(" ") { line.removeLast() }
      return line
    }
    var out = render(first) + "\n"
    out += render(widths.enumerated().map { i, w in i == 0 && first[0] == " " ? " " : String(repeating: "-", count: w) }) + "\n"
    for r in rows.dropFirst() { out += render(r) + "\n" }
    return out
  }

  /// The JSON document: run facts, per stage the rows with n, mean, sd, 95% CI, min, max and non-finite
  /// counts per metric, and the select choices.
  public var json: JSONValue {
    let m = run.manifest
    var facts: [String: JSONValue] = [
      "run_id": .string(m.runID), "spec_path": .string(m.specPath), "backend": .string(m.backend),
      "tool_version": .string(m.toolVersion), "seconds": .double(m.seconds), "started": .string(m.started),
      "tags": .array(run.labels.tags.map { .string($0) }),
    ]
    if let c = run.labels.gitCommit { facts["git_commit"] = .string(c) }
    let stages: [JSONValue] = blocks.map { b in
      var o: [String: JSONValue] = [
        "stage": .string(b.stage), "kind": .string(b.kind), "metrics": .array(b.metrics.map { .string($0) }),
        "per_layer_metrics": .array(b.perLayer.sorted().map { .string($0) }),
        "rows": .array(b.rows.map { Self.json($0, metrics: b.metrics) }),
      ]
      if let best = b.bestBy {
        o["best_by"] = .object(["metric": .string(best.metric), "mode": .string(best.maximize ? "max" : "min")])
      }
      return .object(o)
    }
    // Every task with its final metrics as recorded (per-layer maps and vectors whole), for scripts.
    let trials = run.trialsByID
    let tasks: [JSONValue] = run.tasks.filter { options.stage == nil || $0.stage == options.stage }.map { t in
      var o: [String: JSONValue] = [
        "key": .string(t.key), "trial": .string(t.trial), "values": .string(trials[t.trial]?.label ?? ""),
        "stage": .string(t.stage), "kind": .string(t.kind), "status": .string(t.status),
        "metrics": .object(t.finalMetrics), "seconds": .double(t.seconds),
      ]
      if let steps = t.outputs?.steps { o["steps"] = .int(steps) }
      if let e = t.error { o["error"] = .string(e) }
      return .object(o)
    }
    return .object([
      "run": .object(facts), "group_by": .array(options.groupBy.map { .string($0) }),
      "over": .array(over.map { .string($0) }), "stages": .array(stages),
      "selections": .array(selections.map(\.json)), "tasks": .array(tasks),
    ])
  }

  static func json(_ r: Row, metrics: [String]) -> JSONValue {
    var summaries: [String: JSONValue] = [:]
    for m in metrics {
      guard let s = r.summaries[m] else { continue }
      var o: [String: JSONValue] = [
        "n": .int(s.n), "non_finite": .int(s.nonFinite), "mean": JSONNumber.value(s.n > 0 ? s.mean : nil),
        "sd": JSONNumber.value(s.sd), "min": JSONNumber.value(s.min), "max": JSONNumber.value(s.max),
      ]
      if let ci = s.ci95 { o["ci95"] = .array([.double(ci.low), .double(ci.high)]) } else { o["ci95"] = .null }
      summaries[m] = .object(o)
    }
    var o: [String: JSONValue] = [
      "group": .object(Dictionary(uniqueKeysWithValues: r.group.map { ($0.axis, $0.value) })),
      "trials": .array(r.trials.map { .string($0) }), "tasks": .array(r.tasks.map { .string($0) }),
      "incomplete": .int(r.incomplete), "metrics": .object(summaries), "seconds": .double(r.seconds),
      "best": .bool(r.best),
    ]
    if let step = r.step { o["step"] = .int(step) }
    if let status = r.status { o["status"] = .string(status) }
    return .object(o)
  }

  /// Tidy CSV: `stage, <axes…>, metric, n, non_finite, mean, sd, ci95_low, ci95_high, min, max, best`. Missing
  /// numbers are empty cells (never a "NaN" string), so pandas and polars read every numeric column as numbers.
  public var csv: String {
    let axes = options.groupBy.isEmpty ? run.axes + ["task"] : options.groupBy
    var out = CSV.line(["stage"] + axes + ["metric", "n", "non_finite", "mean", "sd", "ci95_low", "ci95_high", "min", "max", "best"])
    for b in blocks {
      for r in b.rows {
        var values = axes.map { axis in r.group.first { $0.axis == axis }?.value.display ?? "" }
        if options.groupBy.isEmpty { values[values.count - 1] = r.tasks.first ?? "" }
        for m in b.metrics {
          guard let s = r.summaries[m] else { continue }
          let ci = s.ci95
          out += CSV.line(
            [b.stage] + values + [
              m, String(s.n), String(s.nonFinite), CSV.number(s.n > 0 ? s.mean : nil), CSV.number(s.sd),
              CSV.number(ci?.low), CSV.number(ci?.high), CSV.number(s.min), CSV.number(s.max), r.best ? "true" : "false",
            ])
        }
      }
    }
    return out
  }
}

/// CSV cells (RFC 4180): quoted when they hold a comma, quote or line break.
enum CSV {
  static func line(_ cells: [String]) -> String { cells.map(quote).joined(separator: ",") + "\n" }

  static func quote(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// A number in the shortest text that reads back exactly; empty for missing or non-finite values.
  static func number(_ d: Double?) -> String {
    guard let d, d.isFinite else { return "" }
    return JSONValue.format(d)
  }
}
