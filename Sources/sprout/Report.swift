import ArgumentParser
import Foundation
import SproutDriver
import SproutResults

/// `sprout report RUN`: one self-contained HTML page.
struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a self-contained HTML report of a run: table, curves, metric vs axis, spec and facts.")

  @Argument(help: "A run id, a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(
    help: "Directory to write report-<run>.html in (default: the current directory).",
    transform: { try PathArgument.output($0) })
  var out: String = "."

  @Option(help: "Axes averaged over (comma-separated; default seed).")
  var over: [String] = []

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      let run = try RunResults.load(runID, store: try Running.openStore(store))
      let report = try HTMLReport(run: run, over: over.isEmpty ? nil : commaList(over))
      let path = try report.write(to: out)
      Terminal.write("\(path)\n", to: .standardOutput)
    }
  }
}
