import Foundation

/// One axis of a chart: its range, scale and ticks.
///
/// Linear axes get "nice" ticks (1, 2 or 5 × 10ᵏ apart, Heckbert's rule); log axes ticks at powers of ten
/// (with 2 and 5 between them when the range spans few decades).
public struct PlotAxis: Sendable {
  /// Linear or logarithmic.
  public enum Scale: Sendable { case linear, log }

  /// The axis label.
  public var label: String
  /// The scale.
  public var scale: Scale
  /// Lower end of the drawn range.
  public var low: Double
  /// Upper end of the drawn range.
  public var high: Double
  /// Tick positions (data units).
  public var ticks: [Double]

  /// An axis covering `values` (finite ones; positive ones on a log axis).
  public init(label: String, values: [Double], scale requested: Scale? = nil, includeZero: Bool = false) {
    self.label = label
    let finite = values.filter(\.isFinite)
    let positive = finite.filter { $0 > 0 }
    // Log only where it fits: every value positive and spanning at least two decades.
    let scale: Scale
    if let requested { scale = requested == .log && positive.count == finite.count && !positive.isEmpty ? .log : .linear }
    else if !finite.isEmpty, positive.count == finite.count, let lo = positive.min(), let hi = positive.max(),
      hi / lo >= 100
    { scale = .log } else { scale = .linear }
    self.scale = scale
    if scale == .log {
      let lo = positive.min() ?? 1, hi = positive.max() ?? 10
      let a = floor(log10(lo)), b = max(ceil(log10(hi)), a + 1)
      low = pow(10, a)
      high = pow(10, b)
      var t: [Double] = []
      let decades = Int(b - a)
      for e in Int(a)...Int(b) {
        let p = pow(10, Double(e))
        t.append(p)
        if decades <= 2 && e < Int(b) { t += [2 * p, 5 * p] }
      }
      ticks = t
    } else {
      var lo = finite.min() ?? 0, hi = finite.max() ?? 1
      if includeZero { lo = Swift.min(lo, 0); hi = Swift.max(hi, 0) }
      if lo == hi {
        let pad = lo == 0 ? 1 : abs(lo) * 0.1
        lo -= pad
        hi += pad
      }
      let step = Self.niceStep((hi - lo) / 5)
      low = floor(lo / step) * step
      high = ceil(hi / step) * step
      var t: [Double] = []
      var x = low
      while x <= high + step * 1e-9 {
        t.append(abs(x) < step * 1e-9 ? 0 : x)
        x += step
      }
      ticks = t
    }
  }

  /// 1, 2 or 5 × 10ᵏ closest above `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let p = pow(10, floor(log10(raw)))
    let f = raw / p
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p
  }

  /// Position of `x` in [0, 1] along the axis (nil for a non-positive value on a log axis).
  public func fraction(_ x: Double) -> Double? {
    guard x.isFinite else { return nil }
    switch scale {
    case .linear: return (x - low) / (high - low)
    case .log: return x > 0 ? (log10(x) - log10(low)) / (log10(high) - log10(low)) : nil
    }
  }

  /// A tick's label: few digits, scientific for very large or small magnitudes.
  public func tickLabel(_ x: Double) -> String {
    if x == 0 { return "0" }
    let a = abs(x)
    if a >= 1e5 || a < 1e-3 {
      if scale == .log, case let e = log10(a), e.rounded() == e { return "1e\(Int(e))" }
      return String(format: "%.0e", x)
    }
    var s = String(format: "%.4g", x)
    if s.contains(".") && !s.contains("e") {
      while s.hasSuffix("0") { s.removeLast() }
      if s.hasSuffix(".") { s.removeLast() }
    }
    return s
  }
}
