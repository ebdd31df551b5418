import ArgumentParser
import SproutDriver
import SproutResults

/// `sprout plot RUN --metric NAME`: one SVG figure.
struct PlotCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plot",
    abstract: "Draw one figure as SVG: a metric's learning curve, or its final value against an axis (--by).")

  @Argument(help: "A run id, a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "The metric to draw.")
  var metric: String

  @Option(help: "A numeric axis for the x axis (final values against it); default: the learning curve over steps.")
  var by: String?

  @Option(help: "The stage (default: the first stage that recorded the metric).")
  var stage: String?

  @Option(help: "Axes averaged over (comma-separated; default seed).")
  var over: [String] = []

  @Option(
    name: [.short, .customLong("output")], help: "The SVG file to write (default: standard output).",
    transform: { try PathArgument.output($0) })
  var output: String?

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  func run() throws {
    try reportingErrors {
      let run = try RunResults.load(runID, store: try Running.openStore(store))
      let chart = try FigureRequest(metric: metric, by: by, stage: stage, over: over.isEmpty ? nil : commaList(over))
        .chart(of: run)
      let svg = chart.svg(standalone: true)
      if let output {
        try FigureRequest.write(svg, to: output)
        Terminal.write("\(output)\n", to: .standardOutput)
      } else {
        Terminal.write(svg, to: .standardOutput)
      }
    }
  }
}
