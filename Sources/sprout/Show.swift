import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout show RUN`: final metrics per task, or grouped over seeds with mean ± sd.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a run's results: final metrics per task, or grouped with mean ± sd over the other axes.",
    discussion: "See docs/results.md. Non-finite values (diverged trials) are counted apart, never averaged.")

  @Argument(help: "A run id, a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(name: .customLong("group-by"), help: "Axes to group trials by (comma-separated); the rest are summarised.")
  var groupBy: [String] = []

  @Option(parsing: .unconditional, help: "Sort rows by a metric's mean; -METRIC sorts descending. The first row is marked best.")
  var sort: String?

  @Option(help: "Metrics to show (comma-separated or repeated; default all).")
  var metric: [String] = []

  @Option(help: "Show one stage.")
  var stage: String?

  @Option(help: "Output format: table, json or csv.")
  var format: TableFormat = .table

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      let run = try RunResults.load(runID, store: try Running.openStore(store))
      let options = ShowOptions(groupBy: commaList(groupBy), sort: sort, metrics: commaList(metric), stage: stage)
      Terminal.write(try ResultTable.make(run, options: options).render(format), to: .standardOutput)
    }
  }
}

extension TableFormat: ExpressibleByArgument {
  public init?(argument: String) {
    // `text` is the name other commands use for the default.
    self.init(rawValue: argument == "text" ? "table" : argument)
  }
}
