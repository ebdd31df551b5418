import Foundation

/// Distributions drawn from a `RandomStream`. Each draw consumes a fixed number of words, so the stream's
/// `position` after a call depends only on what was asked for (a checkpoint can resume mid-stream).
///
/// Word budget: `nextUniform` 1, `nextUniformDouble` 2, `nextNormal` 4, `fillNormal` 4 per pair (the odd last
/// value also 4), `nextTruncatedNormal` 2, `fillBernoulli` 1 per value, `permutation(n)` 2 per swap (more only
/// on the rare rejection of Lemire's method).
extension RandomStream {
  /// A uniform Float in [0, 1) with 24 random bits (every representable multiple of 2⁻²⁴).
  @inline(__always)
  public mutating func nextUniform() -> Float {
    Float(nextUInt32() >> 8) * 0x1p-24
  }

  /// A uniform Double in [0, 1) with 53 random bits.
  @inline(__always)
  public mutating func nextUniformDouble() -> Double {
    let a = UInt64(nextUInt32() >> 5)  // 27 bits
    let b = UInt64(nextUInt32() >> 6)  // 26 bits
    return Double((a << 26) | b) * 0x1p-53
  }

  /// A uniform Double in (0, 1]: safe under `log`.
  @inline(__always)
  mutating func nextOpenUniformDouble() -> Double {
    1.0 - nextUniformDouble()
  }

  /// Fills `count` values with U(low, high) (`low + (high − low)·u`, u the 24-bit uniform, as PyTorch's `uniform_`).
  public mutating func fillUniform(_ buffer: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float) {
    let width = high - low
    for i in 0..<count { buffer[i] = low + width * nextUniform() }
  }

  /// A standard normal by the Box–Muller transform in Double (exact to double rounding; same bits every run
  /// on a given libm). Uses the cosine branch only.
  public mutating func nextNormal() -> Double {
    let u1 = nextOpenUniformDouble()
    let u2 = nextUniformDouble()
    return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
  }

  /// Fills `count` values with N(mean, std²) by Box–Muller, both branches (cos, sin) per pair of uniforms.
  public mutating func fillNormal(_ buffer: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float) {
    var i = 0
    let m = Double(mean)
    let s = Double(std)
    while i < count {
      let u1 = nextOpenUniformDouble()
      let u2 = nextUniformDouble()
      let r = (-2.0 * log(u1)).squareRoot()
      let theta = 2.0 * Double.pi * u2
      buffer[i] = Float(m + s * r * cos(theta))
      if i + 1 < count { buffer[i + 1] = Float(m + s * r * sin(theta)) }
      i += 2
    }
  }

  /// A draw of N(mean, std²) truncated to the **absolute** interval [a, b], with PyTorch's `trunc_normal_`
  /// semantics (`torch.nn.init.trunc_normal_`: a and b are values, not multiples of std): inverse CDF of a
  /// uniform on [Φ(α), Φ(β)], then clamp to [a, b].
  public mutating func nextTruncatedNormal(mean: Double, std: Double, a: Double, b: Double) -> Double {
    truncatedNormal(
      mean: mean, std: std, a: a, b: b, lo: NormalDistribution.cdf((a - mean) / std),
      hi: NormalDistribution.cdf((b - mean) / std))
  }

  /// One truncated-normal draw with Φ(α), Φ(β) precomputed.
  @inline(__always)
  mutating func truncatedNormal(mean: Double, std: Double, a: Double, b: Double, lo: Double, hi: Double) -> Double {
    let u = lo + (hi - lo) * nextUniformDouble()
    let x = mean + std * NormalDistribution.quantile(min(max(u, Double.leastNonzeroMagnitude), 1 - 0x1p-53))
    return min(max(x, a), b)
  }

  /// Fills `count` values with N(mean, std²) truncated to the absolute interval [a, b] (PyTorch `trunc_normal_`).
  public mutating func fillTruncatedNormal(
    _ buffer: UnsafeMutablePointer<Float>, count: Int, mean: Float, std: Float, a: Float, b: Float
  ) {
    let (m, s, lower, upper) = (Double(mean), Double(std), Double(a), Double(b))
    let lo = NormalDistribution.cdf((lower - m) / s)
    let hi = NormalDistribution.cdf((upper - m) / s)
    for i in 0..<count {
      buffer[i] = Float(truncatedNormal(mean: m, std: s, a: lower, b: upper, lo: lo, hi: hi))
    }
  }

  /// Fills `count` values with a Bernoulli(p) mask: 1 with probability `p`, else 0 (`u < p`, u 24-bit uniform).
  public mutating func fillBernoulli(_ buffer: UnsafeMutablePointer<Float>, count: Int, p: Float) {
    for i in 0..<count { buffer[i] = nextUniform() < p ? 1 : 0 }
  }

  /// A uniformly random permutation of `0..<n` (Fisher–Yates, from the last index down, unbiased integers).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<max(n, 0))
    var i = n - 1
    while i > 0 {
      let j = nextInt(below: i + 1)
      p.swapAt(i, j)
      i -= 1
    }
    return p
  }
}

/// The standard normal distribution's CDF and quantile in Double.
public enum NormalDistribution {
  /// Φ(x) = ½·erfc(−x/√2).
  public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

  /// The density φ(x).
  public static func pdf(_ x: Double) -> Double { exp(-0.5 * x * x) / (2.0 * Double.pi).squareRoot() }

  /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error 1.15e-9) refined by one
  /// Halley step on erfc, which brings it to double precision.
  public static func quantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "quantile needs p in (0, 1), got \(p)")
    let a = [
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    let b = [
      -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
      6.680131188771972e+01, -1.328068155288572e+01,
    ]
    let c = [
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let pLow = 0.02425
    var x: Double
    if p < pLow {
      let q = (-2 * log(p)).squareRoot()
      x =
        (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - pLow {
      let q = p - 0.5
      let r = q * q
      x =
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
      let q = (-2 * log(1 - p)).squareRoot()
      x =
        -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // Halley refinement: e = Φ(x) − p, u = e·√(2π)·exp(x²/2).
    let e = cdf(x) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
  }
}
