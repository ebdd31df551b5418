import SproutDiagnostics

/// Counting a block's trials and reading one by its index, without listing the others.
///
/// The planner states a matrix's size and refuses one above the trial limit before it makes a single trial, so a
/// few lines of YAML (three axes of 300 values: 27 million trials) cost nothing to reject; `sample: N` draws its
/// trials by index, so a sample of a huge matrix costs N trials, not the matrix.
///
/// Index order is expansion order (a product's first child varies slowest, a concat's blocks follow each other):
///
/// ```
///   product(a: [0, 1], b: [x, y, z])    index i ──► a = i / 3, b = i % 3      (mixed radix, last fastest)
///   zip(a, b)                           index i ──► (a[i], b[i]), i < min length
///   concat(B0, B1)                      index i ──► B0[i] if i < |B0|, else B1[i − |B0|]
/// ```
extension SweepBlock {
  /// The number of trials the block forms (before include, exclude and sample), saturating at `Int.max`.
  public var trialCount: Int {
    switch self {
    case .product(let axes, _): return Self.saturatingProduct(axes.map(\.values.count))
    case .zip(let axes, _): return axes.isEmpty ? 1 : axes.map(\.values.count).min() ?? 0
    case .productOf(let blocks, _): return Self.saturatingProduct(blocks.map(\.trialCount))
    case .zipOf(let blocks, _): return blocks.isEmpty ? 1 : blocks.map(\.trialCount).min() ?? 0
    case .concat(let blocks, _):
      return blocks.reduce(0) { total, b in
        let (sum, overflow) = total.addingReportingOverflow(b.trialCount)
        return overflow ? Int.max : sum
      }
    }
  }

  /// The assignment of trial `index` (`0 ..< trialCount`), as full expansion would list it at that position.
  public func assignment(at index: Int) -> [AxisValue] {
    // Bounds are checked as the index is taken apart, not by counting the trials first: that count (an array per
    // call) was most of the cost of expanding a large matrix.
    precondition(index >= 0, "trial index \(index) is negative")
    switch self {
    case .product(let axes, _):
      var rest = index
      var out: [AxisValue] = []
      out.reserveCapacity(axes.count)
      for axis in axes.reversed() {
        let n = axis.values.count
        precondition(n > 0, "trial index \(index) of a product with an empty axis")
        out.append(AxisValue(axis: axis.name, value: axis.values[rest % n]))
        rest /= n
      }
      precondition(rest == 0, "trial index \(index) out of 0..<\(trialCount)")
      out.reverse()
      return out
    case .zip(let axes, _):
      return axes.map { AxisValue(axis: $0.name, value: $0.values[index]) }
    case .productOf(let blocks, _):
      var rest = index
      var parts = [[AxisValue]](repeating: [], count: blocks.count)
      for j in blocks.indices.reversed() {
        let n = blocks[j].trialCount
        precondition(n > 0, "trial index \(index) of a product with an empty block")
        parts[j] = blocks[j].assignment(at: rest % n)
        rest /= n
      }
      precondition(rest == 0, "trial index \(index) out of 0..<\(trialCount)")
      return parts.flatMap { $0 }
    case .zipOf(let blocks, _):
      return blocks.flatMap { $0.assignment(at: index) }
    case .concat(let blocks, _):
      var rest = index
      for b in blocks {
        let n = b.trialCount
        if rest < n { return b.assignment(at: rest) }
        rest -= n
      }
      preconditionFailure("trial index \(index) past the end of a concat")
    }
  }

  /// Every value of every axis named `name`, in the block and its sub-blocks.
  func values(ofAxis name: String) -> [JSONValue] {
    switch self {
    case .product(let axes, _), .zip(let axes, _): return axes.filter { $0.name == name }.flatMap(\.values)
    case .productOf(let bs, _), .zipOf(let bs, _), .concat(let bs, _): return bs.flatMap { $0.values(ofAxis: name) }
    }
  }

  /// The problems full expansion would report for this block, in the same order, found from counts and axis
  /// names alone: axes without values, zips of unequal lengths, and an axis in two blocks of a product.
  func diagnose(_ diagnostics: inout Diagnostics) {
    switch self {
    case .product(let axes, _):
      for axis in axes where axis.values.isEmpty {
        diagnostics.report(
          PlanDiagnostics.emptyAxis, "the axis '\(axis.name)' has no values, so the product has no trials",
          at: axis.range, path: "matrix.\(axis.name)")
      }
    case .zip(let axes, _):
      guard let first = axes.first else { return }
      for axis in axes.dropFirst() where axis.values.count != first.values.count {
        diagnostics.report(
          PlanDiagnostics.zipLengthMismatch,
          "zip needs axes of equal length: '\(first.name)' has \(first.values.count) values, "
            + "'\(axis.name)' has \(axis.values.count)",
          at: axis.range, path: "matrix.zip.\(axis.name)",
          notes: [DiagnosticNote("'\(first.name)' is defined here", at: first.range)],
          help: "give every zipped axis the same number of values, or combine them with product")
      }
    case .productOf(let blocks, _):
      // The axes of the first trial formed so far (nil once a block forms no trial: there is no first trial).
      var firstAxes: [String]? = []
      for sub in blocks {
        sub.diagnose(&diagnostics)
        let part = sub.trialCount > 0 ? sub.assignment(at: 0).map(\.axis) : nil
        if let have = firstAxes, let part, let clash = Set(have).intersection(part).sorted().first {
          diagnostics.report(
            PlanDiagnostics.axisConflict, "the axis '\(clash)' appears in two blocks of a product", at: sub.range,
            path: "matrix", help: "rename one of the axes, or use concat to join the blocks")
        }
        firstAxes = firstAxes.flatMap { have in part.map { have + $0 } }
      }
    case .zipOf(let blocks, _):
      for sub in blocks { sub.diagnose(&diagnostics) }
      guard let first = blocks.first else { return }
      for sub in blocks.dropFirst() where sub.trialCount != first.trialCount {
        diagnostics.report(
          PlanDiagnostics.zipLengthMismatch,
          "zip needs blocks with equal numbers of trials: the first has \(first.trialCount), this one "
            + "\(sub.trialCount)",
          at: sub.range, path: "matrix.zip", notes: [DiagnosticNote("the first block is here", at: first.range)])
      }
    case .concat(let blocks, _):
      for sub in blocks { sub.diagnose(&diagnostics) }
    }
  }

  private static func saturatingProduct(_ counts: [Int]) -> Int {
    var total = 1
    for n in counts {
      if n == 0 { return 0 }
      let (p, overflow) = total.multipliedReportingOverflow(by: n)
      total = overflow ? Int.max : p
    }
    return total
  }
}
