import SproutDiagnostics
import SproutPlanner
import SproutRun

/// What `sprout show` asks for.
public struct ShowOptions: Sendable, Hashable {
  /// Axes to group trials by (`--group-by init,width`); empty: one row per task.
  public var groupBy: [String]
  /// The metric rows are sorted by (`--sort accuracy`); descending when `descending`.
  public var sort: String?
  /// Sort descending (`--sort -accuracy`).
  public var descending: Bool
  /// Metrics to show (`--metric`); empty: all.
  public var metrics: [String]
  /// The stage to show (`--stage`); nil: all.
  public var stage: String?

  /// Creates options; `sort` may start with `-` for descending.
  public init(groupBy: [String] = [], sort: String? = nil, metrics: [String] = [], stage: String? = nil) {
    self.groupBy = groupBy
    if let sort, sort.hasPrefix("-") {
      self.sort = String(sort.dropFirst())
      descending = true
    } else {
      self.sort = sort
      descending = false
    }
    self.metrics = metrics
    self.stage = stage
  }
}

/// A problem with what `show` (or `plot`, `report`) was asked for: an unknown axis, metric or stage.
public struct ResultsError: Error, CustomStringConvertible, Sendable {
  /// What is wrong, with the names that exist.
  public var description: String
  /// Creates an error.
  public init(_ description: String) { self.description = description }
}

/// The results of a run as tables: per stage, one row per task or per group of trials, every final metric
/// summarised over the trials of the group (mean, sd, 95% CI, non-finite values apart), sorted, with the
/// best row marked; and what each `select` stage chose, with the numbers it chose by.
public struct ResultTable: Sendable {
  /// One row: a task (no grouping) or a group of trials.
  public struct Row: Sendable {
    /// The group's axis values (all of the trial's values when not grouping).
    public var group: [AxisAssignment]
    /// Trial ids in the row.
    public var trials: [String]
    /// Task keys in the row.
    public var tasks: [String]
    /// Tasks in the row that did not complete (failed, cancelled, skipped, pending).
    public var incomplete: Int
    /// Metric → summary over the row's completed tasks.
    public var summaries: [String: Summary]
    /// The last step of the row's tasks (when they agree): the step the final metrics were recorded at.
    public var step: Int?
    /// Seconds, summed over the row's tasks.
    public var seconds: Double
    /// The task's status, when the row is one task.
    public var status: String?
    /// True for the best row of its block.
    public var best = false
  }

  /// One stage's rows.
  public struct Block: Sendable {
    /// Stage name.
    public var stage: String
    /// Stage kind.
    public var kind: String
    /// Metric names shown, in order.
    public var metrics: [String]
    /// Metrics that are per-layer maps (shown as their mean over layers).
    public var perLayer: Set<String>
    /// Rows in display order.
    public var rows: [Row]
    /// The metric and direction that decided the best row, if any.
    public var bestBy: (metric: String, maximize: Bool)?
  }

  /// The run.
  public var run: RunResults
  /// The options the table was made with.
  public var options: ShowOptions
  /// Axes the rows summarise over (those not grouped by).
  public var over: [String]
  /// One block per stage.
  public var blocks: [Block]
  /// What each select stage chose.
  public var selections: [SelectChoice]

  /// Builds the table; throws for an unknown axis, stage or metric, naming those that exist.
  public static func make(_ run: RunResults, options: ShowOptions) throws -> ResultTable {
    for axis in options.groupBy where !run.axes.contains(axis) {
      throw ResultsError(
        "no axis '\(axis)' in run \(run.runID); axes: \(run.axes.isEmpty ? "(none: the spec has no matrix)" : run.axes.joined(separator: ", "))")
    }
    if let stage = options.stage, !run.stages.contains(stage) {
      throw ResultsError("no stage '\(stage)' in run \(run.runID); stages: \(run.stages.joined(separator: ", "))")
    }
    let allMetrics = Set(run.tasks.flatMap { $0.finalMetrics.keys })
    for metric in options.metrics + [options.sort].compactMap({ $0 }) where !allMetrics.contains(metric) {
      throw ResultsError(
        "no metric '\(metric)' in run \(run.runID); metrics: \(allMetrics.sorted().joined(separator: ", "))")
    }
    let trials = run.trialsByID
    let selections = SelectChoice.all(in: run)
    var blocks: [Block] = []
    for stage in run.stages where options.stage == nil || options.stage == stage {
      let tasks = run.tasks.filter { $0.stage == stage }
      guard let first = tasks.first else { continue }
      if first.kind == "select" && options.stage == nil { continue }  // shown as a choice, not a table
      var names = Set<String>()
      var perLayer = Set<String>()
      for t in tasks {
        for (k, v) in t.finalMetrics where MetricScalar.value(v) != nil {
          names.insert(k)
          if MetricScalar.isPerLayer(v) { perLayer.insert(k) }
        }
      }
      let metrics = options.metrics.isEmpty ? names.sorted() : options.metrics.filter(names.contains)
      var rows = group(tasks, trials: trials, by: options.groupBy, metrics: metrics)
      let bestBy = Self.bestBy(options: options, metrics: Set(metrics), run: run, selections: selections, stage: stage)
      if let sort = options.sort, metrics.contains(sort) {
        rows = Self.sorted(rows, by: sort, descending: options.descending)
      }
      if let bestBy, let i = Self.bestIndex(rows, by: bestBy.metric, maximize: bestBy.maximize) { rows[i].best = true }
      blocks.append(
        Block(stage: stage, kind: first.kind, metrics: metrics, perLayer: perLayer, rows: rows, bestBy: bestBy))
    }
    return ResultTable(
      run: run, options: options, over: run.axes.filter { !options.groupBy.contains($0) }, blocks: blocks,
      selections: selections)
  }

