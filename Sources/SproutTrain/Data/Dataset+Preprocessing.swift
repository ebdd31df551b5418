import SproutFormats

/// Per-feature standardization fitted on one split (the training split) and applied to every split, so no test
/// statistics leak into training.
public struct Standardization: Sendable, Hashable, Codable {
  /// Per-feature mean of the fitted split.
  public var mean: [Float]
  /// Per-feature population standard deviation (ddof 0, as scikit-learn's `StandardScaler`); a constant feature
  /// gets 1, so it is only centred.
  public var std: [Float]

  /// Fits mean and standard deviation of every feature of `data` (accumulated in Double).
  public init(fitting data: Dataset) {
    let d = data.featureCount
    var sum = [Double](repeating: 0, count: d)
    for i in 0..<data.count {
      for j in 0..<d { sum[j] += Double(data.features[i * d + j]) }
    }
    let n = Double(max(data.count, 1))
    let mean = sum.map { $0 / n }
    var sq = [Double](repeating: 0, count: d)
    for i in 0..<data.count {
      for j in 0..<d {
        let e = Double(data.features[i * d + j]) - mean[j]
        sq[j] += e * e
      }
    }
    self.mean = mean.map(Float.init)
    self.std = sq.map { s in
      let v = (s / n).squareRoot()
      return v > 0 ? Float(v) : 1
    }
  }

  /// `(x − mean) / std` per feature.
  public func apply(to data: Dataset) -> Dataset {
    precondition(data.featureCount == mean.count, "standardization of \(mean.count) features on \(data.featureCount)")
    var out = data
    let d = data.featureCount
    for i in 0..<data.count {
      for j in 0..<d { out.features[i * d + j] = (data.features[i * d + j] - mean[j]) / std[j] }
    }
    return out
  }
}

extension Dataset {
  /// Splits into named parts (`train: 0.8, test: 0.2` → `teacher.train`, `teacher.test`) after a seeded shuffle.
  ///
  /// Part k holds the shuffled samples from round(n·F_{k−1}) to round(n·F_k), F_k the cumulative fraction; when
  /// the fractions sum to 1 the last part ends at n, so no sample is lost to rounding. The permutation comes from
  /// `RandomStream(seed:path: path + ["split"])`; with `shuffle: false` the parts are contiguous and keep order.
  public func split(
    _ fractions: [(name: String, fraction: Double)], seed: UInt64, path: [String], shuffle: Bool = true
  ) throws -> [(name: String, data: Dataset)] {
    let total = fractions.reduce(0) { $0 + $1.fraction }
    if let bad = fractions.first(where: { !($0.fraction > 0 && $0.fraction <= 1) }) {
      throw DataError(
        code: "data.bad-split", message: "split fraction of '\(bad.name)' is \(bad.fraction), not in (0, 1]",
        field: bad.name)
    }
    guard total <= 1 + 1e-9 else {
      throw DataError(
        code: "data.bad-split", message: "split fractions sum to \(total), more than 1",
        suggestion: "make the fractions sum to 1 (or less, to leave samples out)")
    }
    if Set(fractions.map(\.name)).count != fractions.count {
      throw DataError(code: "data.bad-split", message: "split part names repeat: \(fractions.map(\.name))")
    }
    var order = Array(0..<count)
    if shuffle {
      var stream = RandomStream(seed: seed, path: path + ["split"])
      order = stream.permutation(count)
    }
    var parts: [(name: String, data: Dataset)] = []
    var cumulative = 0.0
    var start = 0
    for (k, part) in fractions.enumerated() {
      cumulative += part.fraction
      var end = Int((Double(count) * cumulative).rounded())
      if k == fractions.count - 1 && abs(total - 1) < 1e-9 { end = count }
      end = min(max(end, start), count)
      let indices = Array(order[start..<end])
      guard !indices.isEmpty else {
        throw DataError(
          code: "data.empty-split", message: "split part '\(part.name)' gets no samples out of \(count)",
          field: part.name, suggestion: "raise its fraction or use more samples")
      }
      var piece = subset(indices)
      if !shuffle, let grid, indices.count == count { piece.grid = grid }
      parts.append((part.name, piece))
      start = end
    }
    return parts
  }
}
