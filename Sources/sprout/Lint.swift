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
    let report = Linter.lint(paths: files, options: LintOptions(overrides: overrides, maxTrials: maxTrials))
    let output = report.render(format: format, color: Terminal.useColor(for: .standardError))
    switch format {
    case .text: Terminal.write(output, to: .standardError)
    case .json, .sarif: Terminal.write(output, to: .standardOutput)
    }
    if timePhases { Terminal.write(report.timingSummary, to: .standardError) }
    throw ExitCode(report.exitCode(strict: strict))
  }
}

extension DiagnosticFormat: ExpressibleByArgument {}
