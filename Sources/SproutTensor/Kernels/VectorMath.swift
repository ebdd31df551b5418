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

  /// `sin x` and `cos x` together (SIREN needs both: sine forward, cosine backward).
  ///
  /// Cody–Waite reduction by π/4 in three parts is exact enough for |x| ≤ 8192; lanes beyond that (and
  /// non-finite lanes) use libm.
  @inline(__always)
  static func sinCos(_ x: V8) -> (sin: V8, cos: V8) {
    let dp1: Float = 0.78515625
    let dp2: Float = 2.4187564849853515625e-4
    let dp3: Float = 3.77489497744594108e-8
    let twoOverPi: Float = 0.636619772367581
    let ax = vabs(x)
    // j = the even integer nearest to |x|·4/π (Cephes' (j+1) & ~1), as 2·round(|x|·2/π).
    let (half, halfInt) = roundToInteger(ax * twoOverPi)
    let j = halfInt &<< 1
    let y = half * 2
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
    // Octant j ∈ {0, 2, 4, 6} (mod 8): swap sin/cos on 2 and 6, negate per quadrant (as sign-bit flips).
    let swap = Mask(repeating: 0) &- ((j &>> 1) & 1)
    var sinOut = blend(swap, c, else: s)
    var cosOut = blend(swap, s, else: c)
    let signBit = SIMD8<Int32>(repeating: Int32(bitPattern: 0x8000_0000))
    let sinSign = ((j & 4) &<< 29) ^ (unsafeBitCast(x, to: SIMD8<Int32>.self) & signBit)
    let cosSign = ((j &+ 2) & 4) &<< 29
    sinOut = unsafeBitCast(unsafeBitCast(sinOut, to: SIMD8<Int32>.self) ^ sinSign, to: V8.self)
    cosOut = unsafeBitCast(unsafeBitCast(cosOut, to: SIMD8<Int32>.self) ^ cosSign, to: V8.self)
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
