import Foundation
import SproutDiagnostics
import SproutRun

/// `sprout report`: one self-contained HTML page about a run — the results table grouped over seeds, what
/// each select stage chose, learning curves with ±sd bands, every final metric against each numeric axis,
/// the spec and the run's facts. Plots are inline SVG; the page loads nothing (no script, font or image from
/// anywhere) and reads in a light and a dark theme (the system's, or the switch at the top).
public struct HTMLReport: Sendable {
  /// The run.
  public var run: RunResults
  /// The figures (curves are read from every task's metrics.jsonl).
  public var figures: Figures
  /// The grouped results table.
  public var table: ResultTable

  /// Prepares the report of a run, grouping trials by every axis but `over` (default `seed`).
  public init(run: RunResults, over: [String]? = nil) throws {
    self.run = run
    figures = try Figures(run: run, over: over)
    let groupBy = figures.groupAxes
    table = try ResultTable.make(run, options: ShowOptions(groupBy: groupBy.count == run.axes.count ? [] : groupBy))
  }

  /// Number of charts with curves (learning curves and metric-vs-axis), as drawn.
  public var charts: [LineChart] { curveCharts + axisCharts }

  /// One chart per (stage, metric) with a learning curve.
  public var curveCharts: [LineChart] {
    figures.curveStages.flatMap { entry in entry.metrics.map { figures.curves(stage: entry.stage, metric: $0) } }
  }

  /// One chart per (numeric axis, stage, final metric).
  public var axisCharts: [LineChart] {
    let axes = run.numericAxes.filter { !figures.over.contains($0) }
    return axes.flatMap { axis in
      run.stages.filter { s in run.tasks.contains { $0.stage == s && $0.kind != "select" } }.flatMap { stage in
        figures.finalMetrics(stage: stage).map { figures.againstAxis(stage: stage, metric: $0, axis: axis) }
      }
    }
  }

