import SproutDiagnostics

/// `matrix:`: the sweep, as written (the planner expands it into trials).
///
/// ```
/// matrix:                      MatrixSpec
///   concat:                      root = .concat([
///     - product: {a: [..], b: [..]}    .product([.axis(a), .axis(b)]),
///     - zip: {a: [..], c: [..]}        .zip([.axis(a), .axis(c)]) ])
///   exclude: [{a: x, b: 2}]      exclude
///   sample: 4                    sample
///   order: shuffled              order
/// ```
/// A bare map of axes is `.product` of them.
public struct MatrixSpec: Hashable, Sendable {
  /// The combination tree.
  public var root: MatrixBlock
  /// Partial assignments added as extra trials (`include:`).
  public var include: [MatrixAssignment]
  /// Partial assignments removing every trial they match (`exclude:`).
  public var exclude: [MatrixAssignment]
  /// A seeded random subset of this many trials, if given.
  public var sample: Int?
  /// The run order.
  public var order: MatrixOrder
  /// The range of the `matrix:` value.
  public var range: SourceRange

  /// Creates a matrix spec.
  public init(
    root: MatrixBlock, include: [MatrixAssignment] = [], exclude: [MatrixAssignment] = [],
    sample: Int? = nil, order: MatrixOrder = .declared, range: SourceRange
  ) {
    self.root = root
    self.include = include
    self.exclude = exclude
    self.sample = sample
    self.order = order
    self.range = range
  }

  /// Every axis in the tree, in first-appearance order (an axis may appear in several blocks).
  public var axisNames: [String] {
    var seen: [String] = []
    root.visitAxes { if !seen.contains($0.name) { seen.append($0.name) } }
    for a in include { for e in a.entries where !seen.contains(e.axis) { seen.append(e.axis) } }
    return seen
  }

  /// Every value the axis `name` can take (from all blocks and `include:`), without duplicates, in order.
  public func values(ofAxis name: String) -> [Value] {
    var result: [Value] = []
    root.visitAxes { axis in
      if axis.name == name { for v in axis.values where !result.contains(v) { result.append(v) } }
    }
    for a in include {
      for e in a.entries where e.axis == name && !result.contains(e.value) { result.append(e.value) }
    }
    return result
  }
}

/// The run order of a matrix's trials; results never depend on it.
public enum MatrixOrder: String, Hashable, Sendable, CaseIterable {
  /// As declared (the expansion order).
  case declared
  /// A seeded shuffle.
  case shuffled
}

/// A node of the matrix's combination tree.
public indirect enum MatrixBlock: Hashable, Sendable {
  /// One named axis and its values.
  case axis(MatrixAxis)
  /// The Cartesian product of the children (first child varies slowest).
  case product([MatrixBlock], range: SourceRange)
  /// The children side by side (all of equal length).
  case zip([MatrixBlock], range: SourceRange)
  /// The children's trials one after another.
  case concat([MatrixBlock], range: SourceRange)

  /// Calls `body` for every axis in the tree, depth first.
  public func visitAxes(_ body: (MatrixAxis) -> Void) {
    switch self {
    case .axis(let a): body(a)
    case .product(let c, _), .zip(let c, _), .concat(let c, _): for child in c { child.visitAxes(body) }
    }
  }

  /// The number of assignments this block produces (before include/exclude/sample), saturating at `Int.max`.
  public var count: Int {
    switch self {
    case .axis(let a): return a.values.count
    case .product(let c, _):
      return c.reduce(1) { acc, child in
        let (r, o) = acc.multipliedReportingOverflow(by: child.count)
        return o ? Int.max : r
      }
    case .zip(let c, _): return c.map(\.count).min() ?? 0
    case .concat(let c, _):
      return c.reduce(0) { acc, child in
        let (r, o) = acc.addingReportingOverflow(child.count)
        return o ? Int.max : r
      }
    }
  }

  /// The axes every assignment of this block sets: all of a product's or zip's children, only those common to
  /// every branch of a concat.
  public var guaranteedAxes: Set<String> {
    switch self {
    case .axis(let a): return [a.name]
    case .product(let c, _), .zip(let c, _): return c.reduce(into: Set<String>()) { $0.formUnion($1.guaranteedAxes) }
    case .concat(let c, _):
      guard let first = c.first else { return [] }
      return c.dropFirst().reduce(first.guaranteedAxes) { $0.intersection($1.guaranteedAxes) }
    }
  }

  /// The range of the block.
  public var range: SourceRange {
    switch self {
    case .axis(let a): return a.range
    case .product(_, let r), .zip(_, let r), .concat(_, let r): return r
    }
  }
}

/// One axis: a name and the list of values it takes.
public struct MatrixAxis: Hashable, Sendable {
  /// The axis name (`init`, `seed`, ...); `seed` sets the trial seed.
  public var name: String
  /// The values, in order (literals, never expressions).
  public var values: [Value]
  /// The range of the name.
  public var nameRange: SourceRange
  /// The range of the value list.
  public var range: SourceRange
  /// The range of each value.
  public var valueRanges: [SourceRange]

  /// Creates an axis.
  public init(name: String, values: [Value], nameRange: SourceRange, range: SourceRange, valueRanges: [SourceRange]) {
    self.name = name
    self.values = values
    self.nameRange = nameRange
    self.range = range
    self.valueRanges = valueRanges
  }

  /// Compares name and values.
  public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.values == b.values }
  /// Hashes name and values.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(values)
  }
}

/// A partial assignment of axes (`{init: orthogonal, seed: 2}`) used by `include:` and `exclude:`.
public struct MatrixAssignment: Hashable, Sendable {
  /// One axis = value pair.
  public struct Entry: Hashable, Sendable {
    /// The axis name.
    public var axis: String
    /// The value.
    public var value: Value
    /// Creates an entry.
    public init(axis: String, value: Value) {
      self.axis = axis
      self.value = value
    }
  }

  /// The pairs, in written order.
  public var entries: [Entry]
  /// The range of the mapping.
  public var range: SourceRange

  /// Creates an assignment.
  public init(entries: [Entry], range: SourceRange) {
    self.entries = entries
    self.range = range
  }

  /// The value given for `axis`.
  public subscript(axis: String) -> Value? { entries.first { $0.axis == axis }?.value }

  /// True when every pair of this assignment holds in `trial` (axis → value).
  public func matches(_ trial: [String: Value]) -> Bool {
    entries.allSatisfy { trial[$0.axis] == $0.value }
  }

  /// Compares entries.
  public static func == (a: Self, b: Self) -> Bool { a.entries == b.entries }
  /// Hashes entries.
  public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}
