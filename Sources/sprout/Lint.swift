import ArgumentParser
import Foundation
import SproutDriver
import SproutPlanner

/// `sprout lint FILE...`: every problem in every file, as text, JSON or SARIF.
struct Lint: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lint",
    abstract: "Check spec files without running anything.",
    discussion: "Exit status: 0 no errors (warnings allowed unless --strict), 1 errors, 2 could not run.")

  @Argument(help: "Spec files to check ('-' reads standard input).")
  var files: [String]

  @Option(help: "Output format: text, json or sarif.")
  var format: DiagnosticFormat = .text

  @Flag(help: "Treat warnings as errors.")
  var strict = false

  @Flag(help: "Print each file's time per phase (syntax, spec, graph, plan) to standard error.")
  var timePhases = false

  @Option(name: .customLong("set"), help: "Override a value: key=value (e.g. params.lr=0.1). Repeatable.")
  var overrides: [String] = []

  @Option(help: "Refuse a matrix that forms more trials than this (default 1,000,000).")
  var maxTrials: Int = MatrixExpansion.defaultTrialLimit

  func validate() throws {
    if maxTrials < 1 { throw ValidationError("--max-trials must be at least 1") }
  }

  func run() throws {
    let report = Linter.lint(
      paths: files,
      // Kept, not freed, up to 512 KiB of source (a 15,000-line spec; ~25 MB of trees when they are many files'):
      // the process ends right after the report.
      options: LintOptions(overrides: overrides, maxTrials: maxTrials, keptSourceBytes: 1 << 19))
    let output = report.render(format: format, color: Terminal.useColor(for: .standardError))
    switch format {
    case .text: Terminal.write(output, to: .standardError)
    case .json, .sarif: Terminal.write(output, to: .standardOutput)
    }
    if timePhases { Terminal.write(report.timingSummary, to: .standardError) }
    // The process ends here, with the status `main` would give a thrown `ExitCode`: returning would first free every
    // file's trees (kept in the report for this), work nobody needs (bench/lint/RESULTS.md).
    Foundation.exit(report.exitCode(strict: strict))
  }
}

extension DiagnosticFormat: ExpressibleByArgument {}

extension Lint {
  /// The common command lines, `sprout lint FILE...` with any of `--format F`, `--strict` and `--time-phases` once
  /// each, read without ArgumentParser; nil for anything else (an option it does not take, a repeated one, an
  /// argument starting with `-`, no file, an unknown format), which ArgumentParser then parses as always.
  ///
  /// Each of those reads the same `Lint` that ArgumentParser makes of it (LintCommandTests runs both ways and
  /// compares). Why: ArgumentParser's parse is ~18 M instructions of the protocol-conformance look-ups over the
  /// static binary that its reflection and `as?` casts set off — about as much as building the graph of a
  /// 10,000-line spec — and it collects positional arguments one copy of the whole array at a time, which made
  /// `sprout lint` with 1,000 files spend 337 M instructions (a sixth of the run) in argument parsing
  /// (bench/lint/RESULTS.md).
  static func parsedDirectly(_ arguments: [String]) throws -> Lint? {
    guard arguments.first == "lint" else { return nil }
    var files: [String] = []
    var format: DiagnosticFormat?
    var strict = false
    var timePhases = false
    var i = 1
    while i < arguments.count {
      let argument = arguments[i]
      if !argument.isEmpty && !argument.hasPrefix("-") {
        files.append(argument)
      } else if argument == "--strict" && !strict {
        strict = true
      } else if argument == "--time-phases" && !timePhases {
        timePhases = true
      } else if argument == "--format", format == nil, i + 1 < arguments.count,
        let f = DiagnosticFormat(rawValue: arguments[i + 1])
      {
        format = f
        i += 1
      } else {
        return nil
      }
      i += 1
    }
    guard !files.isEmpty else { return nil }
    // Every property is set: one left as declared would trap when read (a property wrapper ArgumentParser did not
    // fill in).
    var lint = Lint()
    lint.files = files
    lint.format = format ?? .text
    lint.strict = strict
    lint.timePhases = timePhases
    lint.overrides = []
    lint.maxTrials = MatrixExpansion.defaultTrialLimit
    try lint.validate()
    return lint
  }
}
