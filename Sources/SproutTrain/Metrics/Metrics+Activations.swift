/// Summary statistics of one layer's activations over a probe batch.
public struct ActivationStatistics: Sendable, Hashable {
  /// Mean of all rows × features values.
  public var mean: Double
  /// Population standard deviation of all values.
  public var std: Double
  /// max |a|.
  public var maxAbs: Double
  /// Top-1 massive-activation ratio over the whole batch: `max|a| / median|a|` (Gallego-Feliciano et al.
  /// 2025, arXiv 2508.03616, relaxing Sun et al. 2024's rule). +∞ when the median is 0 (e.g. mostly-dead ReLU).
  public var massiveRatio: Double
  /// The same ratio computed per input row and averaged over rows (the paper leaves "averaged ratio" vs "ratio of
  /// averages" open, so both are logged).
  public var massiveRatioPerInput: Double

  /// As a metric map with keys `mean`, `std`, `max_abs`, `massive_ratio`, `massive_ratio_per_input`.
  public var metricValue: MetricValue {
    .scalars([
      "mean": mean, "std": std, "max_abs": maxAbs, "massive_ratio": massiveRatio,
      "massive_ratio_per_input": massiveRatioPerInput,
    ])
  }
}

extension Metrics {
  /// Statistics of a `rows × cols` activation buffer, in float64.
  public static func activationStatistics(_ a: UnsafePointer<Float>, rows: Int, cols: Int) -> ActivationStatistics {
    let n = rows * cols
    precondition(n > 0, "activation statistics of an empty buffer")
    var sum = 0.0
    for i in 0..<n { sum += Double(a[i]) }
    let mean = sum / Double(n)
    var ss = 0.0, maxAbs = 0.0
    for i in 0..<n {
      let d = Double(a[i]) - mean
      ss += d * d
      maxAbs = Swift.max(maxAbs, abs(Double(a[i])))
    }
    let all = (0..<n).map { abs(Double(a[$0])) }
    var perRow = 0.0
    for r in 0..<rows {
      let row = Array(all[(r * cols)..<((r + 1) * cols)])
      perRow += ratio(row.max() ?? 0, median(row))
    }
    return ActivationStatistics(
      mean: mean, std: (ss / Double(n)).squareRoot(), maxAbs: maxAbs, massiveRatio: ratio(maxAbs, median(all)),
      massiveRatioPerInput: perRow / Double(rows))
  }

  /// `max / median`, with 0/0 = 0 (an all-zero layer has no massive activation) and x/0 = +∞.
  private static func ratio(_ top: Double, _ median: Double) -> Double {
    if median > 0 { return top / median }
    return top == 0 ? 0 : .infinity
  }
}
