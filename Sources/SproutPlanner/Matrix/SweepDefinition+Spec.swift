import SproutDiagnostics
import SproutSpec

extension SweepDefinition {
  /// The planner's form of a spec's `matrix:`.
  public init(_ matrix: MatrixSpec) {
    self.init(
      root: SweepBlock(matrix.root),
      exclude: matrix.exclude.map(SweepAssignment.init), include: matrix.include.map(SweepAssignment.init),
      sample: matrix.sample, sampleRange: nil, shuffled: matrix.order == .shuffled, range: matrix.range)
  }
}

extension SweepBlock {
  /// The planner's form of a block of the spec's combination tree.
  init(_ block: MatrixBlock) {
    func axes(_ children: [MatrixBlock]) -> [SweepAxis]? {
      var out: [SweepAxis] = []
      for c in children {
        guard case .axis(let a) = c else { return nil }
        out.append(SweepAxis(name: a.name, values: a.values.map(JSONValue.init), range: a.range))
      }
      return out
    }
    switch block {
    case .axis(let a):
      self = .product([SweepAxis(name: a.name, values: a.values.map(JSONValue.init), range: a.range)], a.range)
    case .product(let children, let range):
      self = axes(children).map { .product($0, range) } ?? .productOf(children.map(SweepBlock.init), range)
    case .zip(let children, let range):
      self = axes(children).map { .zip($0, range) } ?? .zipOf(children.map(SweepBlock.init), range)
    case .concat(let children, let range):
      self = .concat(children.map(SweepBlock.init), range)
    }
  }
}

extension SweepAssignment {
  /// The planner's form of an include/exclude entry.
  init(_ a: MatrixAssignment) {
    self.init(values: a.entries.map { AxisValue(axis: $0.axis, value: JSONValue($0.value)) }, range: a.range)
  }
}
