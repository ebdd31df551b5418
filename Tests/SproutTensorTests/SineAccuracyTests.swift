import Foundation
import Testing

@testable import SproutTensor

/// The vectorised sine and cosine (`VectorMath.sinCos`, SIREN's activation and its gradient) within 1 ulp of
/// float32 against Double's `sin`/`cos`, over a dense sweep of every range a SIREN layer produces: |ω·x| ≤ 8192
/// on the vector path (ω = 30 puts a first layer's inputs in [−30, 30] and its pre-activations a few times
/// that), and libm's float functions beyond. The whole non-negative half, all 1,174,405,120 floats up to
/// 8192, was checked once the same way: worst 0.7246 ulp for sin, 0.7273 for cos (docs/activations.md).
@Suite("vectorised sine accuracy")
struct SineAccuracyTests {
  /// `|got − exact|` in units of the float32 ulp at `exact` (the spacing of the binade `exact` lies in).
  static func ulps(_ got: Float, _ exact: Double) -> Double {
    if exact == 0 { return got == 0 ? 0 : .infinity }
    let magnitude = Swift.abs(exact)
    let binade = Double(Float(magnitude).binade)
    let base = binade > magnitude ? binade / 2 : binade
    return Swift.abs(Double(got) - exact) / (base * 0x1p-23)
  }

  /// The worst error of sin and cos over `xs`, and the first argument that exceeds `bound` ulp, if any.
  static func worst(_ xs: [Float], bound: Double = 1) -> (sin: Double, cos: Double, failure: Float?) {
    var worstSin = 0.0, worstCos = 0.0
    var failure: Float?
    var i = 0
    while i < xs.count {
      var v = SIMD8<Float>()
      for lane in 0..<8 { v[lane] = xs[min(i + lane, xs.count - 1)] }
      let (s, c) = VectorMath.sinCos(v)
      for lane in 0..<8 where i + lane < xs.count {
        let x = Double(v[lane])
        let es = ulps(s[lane], Foundation.sin(x)), ec = ulps(c[lane], Foundation.cos(x))
        worstSin = max(worstSin, es)
        worstCos = max(worstCos, ec)
        if failure == nil && (es > bound || ec > bound) { failure = v[lane] }
      }
      i += 8
    }
    return (worstSin, worstCos, failure)
  }

  /// Every `step`-th float (by bit pattern) between `lo` and `hi`, both signs.
  static func sweep(_ lo: Float, _ hi: Float, step: UInt32) -> [Float] {
    var xs: [Float] = []
    var b = lo.bitPattern
    while b <= hi.bitPattern {
      xs.append(Float(bitPattern: b))
      xs.append(-Float(bitPattern: b))
      b += step
    }
    return xs
  }

  @Test("within 1 ulp on every 4999th float of [0, 8192]")
  func denseSweep() {
    let result = Self.worst(Self.sweep(0, 8192, step: 4999))
    #expect(result.failure == nil, "over 1 ulp at \(result.failure ?? 0)")
    // A float pair carried through the reduction, each result one float plus a small correction rounded once:
    // the exhaustive check found 0.7273 at worst.
    #expect(result.sin < 0.73 && result.cos < 0.73, "worst sin \(result.sin), cos \(result.cos) ulp")
  }

  @Test("within 1 ulp on every float of [29.9, 30.1] and of [3.13, 3.15] (near ω and near π)")
  func everyFloatNearOmegaAndPi() {
    let result = Self.worst(Self.sweep(29.9, 30.1, step: 1) + Self.sweep(3.13, 3.15, step: 1))
    #expect(result.failure == nil, "over 1 ulp at \(result.failure ?? 0)")
  }

  @Test("the float closest to multiples of π/2, where the reduction cancels")
  func nearMultiplesOfHalfPi() {
    var xs: [Float] = []
    for k in 1...5215 {
      let x = Float(Double(k) * Double.pi / 2)
      xs += [x.nextDown, x, x.nextUp]
    }
    let result = Self.worst(xs)
    #expect(result.failure == nil, "over 1 ulp at \(result.failure ?? 0)")
  }

  @Test("beyond 8192, ±∞ and NaN")
  func outsideTheVectorRange() {
    let result = Self.worst(Self.sweep(8192, 1e6, step: 100_003))
    #expect(result.failure == nil, "over 1 ulp at \(result.failure ?? 0)")
    let (s, c) = VectorMath.sinCos(SIMD8<Float>(.infinity, -.infinity, .nan, 0, -0.0, 1, 2, 3))
    #expect(s[0].isNaN && s[1].isNaN && s[2].isNaN && c[0].isNaN && c[2].isNaN)
    #expect(s[3] == 0 && s[4] == 0 && s[4].sign == .minus && c[3] == 1)
  }
}
