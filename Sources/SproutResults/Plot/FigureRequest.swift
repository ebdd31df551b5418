import Foundation
import SproutRun

/// `sprout plot`: which figure to draw — a metric's learning curve, or its final value against an axis.
public struct FigureRequest: Sendable {
  /// The metric.
  public var metric: String
  /// A numeric axis for x (final values); nil: the learning curve over steps.
  public var by: String?
  /// The stage; nil: the first stage that recorded the metric (with a curve, for curves).
  public var stage: String?
  /// Axes averaged over (default `seed`).
  public var over: [String]?

  /// Checks the request against nothing yet; ``chart(of:)`` checks it against the run.
  public init(metric: String, by: String? = nil, stage: String? = nil, over: [String]? = nil) throws {
    self.metric = metric
    self.by = by
    self.stage = stage
    self.over = over
  }

  /// The chart, or an error naming the stages, metrics or axes that exist.
  public func chart(of run: RunResults) throws -> LineChart {
    for axis in over ?? [] where !run.axes.contains(axis) {
      throw ResultsError("no axis '\(axis)' in run \(run.runID); axes: \(run.axes.joined(separator: ", "))")
    }
    if let stage, !run.stages.contains(stage) {
      throw ResultsError("no stage '\(stage)' in run \(run.runID); stages: \(run.stages.joined(separator: ", "))")
    }
    let figures = try Figures(run: run, over: over, stages: stage.map { [$0] })
    if let axis = by {
      guard run.axes.contains(axis) else {
        throw ResultsError("no axis '\(axis)' in run \(run.runID); axes: \(run.axes.joined(separator: ", "))")
      }
      guard run.numericAxes.contains(axis) else {
        throw ResultsError("axis '\(axis)' is not numeric; numeric axes: \(run.numericAxes.joined(separator: ", "))")
      }
      let stages = stage.map { [$0] } ?? run.stages.filter { figures.finalMetrics(stage: $0).contains(metric) }
      guard let s = stages.first, figures.finalMetrics(stage: s).contains(metric) else {
        throw ResultsError("no final metric '\(metric)'\(stage.map { " in stage '\($0)'" } ?? ""); metrics: \(allFinal(run, figures).joined(separator: ", "))")
      }
      return figures.againstAxis(stage: s, metric: metric, axis: axis)
    }
    let curves = figures.curveStages.filter { stage == nil || $0.stage == stage }
    guard let entry = curves.first(where: { $0.metrics.contains(metric) }) else {
      let names = Set(curves.flatMap(\.metrics)).sorted()
      throw ResultsError(
        "no learning curve of '\(metric)'\(stage.map { " in stage '\($0)'" } ?? "")"
          + (names.isEmpty ? " (no stage recorded more than one step; use --by AXIS for final values)" : "; curves: \(names.joined(separator: ", "))"))
    }
    return figures.curves(stage: entry.stage, metric: metric)
  }

  private func allFinal(_ run: RunResults, _ figures: Figures) -> [String] {
    Set(run.stages.flatMap { figures.finalMetrics(stage: $0) }).sorted()
  }

  /// Writes text to a file atomically.
  public static func write(_ text: String, to path: String) throws {
    try AtomicFile.write(text, to: path)
  }
}

extension HTMLReport {
  /// Writes `report-<run id>.html` in `directory` (created if missing) and returns its path.
  public func write(to directory: String) throws -> String {
    try AtomicFile.makeDirectory(directory)
    let path = "\(directory)/report-\(run.runID).html"
    try AtomicFile.write(html, to: path)
    return path
  }
}

/// Files written by `sprout export`.
public enum ExportFiles {
  /// Writes the tidy CSV of a run to `path` (atomically).
  public static func writeCSV(_ run: RunResults, stage: String?, to path: String) throws {
    var bytes: [UInt8] = []
    try TidyCSV.write(run, stage: stage) { bytes += $0.utf8 }
    try AtomicFile.write(bytes, to: path)
  }
}
