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
  /// One line per task (`match`, or where it first differs), then a verdict.
  public static func render(_ report: Rerun.Report) -> String { report.text }
}
