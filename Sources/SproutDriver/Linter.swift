import SproutDiagnostics
import SproutGraph
import SproutPlanner
import SproutRun
import SproutSpec
import SproutSyntax

/// How diagnostics are printed.
public enum DiagnosticFormat: String, CaseIterable, Sendable {
  /// `file:line:col: error: message [id]` with a source excerpt.
  case text
  /// A JSON array of diagnostic objects (docs/diagnostics.md).
  case json
  /// SARIF 2.1.0, for code-scanning services.
  case sarif
}

/// Options for `sprout lint`.
public struct LintOptions: Sendable {
  /// `--set key=value` overrides, checked like the file.
  public var overrides: [String]

  /// Creates options.
  public init(overrides: [String] = []) { self.overrides = overrides }
}

/// Everything `sprout lint` found in a set of files.
public struct LintReport: Sendable {
  /// All diagnostics, sorted by file and position.
  public var diagnostics: [Diagnostic]
  /// Source text by file name, for excerpts.
  public var sources: [String: String]
  /// Files that could not be read at all.
  public var unreadable: [SourceLoader.ReadError]
  /// Wall time of each phase, per file, in the order the files were checked.
  public var timings: [(file: String, phases: [PhaseTiming])] = []

  /// One line per file: `file: syntax 1.2 ms, spec 3.4 ms, graph 0.5 ms, plan 2.0 ms (total 7.1 ms)`.
  public var timingSummary: String {
    timings.map { entry in
      let phases = entry.phases.map { "\($0.phase) \(Self.milliseconds($0.seconds))" }.joined(separator: ", ")
      let total = entry.phases.reduce(0) { $0 + $1.seconds }
      return "\(entry.file): \(phases) (total \(Self.milliseconds(total)))\n"
    }.joined()
  }

  private static func milliseconds(_ seconds: Double) -> String {
    let tenths = Int((seconds * 10_000).rounded())
    return "\(tenths / 10).\(tenths % 10) ms"
  }

  /// 2 when a file could not be read, 1 when any error (or, with `strict`, any warning), else 0.
  public func exitCode(strict: Bool) -> Int32 {
    if !unreadable.isEmpty { return 2 }
    if diagnostics.contains(where: { $0.severity == .error }) { return 1 }
    if strict && diagnostics.contains(where: { $0.severity == .warning }) { return 1 }
    return 0
  }

  /// Renders the report in a format; unreadable files come first as plain error lines in text form.
  public func render(format: DiagnosticFormat, color: Bool) -> String {
    switch format {
    case .text:
      let io = unreadable.map { "sprout: error: \($0.description)\n" }.joined()
      return io + DiagnosticRenderer.text(diagnostics, sources: sources, color: color)
    case .json:
      return DiagnosticRenderer.json(diagnostics)
    case .sarif:
      return DiagnosticRenderer.sarif(diagnostics, toolVersion: SproutVersion.current)
    }
  }
}

/// `sprout lint`: Syntax → Spec → Graph → Plan with nothing executed.
public enum Linter {
  /// Lints every file, collecting all diagnostics of all files in one report.
  public static func lint(paths: [String], options: LintOptions = LintOptions()) -> LintReport {
    Languages.registerCatalogs()
    var report = LintReport(diagnostics: [], sources: [:], unreadable: [])
    for path in paths {
      let bytes: [UInt8]
      do { bytes = try SourceLoader.read(path) } catch {
        report.unreadable.append(error)
        continue
      }
      let name = path == "-" ? "<stdin>" : path
      let front = Frontend.check(
        bytes: bytes, file: name, overrides: options.overrides, options: PlanOptions(checkOnly: true))
      report.sources[name] = front.text
      report.timings.append((name, front.timings))
      report.diagnostics.append(contentsOf: front.diagnostics.sorted)
    }
    return report
  }
}
