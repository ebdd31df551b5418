import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutRun

/// The figures of a run, drawn from the store: learning curves (mean over the trials of a group, ±sd band)
/// and final metrics against a numeric axis (one line per value of the other axes).
public struct Figures: Sendable {
  /// The run.
  public var run: RunResults
  /// Axes whose trials are averaged together: by default `seed`, the axis researchers repeat over.
  public var over: [String]
  /// Every task's records, by task key (read once, in parallel).
  private var records: [String: [MetricRecord]]

  /// Prepares the figures of `run`, averaging over `over` (default: the `seed` axis, when the matrix has one);
  /// reads the metrics of every task of `stages` (default: every stage).
  /// - Throws: the store's error when a completed task's metrics file cannot be read or parsed (a figure silently
  ///   missing a task's curve would misreport the run).
  public init(run: RunResults, over: [String]? = nil, stages: Set<String>? = nil) throws {
    self.run = run
    self.over = over ?? run.axes.filter { $0 == "seed" }
    let tasks = run.tasks.filter { $0.outputs != nil && (stages?.contains($0.stage) ?? true) }
    let store = run.store
    let read = ParallelMap.map(tasks) { t in (t.key, Result { try store.metrics(t.hash) }) }
    records = Dictionary(try read.map { ($0.0, try $0.1.get()) }, uniquingKeysWith: { a, _ in a })
  }

  /// The axes that separate lines: every axis not averaged over.
  public var groupAxes: [String] { run.axes.filter { !over.contains($0) } }

  /// Stages with a learning curve (a task with more than one record) and their scalar metrics.
  public var curveStages: [(stage: String, metrics: [String])] {
    run.stages.compactMap { stage in
      let tasks = run.tasks.filter { $0.stage == stage }
      guard tasks.contains(where: { (records[$0.key]?.count ?? 0) > 1 }) else { return nil }
      var names = Set<String>()
      for t in tasks { for r in records[t.key] ?? [] { for (k, v) in r.values where MetricScalar.value(v) != nil { names.insert(k) } } }
      return names.isEmpty ? nil : (stage, names.sorted())
    }
  }

  /// Line label of a group: `init=xavier width=64`, or `all trials` with no axis.
  static func label(_ values: [AxisAssignment]) -> String {
    values.isEmpty ? "all trials" : values.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ")
  }

  /// Learning curves of one metric of one stage: per group, the mean over its trials at each recorded step,
  /// with a ±sd band where the group has more than one finite value at a step.
  public func curves(stage: String, metric: String, by axes: [String]? = nil) -> LineChart {
    let axes = axes ?? groupAxes
    let trials = run.trialsByID
    var order: [[AxisAssignment]] = []
    var groups: [[AxisAssignment]: [RunResults.Task]] = [:]
    for t in run.tasks where t.stage == stage && records[t.key] != nil {
      let key = axes.map { AxisAssignment(axis: $0, value: trials[t.trial]?[$0] ?? .string(t.trial)) }
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(t)
    }
    var series: [LineChart.Series] = []
    var banded = false
    for key in order {
      var byStep: [Int: [Double]] = [:]
      for t in groups[key] ?? [] {
        for r in records[t.key] ?? [] {
          if let v = r.values[metric].flatMap(MetricScalar.value) { byStep[r.step, default: []].append(v) }
        }
      }
      var points: [(x: Double, y: Double)] = []
      var band: [(x: Double, low: Double, high: Double)] = []
      for step in byStep.keys.sorted() {
        let s = Summary(byStep[step] ?? [])
        guard s.n > 0 else {
          points.append((Double(step), .nan))
          continue
        }
        points.append((Double(step), s.mean))
        if let sd = s.sd {
          band.append((Double(step), s.mean - sd, s.mean + sd))
          banded = true
        }
      }
      series.append(LineChart.Series(name: Self.label(key), points: points, band: band))
    }
    let n = over.isEmpty ? "" : " over \(over.joined(separator: ", "))"
    return LineChart(
      title: "\(stage): \(metric)", xLabel: "step", yLabel: metric, series: series,
      note: banded ? "line: mean\(n); band: ±1\u{00A0}sd" : "")
  }

  /// A final metric of one stage against a numeric axis: per value of the other grouping axes a line through
  /// the means at each value of `axis` (±sd band over `over`); x on a log scale where the values span
  /// two decades or more.
  public func againstAxis(stage: String, metric: String, axis: String, by lineAxes: [String]? = nil) -> LineChart {
    let lineAxes = lineAxes ?? groupAxes.filter { $0 != axis }
    let trials = run.trialsByID
    var order: [[AxisAssignment]] = []
    var lines: [[AxisAssignment]: [Double: [Double]]] = [:]
    for t in run.tasks where t.stage == stage {
      guard let trial = trials[t.trial], let x = trial[axis]?.doubleValue,
        let v = t.finalMetrics[metric].flatMap(MetricScalar.value)
      else { continue }
      let key = lineAxes.map { AxisAssignment(axis: $0, value: trial[$0] ?? .null) }
      if lines[key] == nil { order.append(key) }
      lines[key, default: [:]][x, default: []].append(v)
    }
    var series: [LineChart.Series] = []
    var banded = false
    for key in order {
      let byX = lines[key] ?? [:]
      var points: [(x: Double, y: Double)] = []
      var band: [(x: Double, low: Double, high: Double)] = []
      for x in byX.keys.sorted() {
        let s = Summary(byX[x] ?? [])
        points.append((x, s.n > 0 ? s.mean : .nan))
        if let sd = s.sd {
          band.append((x, s.mean - sd, s.mean + sd))
          banded = true
        }
      }
      series.append(LineChart.Series(name: Self.label(key), points: points, band: band))
    }
    let xs = Set(lines.values.flatMap(\.keys))
    let logX = !xs.isEmpty && xs.allSatisfy { $0 > 0 } && (xs.max() ?? 1) / (xs.min() ?? 1) >= 100
    let n = over.isEmpty ? "" : " over \(over.joined(separator: ", "))"
    return LineChart(
      title: "\(stage): final \(metric) vs \(axis)", xLabel: axis, yLabel: metric, series: series, markers: true,
      xLog: logX, note: banded ? "mean\(n) ±1\u{00A0}sd" : "")
  }

  /// Final scalar metrics of a stage (for the axis plots).
  public func finalMetrics(stage: String) -> [String] {
    var names = Set<String>()
    for t in run.tasks where t.stage == stage {
      for (k, v) in t.finalMetrics where MetricScalar.value(v) != nil { names.insert(k) }
    }
    return names.sorted()
  }
}
