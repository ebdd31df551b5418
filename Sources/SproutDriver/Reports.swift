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

  /// Every problem `sprout verify` found, then a verdict.
  public static func render(_ report: Verification.Report) -> String { report.text }
}

/// JSON of `sprout run --format json` and `sprout rerun --format json` (standard output), for scripts.
public enum RunJSON {
  /// `{run_id, exit_code, seconds, tasks: [{key, hash, status, seconds, steps, final_metrics, error}], diagnostics}`.
  public static func render(_ outcome: RunOutcome) -> String {
    var o: [String: JSONValue] = ["exit_code": .int(Int(outcome.exitCode))]
    if let s = outcome.summary {
      o["run_id"] = .string(s.runID)
      o["seconds"] = .double(s.manifest.seconds)
      o["tasks"] = .array(
        s.results.map { r in
          var t: [String: JSONValue] = [
            "key": .string(r.key), "hash": .string(r.hash), "status": .string(r.status.rawValue),
            "seconds": .double(r.seconds),
          ]
          if let out = r.outputs {
            t["steps"] = .int(out.steps)
            t["final_metrics"] = .object(out.finalMetrics)
          }
          if let e = r.error { t["error"] = .string(e.description) }
          return .object(t)
        })
    }
    o["diagnostics"] = .array(
      outcome.diagnostics.map { d in
        .object([
          "id": .string(d.id.description), "severity": .string(d.severity.rawValue), "message": .string(d.message),
          "file": .string(d.range.file), "line": .int(d.range.start.line), "column": .int(d.range.start.column),
        ])
      })
    return JSONValue.object(o).pretty() + "\n"
  }

  /// `{run_id, all_match, scratch, scratch_kept, first_divergence, tasks: [{key, hash, matches,
  /// differing_outputs, divergence: {step, what, detail, file}, damage, problem}]}`.
  public static func render(_ report: Rerun.Report) -> String { report.json }

  /// `{run_id, ok, tasks, files, problems: [{task, file, step, item, message}]}`.
  public static func render(_ report: Verification.Report) -> String { report.json }
}
