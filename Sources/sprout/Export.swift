import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout export RUN`: every recorded number for other tools.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export a run's metrics: tidy CSV (pandas, polars, R) or TensorBoard event files.")

  @Argument(help: "A run id, a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "csv (tidy long form) or tensorboard (a log directory; needs --out).")
  var format: ExportFormat = .csv

  @Option(
    help: "The CSV file, or the TensorBoard log directory (CSV default: standard output).",
    transform: { try PathArgument.output($0) })
  var out: String?

  @Option(help: "Export one stage (CSV).")
  var stage: String?

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func validate() throws {
    if format == .tensorboard && out == nil { throw ValidationError("--format tensorboard needs --out DIR") }
  }

  func run() throws {
    try reportingErrors {
      let run = try RunResults.load(runID, store: try Running.openStore(store))
      switch format {
      case .csv:
        if let out {
          try ExportFiles.writeCSV(run, stage: stage, to: out)
          Terminal.write("\(out)\n", to: .standardOutput)
        } else {
          try TidyCSV.write(run, stage: stage) { Terminal.write($0, to: .standardOutput) }
        }
      case .tensorboard:
        let summary = try TensorBoardExport.write(run, to: out ?? ".")
        Terminal.write(
          "\(out ?? "."): \(summary.runs) runs, \(summary.scalars) scalars (tensorboard --logdir \(out ?? "."))\n",
          to: .standardOutput)
      }
    }
  }
}

/// Formats of `sprout export`.
enum ExportFormat: String, ExpressibleByArgument {
  case csv, tensorboard
}