  /// The whole page.
  public var html: String {
    let m = run.manifest
    let name = m.plan["spec"]?["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? m.specPath
    var out = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(XML.escape(name)) — run \(XML.escape(m.runID))</title>
      <style>
      \(PlotTheme.css(root: ":root"))\(PlotTheme.forced(":root:has(#theme-light:checked)", dark: false))\(PlotTheme.forced(":root:has(#theme-dark:checked)", dark: true))\(Self.pageCSS)
      </style></head>
      <body>
      <header><h1>\(XML.escape(name))</h1>\(description.isEmpty ? "" : "<p class=\"facts\">\(XML.escape(description))</p>")
      <p class="facts">run <code>\(XML.escape(m.runID))</code> · \(XML.escape(m.specPath)) · backend \(XML.escape(m.backend)) · sprout \(XML.escape(m.toolVersion)) · \(String(format: "%.2f", m.seconds)) s · \(run.tasks.count) tasks</p>
      <fieldset class="theme"><legend>theme</legend>
      <label><input type="radio" name="theme" id="theme-auto" checked> system</label>
      <label><input type="radio" name="theme" id="theme-light"> light</label>
      <label><input type="radio" name="theme" id="theme-dark"> dark</label></fieldset>
      </header>
      <main>

      """
    out += section("Results", tableHTML)
    if !table.selections.isEmpty {
      out += section("Selection", table.selections.map { "<pre>\(XML.escape($0.text))</pre>" }.joined())
    }
    let curves = curveCharts
    if !curves.isEmpty {
      out += section("Learning curves", "<div class=\"charts\">" + curves.map { $0.svg() }.joined() + "</div>")
    }
    let axes = axisCharts
    if !axes.isEmpty {
      out += section("Final metrics against each numeric axis", "<div class=\"charts\">" + axes.map { $0.svg() }.joined() + "</div>")
    }
    out += section("Spec", "<pre class=\"spec\">\(XML.escape(m.specText))</pre>")
    out += section("Run", factsHTML)
    out += "</main>\n<footer>Written by sprout \(XML.escape(m.toolVersion)) from the store alone; `sprout show \(XML.escape(m.runID))` prints the same numbers.</footer>\n</body></html>\n"
    return out
  }

  /// The spec's `description:` line, if any.
  private var description: String {
    for line in run.manifest.specText.split(separator: "\n") where line.hasPrefix("description:") {
      return line.dropFirst("description:".count).trimmingCharacters(in: .whitespaces)
    }
    return ""
  }

  private func section(_ title: String, _ body: String) -> String {
    "<section><h2>\(XML.escape(title))</h2>\n\(body)\n</section>\n"
  }

  /// The grouped table as HTML: one table per stage, the best row marked.
  var tableHTML: String {
    var out = ""
    let grouped = !table.options.groupBy.isEmpty
    for b in table.blocks {
      var caption = "\(b.stage) (\(b.kind))"
      if grouped && !table.over.isEmpty { caption += " — mean ± sd over \(table.over.joined(separator: ", "))" }
      if let best = b.bestBy { caption += " — ★ best by \(best.maximize ? "highest" : "lowest") \(best.metric)" }
      out += "<table><caption>\(XML.escape(caption))</caption><thead><tr><th></th>"
      let axes = b.rows.first?.group.map(\.axis) ?? []
      for a in axes { out += "<th>\(XML.escape(a))</th>" }
      out += grouped ? "<th>n</th>" : "<th>task</th><th>status</th>"
      for metric in b.metrics { out += "<th>\(XML.escape(metric))\(b.perLayer.contains(metric) ? "~" : "")</th>" }
      out += "<th>time</th></tr></thead><tbody>\n"
      for r in b.rows {
        out += "<tr\(r.best ? " class=\"best\"" : "")><td>\(r.best ? "★" : "")</td>"
        for v in r.group { out += "<td>\(XML.escape(v.value.display))</td>" }
        out += grouped
          ? "<td class=\"num\">\(r.trials.count - r.incomplete)</td>"
          : "<td>\(XML.escape(r.tasks.first ?? ""))</td><td>\(XML.escape(r.status ?? ""))</td>"
        for metric in b.metrics {
          let cell = ResultTable.cell(r.summaries[metric], grouped: grouped)
          out += "<td class=\"num\">\(XML.escape(cell))</td>"
        }
        out += "<td class=\"num\">\(String(format: "%.2fs", r.seconds))</td></tr>\n"
      }
      out += "</tbody></table>\n"
    }
    if table.blocks.contains(where: { !$0.perLayer.isEmpty }) {
      out += "<p class=\"note\">~ per-layer metric: mean over layers. NaN/inf values are counted apart, never averaged.</p>\n"
    }
    return out
  }

  /// Tool version, backend, machine, timings, overrides, labels; every task's hash, status and time.
  var factsHTML: String {
    let m = run.manifest
    var rows: [(String, String)] = [
      ("run id", m.runID), ("spec", m.specPath), ("started", m.started), ("wall time", String(format: "%.2f s", m.seconds)),
      ("sprout", m.toolVersion), ("backend", m.backend), ("jobs", String(m.jobs)),
      ("machine", m.machine.keys.sorted().map { "\($0)=\(m.machine[$0]?.display ?? "")" }.joined(separator: " ")),
    ]
    if let seed = m.plan["rootSeed"]?.intValue { rows.append(("root seed", String(seed))) }
    if let overrides = m.plan["overrides"]?.arrayValue, !overrides.isEmpty {
      rows.append(("overrides", overrides.compactMap(\.stringValue).joined(separator: " ")))
    }
    if let count = m.plan["count"]?["statement"]?.stringValue { rows.append(("trials", count)) }
    if !run.labels.tags.isEmpty { rows.append(("tags", run.labels.tags.joined(separator: ", "))) }
    if let c = run.labels.gitCommit { rows.append(("spec's git commit", c + (run.labels.gitDirty ? " (uncommitted changes)" : ""))) }
    var out = "<table class=\"facts\"><tbody>\n"
    for (k, v) in rows { out += "<tr><th>\(XML.escape(k))</th><td>\(XML.escape(v))</td></tr>\n" }
    out += "</tbody></table>\n<table class=\"tasks\"><thead><tr><th>task</th><th>kind</th><th>status</th><th>steps</th><th>time</th><th>hash</th></tr></thead><tbody>\n"
    for t in run.tasks {
      out += "<tr><td>\(XML.escape(t.key))</td><td>\(XML.escape(t.kind))</td><td>\(XML.escape(t.status))</td>"
      out += "<td class=\"num\">\(t.outputs.map { String($0.steps) } ?? "")</td><td class=\"num\">\(String(format: "%.2fs", t.seconds))</td>"
      out += "<td><code title=\"\(XML.escape(t.hash))\">\(XML.escape(String(t.hash.prefix(12))))</code></td></tr>\n"
    }
    out += "</tbody></table>\n"
    return out
  }

  static let pageCSS = """
    *{box-sizing:border-box}
    :root{color-scheme:light dark}
    :root:has(#theme-light:checked){color-scheme:light}
    :root:has(#theme-dark:checked){color-scheme:dark}
    body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
    header,main,footer{max-width:1200px;margin:0 auto;padding:0 20px}
    header{padding-top:18px;display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 20px}
    h1{font-size:22px;margin:0}
    h2{font-size:17px;margin:26px 0 10px;border-bottom:1px solid var(--grid);padding-bottom:4px}
    .facts{color:var(--muted);margin:0}
    fieldset.theme{border:1px solid var(--grid);border-radius:6px;padding:2px 10px;margin-left:auto;color:var(--muted)}
    fieldset.theme legend{font-size:11px}
    table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}
    caption{text-align:left;font-weight:600;padding:4px 0;white-space:nowrap}
    th,td{padding:3px 10px;border-bottom:1px solid var(--grid);text-align:left;white-space:nowrap}
    th{color:var(--muted);font-weight:600}
    td.num{text-align:right}
    tr.best td{background:var(--panel);font-weight:600}
    tr.best td:first-child{color:var(--accent)}
    .charts{display:flex;flex-wrap:wrap;gap:14px}
    .charts svg{background:var(--panel);border-radius:6px;max-width:100%;height:auto}
    pre{background:var(--panel);padding:10px 12px;border-radius:6px;overflow:auto;font-size:12.5px}
    code{font-size:12.5px}
    .note,footer{color:var(--muted);font-size:12px}
    footer{padding:20px}
    """
}
