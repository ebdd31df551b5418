import Foundation

/// The stateless activations on eight lanes, with PyTorch's formulas (and PyTorch's choice of which saved
/// value the gradient is computed from).
enum ActivationKernels {
  static let seluScale: Float = 1.0507009873554804934193349852946
  static let seluAlpha: Float = 1.6732632423543772848170429916717
  /// √(2/π), the tanh-GELU inner coefficient.
  static let geluBeta: Float = 0.7978845608028654
  static let geluKappa: Float = 0.044715
  /// 1/√2 and 1/√(2π) for the erf form.
  static let invSqrt2: Float = 0.7071067811865476
  static let invSqrt2Pi: Float = 0.3989422804014327

  /// `eˣ − 1` without cancellation near 0 (a degree-7 Taylor polynomial for |x| < 0.5).
  @inline(__always)
  static func expm1(_ x: V8) -> V8 {
    var p = V8(repeating: 1.0 / 5040)
    p = p * x + 1.0 / 720
    p = p * x + 1.0 / 120
    p = p * x + 1.0 / 24
    p = p * x + 1.0 / 6
    p = p * x + 0.5
    let small = p * x * x + x
    var out = VectorMath.exp(x) - 1
    out = blend(lessMask(vabs(x), V8(repeating: 0.5)), small, else: out)
    return out
  }

  /// `f(x)` on eight lanes.
  @inline(__always)
  static func forward(_ f: Activation, _ x: V8) -> V8 {
    switch f {
    case .identity: return x
    case .relu:
      var y = x
      y = blend(lessMask(x, V8()), V8(), else: y)
      return y
    case .leakyRelu(let slope):
      var y = x
      y = blend(lessMask(x, V8()), x * slope, else: y)
      return y
    case .elu(let alpha):
      var y = x
      y = blend(lessMask(x, V8()), alpha * expm1(x), else: y)
      return y
    case .selu:
      var y = x
      y = blend(lessMask(x, V8()), seluAlpha * expm1(x), else: y)
      return seluScale * y
    case .gelu(let approximateTanh):
      if approximateTanh {
        let inner = geluBeta * (x + geluKappa * (x * x * x))
        return 0.5 * x * (1 + VectorMath.tanh(inner))
      }
      return 0.5 * x * (1 + VectorMath.lanes(x * invSqrt2, Foundation.erf))
    case .silu: return x * VectorMath.sigmoid(x)
    case .tanh: return VectorMath.tanh(x)
    case .sigmoid: return VectorMath.sigmoid(x)
    case .softplus(let beta, let threshold):
      let bx = x * beta
      var y = VectorMath.lanes(VectorMath.exp(bx), Foundation.log1p) / beta
      y = blend(greaterMask(bx, V8(repeating: threshold)), x, else: y)
      return y
    case .sine(let omega): return VectorMath.sinCos(omega * x).sin
    }
  }

  /// `f'(x) · dy` on eight lanes, given `x` and `y = f(x)`.
  @inline(__always)
  static func backward(_ f: Activation, x: V8, y: V8, dy: V8) -> V8 {
    switch f {
    case .identity: return dy
    case .relu:
      var g = dy
      g = blend(greaterMask(y, V8()), g, else: V8())
      return g
    case .leakyRelu(let slope):
      var g = dy
      g = blend(greaterMask(x, V8()), g, else: dy * slope)
      return g
    case .elu(let alpha):
      var g = dy
      g = blend(greaterMask(x, V8()), g, else: dy * (alpha * VectorMath.exp(x)))
      return g
    case .selu:
      var g = dy * seluScale
      g = blend(greaterMask(x, V8()), g, else: dy * (seluScale * seluAlpha * VectorMath.exp(x)))
      return g
    case .gelu(let approximateTanh):
      if approximateTanh {
        let xSq = x * x
        let inner = geluBeta * (x + geluKappa * xSq * x)
        let t = VectorMath.tanh(inner)
        let left = 0.5 * x
        let right = 1 + t
        let leftDerivative = 0.5 * right
        let rightDerivative = left * (1 - t * t) * geluBeta * (1 + 3 * geluKappa * xSq)
        return dy * (leftDerivative + rightDerivative)
      }
      let cdf = 0.5 * (1 + VectorMath.lanes(x * invSqrt2, Foundation.erf))
      let pdf = VectorMath.exp(-0.5 * x * x) * invSqrt2Pi
      return dy * (cdf + x * pdf)
    case .silu:
      let s = VectorMath.sigmoid(x)
      return dy * s * (1 + x * (1 - s))
    case .tanh: return dy * (1 - y * y)
    case .sigmoid: return dy * y * (1 - y)
    case .softplus(let beta, let threshold):
      let z = VectorMath.exp(x * beta)
      var g = dy * z / (z + 1)
      g = blend(greaterMask(x * beta, V8(repeating: threshold)), dy, else: g)
      return g
    case .sine(let omega): return dy * omega * VectorMath.sinCos(omega * x).cos
    }
  }

