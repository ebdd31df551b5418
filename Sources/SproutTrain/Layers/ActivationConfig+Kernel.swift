import SproutConfig
import SproutTensor

extension ActivationConfig {
  /// The backend's kernel function of a stateless activation; nil for the activations that are layers with
  /// learnable shape parameters (crrelu, rational, dice).
  public var kernel: Activation? {
    switch self {
    case .identity: .identity
    case .relu: .relu
    case .leakyRelu(let slope): .leakyRelu(slope: Float(slope))
    case .elu(let alpha): .elu(alpha: Float(alpha))
    case .selu: .selu
    case .gelu(let approximate): .gelu(approximateTanh: approximate == .tanh)
    case .silu: .silu
    case .tanh: .tanh
    case .sigmoid: .sigmoid
    case .softplus(let beta, let threshold): .softplus(beta: Float(beta), threshold: Float(threshold))
    case .sine(let omega): .sine(omega: Float(omega))
    case .crrelu, .rational, .dice: nil
    }
  }
}
