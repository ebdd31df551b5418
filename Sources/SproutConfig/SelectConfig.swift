/// A `select` stage: chooses values of one or more matrix axes (`over`) by an aggregate of a metric the `from` stage
/// recorded, taken over the trials that share those values (usually the seeds), separately for each combination of
/// the `per` axes. Later stages read the choice as `${select.NAME.AXIS}`: they are planned for every candidate and
/// run only for the chosen one.
public struct SelectConfig: Hashable, Sendable, Codable {
  /// The stage whose final records are compared (its task in every trial is an input).
  public var from: String
  /// The metric's path in a final record (`loss`, `eval/accuracy`, `activation_stats/layers.1/std`).
  public var metric: [String]
  /// Whether lower or higher is better.
  public var mode: SelectMode
  /// How the trials of one candidate are combined.
  public var aggregate: SelectAggregate
  /// The axes chosen over.
  public var over: [String]
  /// Axes that get a choice each (`per: [target]`: the best ω for every target).
  public var per: [String]
  /// The axes a select chooses over and per, as written (`over` nil when not given): `over` defaults to every matrix
  /// axis but `seed` and the `per` axes. The one place this rule lives (the decoder and the planner both apply it).
  public static func axes(over: [String]?, per: [String], matrixAxes: [String]) -> SelectAxes {
    SelectAxes(over: over ?? matrixAxes.filter { $0 != "seed" && !per.contains($0) }, per: per)
  }

  /// Every trial the select reads, with its candidate and group; filled in by the planner, which knows the trials.
  public var candidates: [SelectCandidate]

  /// Creates a select configuration.
  public init(
    from: String, metric: [String], mode: SelectMode, aggregate: SelectAggregate, over: [String], per: [String],
    candidates: [SelectCandidate] = []
  ) {
    self.from = from
    self.metric = metric
    self.mode = mode
    self.aggregate = aggregate
    self.over = over
    self.per = per
    self.candidates = candidates
  }

  /// `eval/loss`: the metric path as written.
  public var metricText: String { metric.joined(separator: "/") }
}

/// Whether lower or higher is better.
public enum SelectMode: String, Hashable, Sendable, Codable, CaseIterable {
  case min, max
}

/// How the values of one candidate's trials are combined.
public enum SelectAggregate: String, Hashable, Sendable, Codable, CaseIterable {
  /// The arithmetic mean.
  case mean
  /// The median (the mean of the two middle values for an even count).
  case median
  /// The smallest value (the best case when lower is better).
  case min
  /// The largest value (the worst case when lower is better).
  case max

  /// Combines values (non-empty).
  public func combine(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "aggregate of no values")
    switch self {
    case .mean: return values.reduce(0, +) / Double(values.count)
    case .min: return values.min()!
    case .max: return values.max()!
    case .median:
      let s = values.sorted()
      let m = s.count / 2
      return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }
  }
}

/// One trial a select reads: which candidate and which group it belongs to.
public struct SelectCandidate: Hashable, Sendable, Codable {
  /// The trial id (`t0003`).
  public var trial: String
  /// Its values of the `over` axes: the candidate.
  public var choice: [AxisSetting]
  /// Its values of the `per` axes: the group it competes in.
  public var group: [AxisSetting]

  /// Creates a candidate.
  public init(trial: String, choice: [AxisSetting], group: [AxisSetting]) {
    self.trial = trial
    self.choice = choice
    self.group = group
  }
}

/// One axis's value, as canonical JSON text (`80`, `"relu"`).
public struct AxisSetting: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The axis.
  public var axis: String
  /// The value's canonical JSON.
  public var value: String

  /// Creates a setting.
  public init(axis: String, value: String) {
    self.axis = axis
    self.value = value
  }

  /// `omega=80`.
  public var description: String { "\(axis)=\(value)" }

  /// `omega=80 target="rings"`, or `(all)` for none.
  public static func text(_ settings: [AxisSetting]) -> String {
    settings.isEmpty ? "(all)" : settings.map(\.description).joined(separator: " ")
  }
}

/// The matrix axes one select stage chooses over, and those it makes one choice per.
public struct SelectAxes: Hashable, Sendable {
  /// The axes chosen over.
  public var over: [String]
  /// The axes that get a choice each.
  public var per: [String]

  /// Creates the pair.
  public init(over: [String], per: [String]) {
    self.over = over
    self.per = per
  }
}
