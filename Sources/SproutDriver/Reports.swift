import SproutDiagnostics
import SproutRun

/// Text rendering of diagnostics for commands other than lint.
public enum DiagnosticsText {
  /// `file:line:col: error: ...` with excerpts, as lint prints them.
  public static func render(_ diagnostics: [Diagnostic], sources: [String: String], color: Bool) -> String {
    DiagnosticRenderer.text(diagnostics, sources: sources, color: color)
  }
}

/// Text rendering of a rerun comparison.
public enum RerunText {
  /// One line per task (`match` or `DIFFERS` with the first divergence), then a verdict.
  public static func render(_ report: Rerun.Report) -> String {
    var out = "rerun of \(report.runID) in \(report.scratch)\n"
    let width = report.tasks.map(\.key.count).max() ?? 0
    for t in report.tasks {
      let key = t.key.padding(toLength: width, withPad: " ", startingAt: 0)
      if t.matches {
        out += "\(key)  match    \(t.hash.prefix(12))\n"
        continue
      }
      out += "\(key)  DIFFERS  \(t.hash.prefix(12))"
      if let d = t.divergence {
        out += ": first divergence"
        if let step = d.step { out += " at step \(step)" }
        out += " in \(d.what) (\(d.detail))"
      } else if !t.differingOutputs.isEmpty {
        out += ": outputs \(t.differingOutputs.joined(separator: ", "))"
      }
      if let problem = t.problem { out += ": \(problem)" }
      out += "\n"
    }
    let differing = report.tasks.filter { !$0.matches }.count
    out +=
      differing == 0
      ? "all \(report.tasks.count) tasks reproduce bit for bit\n"
      : "\(differing) of \(report.tasks.count) tasks differ; first: \(report.firstMismatch?.key ?? "?")\n"
    return out
  }
}
