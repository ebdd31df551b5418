import SproutDiagnostics

/// Naming a block's axes, and stating how its trials combine (SweepBlock+Indexing.swift forms them).
extension MatrixExpansion {
  /// Every axis name of a block, in first-appearance order.
  static func axisNames(_ b: SweepBlock) -> [String] {
    var names: [String] = []
    func visit(_ b: SweepBlock) {
      switch b {
      case .product(let axes, _), .zip(let axes, _):
        for a in axes where !names.contains(a.name) { names.append(a.name) }
      case .productOf(let bs, _), .zipOf(let bs, _), .concat(let bs, _): bs.forEach(visit)
      }
    }
    visit(b)
    return names
  }

  /// How a block's trial count arises, in words: `4 init × 3 seed`, `(2 init zip 2 width)`.
  /// `atomic` is false when the text needs parentheses inside a larger statement.
  static func describe(_ b: SweepBlock) -> (text: String, atomic: Bool) {
    func wrap(_ d: (text: String, atomic: Bool)) -> String { d.atomic ? d.text : "(\(d.text))" }
    switch b {
    case .product(let axes, _):
      if axes.isEmpty { return ("1", true) }
      return (axes.map { "\($0.values.count) \($0.name)" }.joined(separator: " × "), axes.count == 1)
    case .zip(let axes, _):
      if axes.count == 1 { return ("\(axes[0].values.count) \(axes[0].name)", true) }
      return (axes.map { "\($0.values.count) \($0.name)" }.joined(separator: " zip "), false)
    case .productOf(let bs, _):
      if bs.count == 1 { return describe(bs[0]) }
      return (bs.map { wrap(describe($0)) }.joined(separator: " × "), false)
    case .zipOf(let bs, _):
      if bs.count == 1 { return describe(bs[0]) }
      return (bs.map { wrap(describe($0)) }.joined(separator: " zip "), false)
    case .concat(let bs, _):
      if bs.count == 1 { return describe(bs[0]) }
      return (bs.map { wrap(describe($0)) }.joined(separator: " + "), false)
    }
  }
}
