import Foundation

/// Eight-lane float vector, the unit every elementwise kernel works in.
typealias V8 = SIMD8<Float>

/// `|v|` lane-wise (clears the sign bit, so −0 becomes +0 and NaN stays NaN).
@inline(__always)
func vabs(_ v: V8) -> V8 {
  unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: V8.self)
}

/// Vectorised transcendental functions on eight lanes (Cephes single-precision polynomials).
///
/// Every elementwise kernel evaluates each element through these same functions, whether the element sits
/// in the body of a buffer or in its padded tail, so a result never depends on where a thread's chunk starts.
/// Lanes whose argument is outside a polynomial's accurate range fall back to the scalar libm function, lane
/// by lane, which is again a function of the element's value alone.
enum VectorMath {
  static let ln2Hi: Float = 0.693359375
  static let ln2Lo: Float = -2.12194440e-4
  static let log2e: Float = 1.44269504088896341

  /// `eˣ` to about 1 ulp on [-87.3, 88.7]; +∞ above, 0 below, NaN stays NaN.
  @inline(__always)
  static func exp(_ x: V8) -> V8 {
    let hi: Float = 88.72283
    let lo: Float = -87.33654
    let xc = x.clamped(lowerBound: V8(repeating: lo), upperBound: V8(repeating: hi))
    let n = (xc * log2e).rounded(.toNearestOrEven)
    var r = xc - n * ln2Hi
    r = r - n * ln2Lo
    var p = V8(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * (r * r) + r + 1
    // 2ⁿ in two halves so n = 128 (x near the top of the range) does not overflow the exponent field.
    let ni = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int>(n))
    let half = ni &>> 1
    let s1 = unsafeBitCast((half &+ 127) &<< 23, to: V8.self)
    let s2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: V8.self)
    var out = y * s1 * s2
    out.replace(with: V8(repeating: .infinity), where: x .> hi)
    out.replace(with: V8(repeating: 0), where: x .< lo)
    out.replace(with: x, where: x .!= x)
    return out
  }

  /// `tanh x` to a few ulp: an odd polynomial near 0 (where `1 − 2/(e²ˣ+1)` would cancel), the exp form
  /// elsewhere.
  @inline(__always)
  static func tanh(_ x: V8) -> V8 {
    let ax = vabs(x)
    let z = x * x
    var p = V8(repeating: -5.70498872745e-3)
    p = p * z + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = p * z * x + x
    let e = exp(2 * ax.clamped(lowerBound: V8(repeating: 0), upperBound: V8(repeating: 44)))
    var large = 1 - 2 / (e + 1)
    large.replace(with: -large, where: x .< 0)
    var out = large
    out.replace(with: small, where: ax .< 0.625)
    out.replace(with: x, where: x .!= x)
    return out
  }

  /// `σ(x) = 1/(1+e⁻ˣ)`.
  @inline(__always)
  static func sigmoid(_ x: V8) -> V8 { 1 / (1 + exp(-x)) }

  /// `sin x` and `cos x` together (SIREN needs both: sine forward, cosine backward).
  ///
  /// Cody–Waite reduction by π/4 in three parts is exact enough for |x| ≤ 8192; lanes beyond that (and
  /// non-finite lanes) use libm.
  @inline(__always)
  static func sinCos(_ x: V8) -> (sin: V8, cos: V8) {
    let dp1: Float = 0.78515625
    let dp2: Float = 2.4187564849853515625e-4
    let dp3: Float = 3.77489497744594108e-8
    let fourOverPi: Float = 1.27323954473516
    let ax = vabs(x)
    var j = SIMD8<Int32>(truncatingIfNeeded: SIMD8<Int>(ax * fourOverPi))
    j = (j &+ 1) & ~1
    let y = V8(SIMD8<Int>(truncatingIfNeeded: j))
    let r = ((ax - y * dp1) - y * dp2) - y * dp3
    let z = r * r
    var c = V8(repeating: 2.443315711809948e-5)
    c = c * z - 1.388731625493765e-3
    c = c * z + 4.166664568298827e-2
    c = c * z * z - 0.5 * z + 1
    var s = V8(repeating: -1.9515295891e-4)
    s = s * z + 8.3321608736e-3
    s = s * z - 1.6666654611e-1
    s = s * z * r + r
    // Octant j ∈ {0, 2, 4, 6} (mod 8): swap sin/cos on 2 and 6, negate per quadrant.
    let swap = (j & 2) .!= 0
    var sinOut = s
    sinOut.replace(with: c, where: swap)
    var cosOut = c
    cosOut.replace(with: s, where: swap)
    let sinNeg = ((j & 4) .!= 0) .^ (x .< 0)
    sinOut.replace(with: -sinOut, where: sinNeg)
    let cosNeg = ((j &+ 2) & 4) .!= 0
    cosOut.replace(with: -cosOut, where: cosNeg)
    let outside = .!(ax .<= 8192)
    if any(outside) {
      for i in 0..<8 where outside[i] {
        sinOut[i] = Foundation.sin(x[i])
        cosOut[i] = Foundation.cos(x[i])
      }
    }
    return (sinOut, cosOut)
  }

  /// Applies a scalar function lane by lane (for functions without a vector form, e.g. `erf`).
  @inline(__always)
  static func lanes(_ x: V8, _ f: (Float) -> Float) -> V8 {
    var out = V8()
    for i in 0..<8 { out[i] = f(x[i]) }
    return out
  }
}

/// Eight-lane loads and stores with a zero-padded tail, so that the last partial vector of a buffer goes
/// through exactly the same vector code as the body.
enum Lanes {
  @inline(__always)
  static func load(_ p: UnsafePointer<Float>, _ i: Int, _ count: Int) -> V8 {
    if i + 8 <= count { return UnsafeRawPointer(p + i).loadUnaligned(as: V8.self) }
    var v = V8()
    for l in 0..<(count - i) { v[l] = p[i + l] }
    return v
  }

  @inline(__always)
  static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ count: Int) {
    if i + 8 <= count {
      UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V8.self)
      return
    }
    for l in 0..<(count - i) { p[i + l] = v[l] }
  }
}