  /// Groups tasks by axis values in order of first appearance (matrix order); no axes: one row per task.
  static func group(
    _ tasks: [RunResults.Task], trials: [String: RunResults.Trial], by axes: [String], metrics: [String]
  ) -> [Row] {
    var order: [[AxisAssignment]] = []
    var members: [[AxisAssignment]: [RunResults.Task]] = [:]
    // Grouped rows summarise what ran: a task its select did not choose is left out (one row per task shows it).
    for t in tasks where axes.isEmpty || t.status != "not_chosen" {
      let trial = trials[t.trial]
      let key: [AxisAssignment]
      if axes.isEmpty {
        key = (trial?.values ?? []) + [AxisAssignment(axis: "task", value: .string(t.key))]
      } else {
        key = axes.map { AxisAssignment(axis: $0, value: trial?[$0] ?? .string(t.trial)) }
      }
      if members[key] == nil { order.append(key) }
      members[key, default: []].append(t)
    }
    return order.map { key in
      let group = members[key] ?? []
      let done = group.filter { $0.outputs != nil }
      var summaries: [String: Summary] = [:]
      for m in metrics {
        summaries[m] = Summary(done.compactMap { $0.finalMetrics[m].flatMap(MetricScalar.value) })
      }
      let steps = Set(done.compactMap { $0.outputs?.steps })
      // A task its select did not choose never runs by design: it is not an incomplete one.
      let incomplete = group.filter { $0.outputs == nil && $0.status != "not_chosen" }.count
      return Row(
        group: axes.isEmpty ? Array(key.dropLast()) : key, trials: group.map(\.trial), tasks: group.map(\.key),
        incomplete: incomplete, summaries: summaries, step: steps.count == 1 ? steps.first : nil,
        seconds: group.reduce(0) { $0 + $1.seconds }, status: group.count == 1 ? group[0].status : nil)
    }
  }

  /// Rows sorted by a metric's mean; rows without a finite mean go last, in their original order.
  static func sorted(_ rows: [Row], by metric: String, descending: Bool) -> [Row] {
    let indexed = rows.enumerated().map { ($0, $1, $1.summaries[metric]?.mean ?? .nan) }
    return indexed.sorted { a, b in
      switch (a.2.isFinite, b.2.isFinite) {
      case (true, true): return a.2 == b.2 ? a.0 < b.0 : (descending ? a.2 > b.2 : a.2 < b.2)
      case (true, false): return true
      case (false, true): return false
      case (false, false): return a.0 < b.0
      }
    }.map(\.1)
  }

  /// The row with the best finite mean (the first of equals).
  static func bestIndex(_ rows: [Row], by metric: String, maximize: Bool) -> Int? {
    var best: (Int, Double)?
    for (i, r) in rows.enumerated() {
      guard let m = r.summaries[metric]?.mean, m.isFinite else { continue }
      if best.map({ maximize ? m > $0.1 : m < $0.1 }) ?? true { best = (i, m) }
    }
    return best?.0
  }

  /// What "best" means in a block: the sort metric and direction when given; else the metric a select stage
  /// of the run chose by; else the highest accuracy, or the lowest loss.
  static func bestBy(
    options: ShowOptions, metrics: Set<String>, run: RunResults, selections: [SelectChoice], stage: String
  ) -> (metric: String, maximize: Bool)? {
    if let sort = options.sort, metrics.contains(sort) { return (sort, options.descending) }
    if let choice = selections.first(where: { metrics.contains($0.metric) && $0.inputStages.contains(stage) }) {
      return (choice.metric, choice.maximize)
    }
    if metrics.contains("accuracy") { return ("accuracy", true) }
    if metrics.contains("loss") { return ("loss", false) }
    return nil
  }
}
