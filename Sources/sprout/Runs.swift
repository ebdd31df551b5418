import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout runs`: find past runs in the index.
struct Runs: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List runs newest first, filtered by spec, tag, date and final metrics (from .sprout/index.sqlite).")

  @Option(help: "The experiment's name or the spec file.")
  var spec: String?

  @Option(help: "Runs with this tag (repeatable: all of them).")
  var tag: [String] = []

  @Option(help: "Runs started since: 2026-11-29, 2026-11-29T15:00:00Z, or a time ago (12h, 7d, 2w).")
  var since: String?

  @Option(name: .customLong("where"), help: "A condition on final metrics or axes: 'accuracy > 0.9', 'test/loss < 0.1', 'init = orthogonal'. Repeatable.")
  var conditions: [String] = []

  @Option(help: "At most this many runs.")
  var limit: Int?

  @Option(help: "Output format: table, json or csv.")
  var format: TableFormat = .table

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      var query = RunQuery()
      query.spec = spec
      query.tags = tag
      query.since = try since.map { try RunQuery.since($0) }
      query.conditions = try conditions.flatMap { try RunQuery.conditions($0) }
      query.limit = limit
      let index = try RunIndex(store: try Running.openStore(store))
      try index.refresh()
      Terminal.write(RunListing.render(try index.runs(query), format: format), to: .standardOutput)
    }
  }
}
