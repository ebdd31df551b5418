import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout compare A B`: two runs side by side.
struct Compare: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare two runs: matching trials with metric deltas, and what differs in their specs.")

  @Argument(help: "Run A (id, unique prefix or 'latest').")
  var runA: String

  @Argument(help: "Run B.")
  var runB: String

  @Option(help: "Metrics to compare (comma-separated or repeated; default all).")
  var metric: [String] = []

  @Option(help: "Output format: table, json or csv.")
  var format: TableFormat = .table

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      let s = try Running.openStore(store)
      let a = try RunResults.load(runA, store: s, configs: true)
      let b = try RunResults.load(runB, store: s, configs: true)
      let comparison = RunComparison.make(a, b, metrics: commaList(metric))
      Terminal.write(comparison.render(format), to: .standardOutput)
    }
  }
}
