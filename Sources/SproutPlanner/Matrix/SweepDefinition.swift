import SproutDiagnostics

/// The matrix of a spec in the form the planner expands: blocks of axes combined by product, zip and
/// concat, then `exclude`, `include`, `sample` and `order` (docs/language.md, "Matrix").
///
/// The planner builds it from the graph's matrix; tests may build one directly.
public struct SweepDefinition: Hashable, Sendable {
  /// How the trials are combined; `nil` for a spec without a matrix (one trial, no axes).
  public var root: SweepBlock?
  /// Partial assignments removing every trial they match (applied before `include`, as in GitHub Actions).
  public var exclude: [SweepAssignment]
  /// Partial assignments extending the trials they match, or added as new trials when they match none.
  public var include: [SweepAssignment]
  /// Keep a seeded random subset of this many trials.
  public var sample: Int?
  /// Where `sample` is written.
  public var sampleRange: SourceRange?
  /// Run the trials in a seeded random order (indices, ids and results do not change).
  public var shuffled: Bool
  /// The whole `matrix:` entry.
  public var range: SourceRange

  /// Creates a matrix definition.
  public init(
    root: SweepBlock?, exclude: [SweepAssignment] = [], include: [SweepAssignment] = [], sample: Int? = nil,
    sampleRange: SourceRange? = nil, shuffled: Bool = false, range: SourceRange
  ) {
    self.root = root
    self.exclude = exclude
    self.include = include
    self.sample = sample
    self.sampleRange = sampleRange
    self.shuffled = shuffled
    self.range = range
  }
}

/// A block of the matrix.
public indirect enum SweepBlock: Hashable, Sendable {
  /// Named axes combined by product (`{init: [a, b], seed: [0, 1]}`) — the first axis varies slowest.
  case product([SweepAxis], SourceRange)
  /// Named axes of equal length combined element-wise.
  case zip([SweepAxis], SourceRange)
  /// Sub-blocks combined by product.
  case productOf([SweepBlock], SourceRange)
  /// Sub-blocks of equal length combined element-wise.
  case zipOf([SweepBlock], SourceRange)
  /// Sub-blocks' trials one after another.
  case concat([SweepBlock], SourceRange)

  /// Where the block is written.
  public var range: SourceRange {
    switch self {
    case .product(_, let r), .zip(_, let r), .productOf(_, let r), .zipOf(_, let r), .concat(_, let r): r
    }
  }
}

/// One named axis with its values.
public struct SweepAxis: Hashable, Sendable {
  /// The axis name (`init`, `seed`, `width`).
  public var name: String
  /// Its values, in order.
  public var values: [JSONValue]
  /// Where the axis is written (its key through its values).
  public var range: SourceRange

  /// Creates an axis.
  public init(name: String, values: [JSONValue], range: SourceRange) {
    self.name = name
    self.values = values
    self.range = range
  }
}

/// An `include:` or `exclude:` entry: some axes with one value each.
public struct SweepAssignment: Hashable, Sendable {
  /// Axis → value, in the order written.
  public var values: [AxisValue]
  /// Where the entry is written.
  public var range: SourceRange

  /// Creates an entry.
  public init(values: [AxisValue], range: SourceRange) {
    self.values = values
    self.range = range
  }
}
