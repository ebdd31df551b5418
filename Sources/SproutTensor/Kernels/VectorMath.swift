import Foundation

/// Eight-lane float vector, the unit every elementwise kernel works in.
typealias V8 = SIMD8<Float>

/// A lane mask: all ones (selected) or all zeros per lane.
///
/// Masks are made with integer arithmetic on sign bits rather than with the standard library's comparison
/// operators: those produce `SIMDMask` values that LLVM lowers, once mixed with arithmetic, by moving lanes
/// one at a time through general registers — an order of magnitude slower than the `vblendvps` these give.
typealias Mask = SIMD8<Int32>

@inline(__always)
func bits(_ v: V8) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }

@inline(__always)
func float(_ i: SIMD8<Int32>) -> V8 { unsafeBitCast(i, to: V8.self) }

/// `m ? a : b` lane-wise.
@inline(__always)
func blend(_ m: Mask, _ a: V8, else b: V8) -> V8 { float((bits(a) & m) | (bits(b) & ~m)) }

/// Lanes whose sign bit is set.
@inline(__always)
func signMask(_ v: V8) -> Mask { bits(v) &>> 31 }

/// Lanes that are NaN (exponent all ones, mantissa non-zero).
@inline(__always)
func nanMask(_ v: V8) -> Mask { (Mask(repeating: 0x7f80_0000) &- (bits(v) & 0x7fff_ffff)) &>> 31 }

/// Lanes where `a > c` (false for NaN `a`).
@inline(__always)
func greaterMask(_ a: V8, _ c: V8) -> Mask { signMask(c - a) & ~nanMask(a) }

/// Lanes where `a < c` (false for NaN `a`; −0 counts as below 0).
@inline(__always)
func lessMask(_ a: V8, _ c: V8) -> Mask { signMask(a - c) & ~nanMask(a) }

/// Whether any lane of `m` is set.
@inline(__always)
func anyLane(_ m: Mask) -> Bool {
  let q = m.lowHalf | m.highHalf
  let d = q.lowHalf | q.highHalf
  return (d[0] | d[1]) != 0
}

/// `b < a ? b : a` lane-wise: the smaller, or `a` when either is NaN (LLVM emits one `minps`).
@inline(__always)
func lanesMin(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .< a) }

/// `b > a ? b : a` lane-wise: the larger, or `a` when either is NaN (one `maxps`).
@inline(__always)
func lanesMax(_ a: V8, _ b: V8) -> V8 { a.replacing(with: b, where: b .> a) }

/// `|v|` lane-wise (clears the sign bit, so −0 becomes +0 and NaN stays NaN).
@inline(__always)
func vabs(_ v: V8) -> V8 {
  unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: V8.self)
}

