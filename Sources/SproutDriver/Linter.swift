import Foundation
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
  /// `--max-trials N`: the most trials a matrix may form.
  public var maxTrials: Int
  /// Keep files' front ends (their YAML trees, specs, graphs and plans) in ``LintReport/frontEnds`` instead of freeing
  /// each one when its diagnostics have been taken, until the kept files' sources add up to this many bytes (0: keep
  /// none). For a process that exits right after printing the report (the CLI), which then frees none of it: freeing
  /// was ~12 M instructions of linting a 10,000-line spec, 3 % of linting 1,000 small ones. The bound keeps memory
  /// from growing with the number of files (a kept front end holds ~50 bytes per byte of source).
  public var keptSourceBytes: Int

  /// Creates options.
  public init(overrides: [String] = [], maxTrials: Int = MatrixExpansion.defaultTrialLimit, keptSourceBytes: Int = 0) {
    self.overrides = overrides
    self.maxTrials = maxTrials
    self.keptSourceBytes = keptSourceBytes
  }
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
  /// The front ends kept (``LintOptions/keptSourceBytes``), in argument order.
  public var frontEnds: [Frontend] = []

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
  /// Lints every file, collecting all diagnostics of all files in one report (in the order the files were given).
  ///
  /// Files are checked on up to `ProcessInfo.activeProcessorCount` threads; each file's check is independent and
  /// the report is assembled in argument order, so the output does not depend on the thread count.
  public static func lint(paths: [String], options: LintOptions = LintOptions()) -> LintReport {
    Languages.registerCatalogs()
    let results = Results(count: paths.count)
    // One cache of what lint read from data files, for every spec of this run.
    let files = DataFiles()
    @Sendable func work(_ i: Int) {
      let path = paths[i]
      let bytes: [UInt8]
      do { bytes = try SourceLoader.read(path) } catch {
        results.set(i, .unreadable(error))
        return
      }
      let name = path == "-" ? "<stdin>" : path
      let front = Frontend.check(
        bytes: bytes, file: name, overrides: options.overrides,
        options: PlanOptions(checkOnly: true, maxTrials: options.maxTrials), files: files,
        // A stream: every trial is checked, and no task is made (lint reads only the diagnostics).
        stream: true)
      results.set(
        i,
        .checked(
          name: name, text: front.text, diagnostics: front.diagnostics.sorted, timings: front.timings,
          kept: results.keeps(bytes.count, within: options.keptSourceBytes) ? front : nil))
    }
    if paths.count > 1 && !paths.contains("-") {
      DispatchQueue.concurrentPerform(iterations: paths.count) { work($0) }
    } else {
      for i in paths.indices { work(i) }
    }
    var report = LintReport(diagnostics: [], sources: [:], unreadable: [])
    for result in results.all {
      switch result {
      case .checked(let name, let text, let diagnostics, let timings, let kept):
        report.sources[name] = text
        report.timings.append((name, timings))
        report.diagnostics.append(contentsOf: diagnostics)
        if let kept { report.frontEnds.append(kept) }
      case .unreadable(let error):
        report.unreadable.append(error)
      case nil:
        break
      }
    }
    return report
  }

  /// One file's outcome.
  private enum FileResult {
    case checked(name: String, text: String, diagnostics: [Diagnostic], timings: [PhaseTiming], kept: Frontend?)
    case unreadable(SourceLoader.ReadError)
  }

  /// Per-file slots written by the worker threads.
  private final class Results: @unchecked Sendable {
    // @unchecked Sendable: every read and write of `slots` holds `lock`.
    private let lock = NSLock()
    private var slots: [FileResult?]
    /// Bytes of source of the files whose front ends are kept.
    private var keptBytes = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ result: FileResult) { lock.withLock { slots[i] = result } }

    /// Whether a file of `count` bytes is kept, the kept ones' bytes staying within `budget` (counts it when kept).
    func keeps(_ count: Int, within budget: Int) -> Bool {
      lock.withLock {
        guard keptBytes + count <= budget else { return false }
        keptBytes += count
        return true
      }
    }

    var all: [FileResult?] { lock.withLock { slots } }
  }
}
