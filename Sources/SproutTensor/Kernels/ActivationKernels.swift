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
    out.replace(with: small, where: vabs(x) .< 0.5)
    return out
  }

  /// `f(x)` on eight lanes.
  @inline(__always)
  static func forward(_ f: Activation, _ x: V8) -> V8 {
    switch f {
    case .identity: return x
    case .relu:
      var y = x
      y.replace(with: 0, where: x .<= 0)
      return y
    case .leakyRelu(let slope):
      var y = x
      y.replace(with: x * slope, where: x .<= 0)
      return y
    case .elu(let alpha):
      var y = x
      y.replace(with: alpha * expm1(x), where: x .<= 0)
      return y
    case .selu:
      var y = x
      y.replace(with: seluAlpha * expm1(x), where: x .<= 0)
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
      y.replace(with: x, where: bx .> threshold)
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
      g.replace(with: 0, where: y .<= 0)
      return g
    case .leakyRelu(let slope):
      var g = dy
      g.replace(with: dy * slope, where: x .<= 0)
      return g
    case .elu(let alpha):
      var g = dy
      g.replace(with: dy * (alpha * VectorMath.exp(x)), where: x .<= 0)
      return g
    case .selu:
      var g = dy * seluScale
      g.replace(with: dy * (seluScale * seluAlpha * VectorMath.exp(x)), where: x .<= 0)
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
      g.replace(with: dy, where: x * beta .> threshold)
      return g
    case .sine(let omega): return dy * omega * VectorMath.sinCos(omega * x).cos
    }
  }

  /// Forward over elements `range` of the buffers.
  static func forward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, range: Range<Int>
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    switch f {
    case .relu:
      while i < end {
        Lanes.store(forward(.relu, Lanes.load(x, i, end)), y, i, end)
        i += 8
      }
    case .sine:
      while i < end {
        Lanes.store(forward(f, Lanes.load(x, i, end)), y, i, end)
        i += 8
      }
    default:
      while i < end {
        Lanes.store(forward(f, Lanes.load(x, i, end)), y, i, end)
        i += 8
      }
    }
  }

  /// Backward over elements `range` of the buffers.
  static func backward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, range: Range<Int>
  ) {
    var i = range.lowerBound
    let end = range.upperBound
    while i < end {
      let g = backward(f, x: Lanes.load(x, i, end), y: Lanes.load(y, i, end), dy: Lanes.load(dy, i, end))
      Lanes.store(g, dx, i, end)
      i += 8
    }
  }
}
