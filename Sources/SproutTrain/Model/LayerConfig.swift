import SproutTensor

/// One entry of a model's layer list, as the spec describes it (already resolved to numbers).
///
/// The graph phase turns `layers: [{dense: 256}, relu, ...]` into these values; `Network` plans buffers and
/// parameters from them. Widths flow left to right: each layer's output width is the next one's input.
public indirect enum LayerConfig: Hashable, Sendable {
  /// `y = x Wᵀ + b`, weight `[units, in]`, optional bias `[units]`.
  case dense(units: Int, bias: Bool)
  /// `y = x + f(x)` where `f` is the inner layer list; `f` must map the width back to the input width.
  case residual([LayerConfig])
  /// Normalises each row to zero mean and unit variance over its features (biased variance, as PyTorch),
  /// then, when `affine`, applies a learnable gain `weight` and `bias`.
  case layerNorm(eps: Float, affine: Bool)
  /// Zeroes each element with probability `p` in training and scales survivors by `1/(1-p)`; identity in eval.
  case dropout(p: Float)
  /// Random Fourier features (Tancik et al. 2020): `[cos(2π x Bᵀ), sin(2π x Bᵀ), x?]` with a frozen
  /// projection `B` of shape `[features, in]` drawn from N(0, sigma²) by the initializer.
  case fourierFeatures(features: Int, sigma: Float, includeInput: Bool)
  /// An activation function (stateless or learnable).
  case activation(ActivationConfig)
}

/// An activation layer: a stateless function the backend evaluates, or one with learnable parameters.
public enum ActivationConfig: Hashable, Sendable {
  /// identity, relu, leaky_relu, elu, selu, gelu, silu, tanh, sigmoid, softplus, sine(omega).
  case stateless(Activation)
  /// CRReLU (METHODS.md B7): `relu(x) + ε·x·exp(−x²/2)`, one scalar `epsilon` (initial value given, 0.01 in the
  /// paper), learnable unless `learnable` is false.
  case crrelu(epsilon: Float, learnable: Bool)
  /// KAT group-rational activation (METHODS.md B5): `P(x)/Q(x)` with P of degree 5, Q of degree 4 in the safe
  /// kernel form `Q = 1 + Σ|bᵢ||x|ⁱ`; the features are split into `groups` contiguous groups, each with its own
  /// numerator and denominator (the paper's and `KAT_1DGroup`'s per-group sharing, not `KAT_Group`'s shared
  /// numerator). Coefficients start at the `initialization` fit.
  case rational(groups: Int, initialization: RationalInitialization)
  /// Dice (METHODS.md B8, paper form): `p·s + (1−p)·α·s`, `p = σ((s − E[s]) / √(Var[s] + eps))`, per-feature
  /// learnable `alpha` (initial value given), batch statistics in training and running averages in eval.
  case dice(alpha: Float, eps: Float)
}

/// Starting coefficients of a rational activation (`Adamdad/rational_kat_cu`, `kat_rational/init.json`).
public enum RationalInitialization: String, Hashable, Sendable, CaseIterable {
  /// `P(x) = x`, `Q = 1`: exactly the identity.
  case identity
  /// Least-squares fit of Swish on [−3, 3]; matches Swish to ~1e-4 in the kernel form.
  case swish
  /// Least-squares fit of GELU made with the *fit-form* denominator `1 + |Σ bᵢxⁱ|`; in the kernel form used
  /// here it deviates from GELU for x > 1 (F(2) ≈ 1.57). Kept for parity with the upstream coefficients.
  case gelu

  /// Numerator `a₀…a₅` and denominator `b₁…b₄`.
  public var coefficients: (numerator: [Float], denominator: [Float]) {
    switch self {
    case .identity:
      return ([0, 1, 0, 0, 0, 0], [0, 0, 0, 0])
    case .swish:
      return (
        [3.0549e-07, 0.50000079, 0.24999783, 0.05326628, 0.00580303, 0.00027520],
        [-4.1116e-06, 0.10652899, -1.2690e-06, 0.00055023]
      )
    case .gelu:
      return (
        [-0.00153969, 0.51692871, 0.44075827, 0.0972553, -0.00884418, -0.00378675],
        [-0.14171056, -0.06481231, -0.0444695, 0.01283776]
      )
    }
  }
}

extension ActivationConfig {
  /// CRReLU with the paper's initial epsilon 0.01, learnable.
  public static let crreluDefault = ActivationConfig.crrelu(epsilon: 0.01, learnable: true)
  /// Dice with alpha starting at 0 (as the official code) and the paper's eps 1e-8.
  public static let diceDefault = ActivationConfig.dice(alpha: 0, eps: 1e-8)
}
