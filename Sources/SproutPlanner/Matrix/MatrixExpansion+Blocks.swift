import SproutDiagnostics

/// Combining blocks into trials, and stating how.
extension MatrixExpansion {
  /// The trials of one block, in expansion order.
  static func block(_ b: SweepBlock, diagnostics: inout Diagnostics) -> [[AxisValue]] {
    switch b {
    case .product(let axes, _):
      var out: [[AxisValue]] = [[]]
      for axis in axes {
        if axis.values.isEmpty {
          diagnostics.report(
            PlanDiagnostics.emptyAxis, "the axis '\(axis.name)' has no values, so the product has no trials",
            at: axis.range, path: "matrix.\(axis.name)")
        }
        out = out.flatMap { prefix in axis.values.map { prefix + [AxisValue(axis: axis.name, value: $0)] } }
      }
      return out
    case .zip(let axes, let range):
      guard let first = axes.first else { return [[]] }
      for axis in axes.dropFirst() where axis.values.count != first.values.count {
        diagnostics.report(
          PlanDiagnostics.zipLengthMismatch,
          "zip needs axes of equal length: '\(first.name)' has \(first.values.count) values, "
            + "'\(axis.name)' has \(axis.values.count)",
          at: axis.range, path: "matrix.zip.\(axis.name)",
          notes: [DiagnosticNote("'\(first.name)' is defined here", at: first.range)],
          help: "give every zipped axis the same number of values, or combine them with product")
      }
      let n = axes.map(\.values.count).min() ?? 0
      _ = range
      return (0..<n).map { i in axes.map { AxisValue(axis: $0.name, value: $0.values[i]) } }
    case .productOf(let blocks, _):
      var out: [[AxisValue]] = [[]]
      for sub in blocks {
        let part = block(sub, diagnostics: &diagnostics)
        if let clash = Set(out.first?.map(\.axis) ?? []).intersection(part.first?.map(\.axis) ?? []).sorted().first {
          diagnostics.report(
            PlanDiagnostics.axisConflict, "the axis '\(clash)' appears in two blocks of a product", at: sub.range,
            path: "matrix", help: "rename one of the axes, or use concat to join the blocks")
        }
        out = out.flatMap { prefix in part.map { prefix + $0 } }
      }
      return out
    case .zipOf(let blocks, _):
      let parts = blocks.map { block($0, diagnostics: &diagnostics) }
      guard let first = parts.first else { return [[]] }
      for (sub, part) in zip(blocks, parts).dropFirst() where part.count != first.count {
        diagnostics.report(
          PlanDiagnostics.zipLengthMismatch,
          "zip needs blocks with equal numbers of trials: the first has \(first.count), this one \(part.count)",
          at: sub.range, path: "matrix.zip", notes: [DiagnosticNote("the first block is here", at: blocks[0].range)])
      }
      let n = parts.map(\.count).min() ?? 0
      return (0..<n).map { i in parts.flatMap { $0[i] } }
    case .concat(let blocks, _):
      return blocks.flatMap { block($0, diagnostics: &diagnostics) }
    }
  }

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