/// Vectorised transcendental functions on eight lanes (Cephes single-precision polynomials; sine and cosine from
/// fdlibm's, with a Cody–Waite reduction carried in a float pair).
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
    var xc = x
    let above = greaterMask(x, V8(repeating: hi))
    let below = lessMask(x, V8(repeating: lo))
    xc = blend(above, V8(repeating: hi), else: xc)
    xc = blend(below, V8(repeating: lo), else: xc)
    let (n, ni) = roundToInteger(xc * log2e)
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
    let half = ni &>> 1
    let s1 = unsafeBitCast((half &+ 127) &<< 23, to: V8.self)
    let s2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: V8.self)
    var out = y * s1 * s2
    out = blend(above, V8(repeating: .infinity), else: out)
    out = blend(below, V8(), else: out)
    out = blend(nanMask(x), x, else: out)
    return out
  }

  /// `(round(x), Int32(round(x)))`, ties to even, for |x| < 2²², without a float→int conversion (Swift's
  /// generic SIMD conversions are slow): adding 1.5·2²³ leaves the integer in the low mantissa bits.
  @inline(__always)
  static func roundToInteger(_ x: V8) -> (V8, SIMD8<Int32>) {
    let magic: Float = 12_582_912
    let t = x + magic
    let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- SIMD8<Int32>(repeating: 0x4B40_0000)
    return (t - magic, bits)
  }

  /// `tanh x` to a few ulp: Eigen's 13/6 rational approximation on [−7.9, 7.9] (beyond which tanh rounds to
  /// ±1 in float32), with `x` itself below 0.0004 where the rational form loses relative accuracy. Pure
  /// arithmetic and two selects: it vectorises cleanly, unlike forms built on `exp` and sign fix-ups.
  @_transparent
  static func tanh(_ x: V8) -> V8 {
    let bound: Float = 7.90531110763549805
    // NaN lanes stay NaN through the clamp and are replaced by x below.
    let c = lanesMax(lanesMin(x, V8(repeating: bound)), V8(repeating: -bound))
    let x2 = c * c
    var p = x2 * -2.76076847742355e-16 + 2.00018790482477e-13
    p = p * x2 + -8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    p = p * c
    var q = x2 * 1.19825839466702e-06 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    let r = p / q
    // Tiny |x| and NaN pass x through (two compares and a blend; checked over all 2³² inputs to give the same
    // bits as the sign-bit masks used elsewhere).
    return r.replacing(with: x, where: (vabs(x) .< 0.0004) .| (x .!= x))
  }

  /// `σ(x) = 1/(1+e⁻ˣ)`.
  @inline(__always)
  static func sigmoid(_ x: V8) -> V8 { 1 / (1 + exp(-x)) }

  /// `sin x` and `cos x` together (SIREN needs both: sine forward, cosine backward) in float32 on eight lanes,
  /// each within 0.71 ulp of the exact value for |x| ≤ 8192 (libm's float functions beyond, and for ±∞, NaN).
  ///
  /// The reduction `r = x − j·π/2`, `j = round(x·2/π)`, is Cody–Waite with π/2 in three floats A + B + C (72
  /// bits) and is carried as a float pair `s + lo`, because near a multiple of π/2 a rounded `r` would keep only
  /// its first few bits right:
  ///
  ///     x − j·A          one fused multiply-add, exact: x and j·A share the quantum 2⁻²³ (or x's, below 1)
  ///                      and the difference is below 1
  ///     j·B = p + pe     exactly (pe by a fused multiply-add)
  ///     (x − j·A) − p    = s + se exactly (Dekker's fast two-sum: checked exact for every float up to 8192)
  ///     lo = se − pe − j·C
  ///
  /// which leaves r − (s + lo) below 2⁻⁵⁰ for j ≤ 5215. Then sin r = s + (s³·S(s²) + lo·(1 − s²/2)) and
  /// cos r = (1 − s²/2) + tail, where the tail gathers what the rounded `1 − s²/2` lost, the rounding of s², the
  /// `−s·lo` of the pair and s⁴·C(s²): each result is one float added to a small correction, rounded once. The
  /// polynomials are fdlibm's `__kernel_sin`/`__kernel_cos` (Sun Microsystems, 1993) rounded to float and cut
  /// where the next term is below 0.03 ulp. The bound 0.71 ulp was measured over every float in [0, 8192]
  /// against double `sin`/`cos`; `Tests/SproutTensorTests/SineAccuracyTests.swift` checks a dense sample of it.
  @inline(__always)
  static func sinCos(_ x: V8) -> (sin: V8, cos: V8) {
    // On |x|, the sign put back afterwards: sin(−x) = −sin x and cos(−x) = cos x bit for bit, and sin(−0) = −0.
    let ax = vabs(x)
    let (j, quadrant) = roundToInteger(ax * 0x1.45f306p-1)  // 2/π
    let piOver2A = V8(repeating: 0x1.921fb6p0)
    let piOver2B = V8(repeating: -0x1.777a5cp-25)
    let piOver2C = V8(repeating: -0x1.ee59dap-50)
    let r1 = ax.addingProduct(-j, piOver2A)
    let p = j * piOver2B
    let pe = (-p).addingProduct(j, piOver2B)
    let s = r1 - p
    let se = (r1 - s) - p
    let lo = (se - pe).addingProduct(-j, piOver2C)
    let z = s * s
    // a = 1 − s²/2 rounded, ea what it lost (exact: 1 − a and s²/2 are within a factor 2, or ea = −s²/2).
    let h = 0.5 * z
    let a = 1 - h
    let ea = (1 - a) - h
    // sin r = s + s³·S(s²) + lo·cos s, with cos s ≈ a (lo is below 2⁻²⁴·s).
    var sp = V8(repeating: 0x1.71de36p-19)
    sp = V8(repeating: -0x1.a01a02p-13).addingProduct(sp, z)
    sp = V8(repeating: 0x1.111112p-7).addingProduct(sp, z)
    sp = V8(repeating: -0x1.555556p-3).addingProduct(sp, z)
    let sinR = s + (lo * a).addingProduct(s * z, sp)
    // cos r = a + (ea − (s² − z)/2 − s·lo + s⁴·C(s²)).
    let zlo = (-z).addingProduct(s, s)
    var cp = V8(repeating: 0x1.1ee9ecp-29)
    cp = V8(repeating: -0x1.27e4f8p-22).addingProduct(cp, z)
    cp = V8(repeating: 0x1.a01a02p-16).addingProduct(cp, z)
    cp = V8(repeating: -0x1.6c16c2p-10).addingProduct(cp, z)
    cp = V8(repeating: 0x1.555556p-5).addingProduct(cp, z)
    let cosR = a + ea.addingProduct(-0.5, zlo).addingProduct(-s, lo).addingProduct(z * z, cp)
    // Quadrant q: sin x = (sin r, cos r, −sin r, −cos r)[q], cos x = (cos r, −sin r, −cos r, sin r)[q]; the swap
    // and the signs as bit operations, then sin's sign from x.
    let swap = Mask() &- (quadrant & 1)
    var sinOut = blend(swap, cosR, else: sinR)
    var cosOut = blend(swap, sinR, else: cosR)
    sinOut = float(bits(sinOut) ^ ((quadrant & 2) &<< 30) ^ (bits(x) & Int32(bitPattern: 0x8000_0000)))
    cosOut = float(bits(cosOut) ^ (((quadrant &+ 1) & 2) &<< 30))
    // |x| > 8192, ±∞ and NaN: bits of |x| above those of 8192 (integer compare of non-negative floats).
    let outside = (Mask(repeating: 0x4600_0000) &- bits(ax)) &>> 31
    if anyLane(outside) {
      for i in 0..<8 where !(Swift.abs(x[i]) <= 8192) {
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

  /// `y[i] = f(x[i])` over `range`: unchecked full vectors, then one padded tail (a bounds test on every
  /// load keeps LLVM from holding the vectors in registers).
  @inline(__always)
  static func map(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ f: (V8) -> V8
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      UnsafeMutableRawPointer(y + i).storeBytes(of: f(UnsafeRawPointer(x + i).loadUnaligned(as: V8.self)), as: V8.self)
      i += 8
    }
    if i < end { store(f(load(x, i, end)), y, i, end) }
  }

  /// `z[i] = f(x[i], y[i])` over `range`, as `map`.
  @inline(__always)
  static func map(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, _ range: Range<Int>,
    _ f: (V8, V8) -> V8
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      let v = f(UnsafeRawPointer(x + i).loadUnaligned(as: V8.self), UnsafeRawPointer(y + i).loadUnaligned(as: V8.self))
      UnsafeMutableRawPointer(z + i).storeBytes(of: v, as: V8.self)
      i += 8
    }
    if i < end { store(f(load(x, i, end), load(y, i, end)), z, i, end) }
  }
}
