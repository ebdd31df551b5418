import Foundation
import SproutTensor

/// Float64 reference formulas for every elementwise kernel (PyTorch's definitions).
enum Reference {
  static let seluScale = 1.0507009873554804934193349852946
  static let seluAlpha = 1.6732632423543772848170429916717

  static func unary(_ op: UnaryOp, _ x: Double) -> Double {
    switch op {
    case .negate: return -x
    case .abs: return Swift.abs(x)
    case .square: return x * x
    case .sqrt: return x.squareRoot()
    case .exp: return Foundation.exp(x)
    case .log: return Foundation.log(x)
    case .sin: return Foundation.sin(x)
    case .cos: return Foundation.cos(x)
    case .tanh: return Foundation.tanh(x)
    case .affine(let a, let b): return Double(a) * x + Double(b)
    case .clamp(let lo, let hi): return Swift.min(Swift.max(x, Double(lo)), Double(hi))
    }
  }

  static func binary(_ op: BinaryOp, _ x: Double, _ y: Double) -> Double {
    switch op {
    case .add: return x + y
    case .subtract: return x - y
    case .multiply: return x * y
    case .divide: return x / y
    case .maximum: return Swift.max(x, y)
    case .minimum: return Swift.min(x, y)
    }
  }

  /// SIREN's `ω·x` rounded to float32, as every float32 framework (PyTorch's `sin(w0 * x)`) computes it:
  /// the rounding of the product is part of the operation, not an error of the kernel.
  static func sineArgument(_ omega: Float, _ x: Double) -> Double { Double(omega * Float(x)) }

  static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

  static func forward(_ f: Activation, _ x: Double) -> Double {
    switch f {
    case .identity: return x
    case .relu: return Swift.max(0, x)
    case .leakyRelu(let slope): return x > 0 ? x : Double(slope) * x
    case .elu(let alpha): return x > 0 ? x : Double(alpha) * Foundation.expm1(x)
    case .selu: return seluScale * (x > 0 ? x : seluAlpha * Foundation.expm1(x))
    case .gelu(let approximateTanh):
      if approximateTanh {
        let inner = (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + Foundation.tanh(inner))
      }
      return 0.5 * x * (1 + Foundation.erf(x / 2.0.squareRoot()))
    case .silu: return x * sigmoid(x)
    case .tanh: return Foundation.tanh(x)
    case .sigmoid: return sigmoid(x)
    case .softplus(let beta, let threshold):
      let b = Double(beta)
      return b * x > Double(threshold) ? x : Foundation.log1p(Foundation.exp(b * x)) / b
    case .sine(let omega): return Foundation.sin(sineArgument(omega, x))
    }
  }

  /// `f'(x)`, differentiated by hand from `forward` (the tanh-GELU derivative is that of its formula).
  static func derivative(_ f: Activation, _ x: Double) -> Double {
    switch f {
    case .identity: return 1
    case .relu: return x > 0 ? 1 : 0
    case .leakyRelu(let slope): return x > 0 ? 1 : Double(slope)
    case .elu(let alpha): return x > 0 ? 1 : Double(alpha) * Foundation.exp(x)
    case .selu: return x > 0 ? seluScale : seluScale * seluAlpha * Foundation.exp(x)
    case .gelu(let approximateTanh):
      if approximateTanh {
        let k = (2 / Double.pi).squareRoot()
        let t = Foundation.tanh(k * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
      }
      return 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    case .silu:
      let s = sigmoid(x)
      return s * (1 + x * (1 - s))
    case .tanh:
      let t = Foundation.tanh(x)
      return 1 - t * t
    case .sigmoid:
      let s = sigmoid(x)
      return s * (1 - s)
    case .softplus(let beta, let threshold):
      let b = Double(beta)
      return b * x > Double(threshold) ? 1 : sigmoid(b * x)
    case .sine(let omega): return Double(omega) * Foundation.cos(sineArgument(omega, x))
    }
  }

  /// Every activation the suite covers, with a readable name and an input range that exercises it.
  static let activations: [(Activation, String, Float, Float)] = [
    (.identity, "identity", -4, 4), (.relu, "relu", -4, 4), (.leakyRelu(slope: 0.01), "leaky_relu", -4, 4),
    (.elu(alpha: 1), "elu", -6, 4), (.elu(alpha: 0.5), "elu(0.5)", -6, 4), (.selu, "selu", -6, 4),
    (.gelu(approximateTanh: false), "gelu", -6, 6), (.gelu(approximateTanh: true), "gelu tanh", -6, 6),
    (.silu, "silu", -10, 10), (.tanh, "tanh", -5, 5), (.tanh, "tanh small", -0.7, 0.7),
    (.sigmoid, "sigmoid", -12, 12), (.softplus(beta: 1, threshold: 20), "softplus", -10, 25),
    (.softplus(beta: 2, threshold: 5), "softplus(2,5)", -6, 6), (.sine(omega: 30), "sine(30)", -1, 1),
    (.sine(omega: 1), "sine(1)", -400, 400),
  ]
}