  /// Forward over elements `range` of the buffers. The switch is outside the loop so that each function gets
  /// its own straight-line vector loop.
  static func forward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>? = nil, range: Range<Int>
  ) {
    switch f {
    case .identity: loop(x, y, range) { $0 }
    case .relu: loop(x, y, range) { forward(.relu, $0) }
    case .leakyRelu: loop(x, y, range) { forward(f, $0) }
    case .elu: loop(x, y, range) { forward(f, $0) }
    case .selu: loop(x, y, range) { forward(.selu, $0) }
    case .gelu(let approximateTanh):
      if approximateTanh {
        loop(x, y, range) { forward(.gelu(approximateTanh: true), $0) }
      } else {
        loop(x, y, range) { forward(.gelu(approximateTanh: false), $0) }
      }
    case .silu: loop(x, y, range) { forward(.silu, $0) }
    case .tanh: tanhLoop(x, y, range)
    case .sigmoid: loop(x, y, range) { VectorMath.sigmoid($0) }
    case .softplus: loop(x, y, range) { forward(f, $0) }
    case .sine(let omega):
      if let saved {
        sineLoop(omega, x, y, cos: saved, range)
      } else {
        sineLoop(omega, x, y, range)
      }
    }
  }

  /// The tanh loop, written out: through the generic `loop` its body stayed a closure call per vector.
  static func tanhLoop(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      let v = VectorMath.tanh(UnsafeRawPointer(x + i).loadUnaligned(as: V8.self))
      UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: V8.self)
      i += 8
    }
    if i < end { Lanes.store(VectorMath.tanh(Lanes.load(x, i, end)), y, i, end) }
  }

  /// `sin(ω·x)` and `cos(ω·x)`, the forward pass that saves its cosine for the backward pass.
  static func sineLoop(
    _ omega: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, cos: UnsafeMutablePointer<Float>,
    _ range: Range<Int>
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      let v = VectorMath.sinCos(omega * UnsafeRawPointer(x + i).loadUnaligned(as: V8.self))
      UnsafeMutableRawPointer(y + i).storeBytes(of: v.sin, as: V8.self)
      UnsafeMutableRawPointer(cos + i).storeBytes(of: v.cos, as: V8.self)
      i += 8
    }
    if i < end {
      let v = VectorMath.sinCos(omega * Lanes.load(x, i, end))
      Lanes.store(v.sin, y, i, end)
      Lanes.store(v.cos, cos, i, end)
    }
  }

  /// `sin(ω·x)`, written out for the same reason.
  static func sineLoop(_ omega: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      let v = VectorMath.sinCos(omega * UnsafeRawPointer(x + i).loadUnaligned(as: V8.self)).sin
      UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: V8.self)
      i += 8
    }
    if i < end { Lanes.store(VectorMath.sinCos(omega * Lanes.load(x, i, end)).sin, y, i, end) }
  }

  /// `dy · ω · cos(ω·x)`, written out (through the generic `loop` the closure was called per vector).
  static func sineGradientLoop(
    _ omega: Float, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
    _ range: Range<Int>
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      let c = VectorMath.sinCos(omega * UnsafeRawPointer(x + i).loadUnaligned(as: V8.self)).cos
      let g = UnsafeRawPointer(dy + i).loadUnaligned(as: V8.self)
      UnsafeMutableRawPointer(dx + i).storeBytes(of: g * omega * c, as: V8.self)
      i += 8
    }
    if i < end {
      Lanes.store(Lanes.load(dy, i, end) * omega * VectorMath.sinCos(omega * Lanes.load(x, i, end)).cos, dx, i, end)
    }
  }

  @inline(__always)
  static func loop(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ body: (V8) -> V8
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      UnsafeMutableRawPointer(y + i).storeBytes(of: body(UnsafeRawPointer(x + i).loadUnaligned(as: V8.self)), as: V8.self)
      i += 8
    }
    if i < end { Lanes.store(body(Lanes.load(x, i, end)), y, i, end) }
  }

  /// Backward over elements `range` of the buffers (one loop per function, as `forward`). `saved` is what the
  /// forward saved (sine: the cosine), used instead of recomputing it: `(dy·ω)·cos` either way.
  static func backward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>? = nil,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, range: Range<Int>
  ) {
    switch f {
    case .identity: loop(x, y, dy, dx, range) { _, _, g in g }
    case .relu: loop(x, y, dy, dx, range) { x, y, g in backward(.relu, x: x, y: y, dy: g) }
    case .tanh: loop(x, y, dy, dx, range) { x, y, g in backward(.tanh, x: x, y: y, dy: g) }
    case .sigmoid: loop(x, y, dy, dx, range) { x, y, g in backward(.sigmoid, x: x, y: y, dy: g) }
    case .sine(let omega):
      if let saved {
        loop(saved, y, dy, dx, range) { c, _, g in g * omega * c }
      } else {
        sineGradientLoop(omega, x, dy, dx, range)
      }
    case .silu: loop(x, y, dy, dx, range) { x, y, g in backward(.silu, x: x, y: y, dy: g) }
    default: loop(x, y, dy, dx, range) { x, y, g in backward(f, x: x, y: y, dy: g) }
    }
  }

  @inline(__always)
  static func loop(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ body: (V8, V8, V8) -> V8
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      let g = body(
        UnsafeRawPointer(x + i).loadUnaligned(as: V8.self), UnsafeRawPointer(y + i).loadUnaligned(as: V8.self),
        UnsafeRawPointer(dy + i).loadUnaligned(as: V8.self))
      UnsafeMutableRawPointer(dx + i).storeBytes(of: g, as: V8.self)
      i += 8
    }
    if i < end {
      Lanes.store(body(Lanes.load(x, i, end), Lanes.load(y, i, end), Lanes.load(dy, i, end)), dx, i, end)
    }
  }
}
