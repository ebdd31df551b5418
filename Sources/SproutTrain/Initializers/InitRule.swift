/// How one parameter tensor starts: the initializer catalogue of the language (docs/initializers.md).
///
/// Constants and formulas follow ../shared/METHODS.md sections A and B; each case cites its source.
/// `fan_in`/`fan_out` are PyTorch's (`Parameter.fanIn`/`fanOut`); a bias is drawn with its layer weight's fans.
public indirect enum InitRule: Sendable, Hashable {
  /// All zeros.
  case zeros
  /// All ones.
  case ones
  /// Every value equal to `value`.
  case constant(Double)
  /// U(low, high) (PyTorch `uniform_`).
  case uniform(low: Double, high: Double)
  /// N(mean, std²) (PyTorch `normal_`).
  case normal(mean: Double, std: Double)
  /// N(mean, std²) truncated to the **absolute** interval [a, b] by inverse CDF (PyTorch `trunc_normal_`, A7).
  case truncatedNormal(mean: Double, std: Double, a: Double, b: Double)
  /// U(−g·√(6/(fan_in+fan_out)), +…) (Glorot & Bengio 2010, A2).
  case xavierUniform(gain: Double)
  /// N(0, (g·√(2/(fan_in+fan_out)))²) (Glorot & Bengio 2010, A2).
  case xavierNormal(gain: Double)
  /// U(−g·√(3/fan_mode), +…) with g from the nonlinearity (He et al. 2015, A3).
  case kaimingUniform(mode: FanMode, nonlinearity: Nonlinearity)
  /// N(0, (g/√fan_mode)²) with g from the nonlinearity (He et al. 2015, A3).
  case kaimingNormal(mode: FanMode, nonlinearity: Nonlinearity)
  /// U(−√(3/fan_in), +…) (LeCun et al. 1998, A4).
  case lecunUniform
  /// N(0, 1/fan_in) (LeCun et al. 1998, A4).
  case lecunNormal
  /// PyTorch's `nn.Linear` default: kaiming_uniform with a = √5, i.e. U(±1/√fan_in) (E2); as a bias rule,
  /// U(±1/√fan_in) of the layer's weight.
  case pytorchDefault
  /// Haar-random orthogonal matrix times `gain`: QR of a Gaussian with the sign fix (Saxe et al. 2013, A5).
  case orthogonal(gain: Double)
  /// Ones on the main diagonal (times `gain`), zeros elsewhere (PyTorch `eye_`, A6).
  case identity(gain: Double)
  /// N(0, std²) with `ceil(sparsity·rows)` zeros per column at random rows (PyTorch `sparse_`, Martens 2010).
  case sparse(sparsity: Double, std: Double)
  /// The top-`rank` SVD truncation of a `base` draw, rescaled to the base draw's Frobenius norm unless `matchNorm`
  /// is false (Liu et al. 2024, B1).
  case lowRank(rank: Int, base: InitRule, matchNorm: Bool = true)
  /// SIREN hidden layer: U(−√(c/fan_in)/ω, +…), c = 6 (Sitzmann et al. 2020, A9).
  case siren(omega: Double, c: Double)
  /// SIREN first layer: U(−1/fan_in, +1/fan_in) (Sitzmann et al. 2020, A9).
  case sirenFirst
  /// WINNER / SIREN²: SIREN on every dense layer (first layer `sirenFirst`), then Gaussian noise with std s₀/ω and
  /// s₁/ω added to the first two dense weights, s₀, s₁ from the target's spectral centroid (Chandravamsi et al.
  /// 2025, B3). Needs `InitContext.target`.
  case winner(WinnerOptions)
  /// LSUV: `base` pre-init (orthonormal in the paper), then each dense layer in forward order scaled by
  /// 1/√Var(its pre-activation output) until |Var − 1| ≤ tolerance or `maxIterations` (Mishkin & Matas 2015, A8).
  /// Needs `InitContext.forwardToLayer`.
  case lsuv(tolerance: Double, maxIterations: Int, base: InitRule = .orthogonal(gain: 1))
  /// IBP init: N(0, (√(2π)/fan_in)²) on every dense weight except the last, which keeps `pytorchDefault`
  /// (Shi et al. 2021, B4).
  case ibp
  /// Copy the tensors of a stage's checkpoint (`InitContext.checkpoints[stage]`), layer `i` reading source layer
  /// `mapping[i] ?? i`; tensors the checkpoint lacks get `fallback`, or are an error when it is nil.
  case fromStage(stage: String, mapping: [Int: Int], fallback: InitRule?)

  /// The catalogue name of the rule as written in a spec (`kind:`).
  public var kind: String {
    switch self {
    case .zeros: "zeros"
    case .ones: "ones"
    case .constant: "constant"
    case .uniform: "uniform"
    case .normal: "normal"
    case .truncatedNormal: "truncated_normal"
    case .xavierUniform: "xavier_uniform"
    case .xavierNormal: "xavier_normal"
    case .kaimingUniform: "kaiming_uniform"
    case .kaimingNormal: "kaiming_normal"
    case .lecunUniform: "lecun_uniform"
    case .lecunNormal: "lecun_normal"
    case .pytorchDefault: "pytorch_default"
    case .orthogonal: "orthogonal"
    case .identity: "identity"
    case .sparse: "sparse"
    case .lowRank: "low_rank"
    case .siren: "siren"
    case .sirenFirst: "siren_first"
    case .winner: "winner"
    case .lsuv: "lsuv"
    case .ibp: "ibp"
    case .fromStage: "from_stage"
    }
  }

  /// Every catalogue name, for lint's "did you mean" and the JSON schema.
  public static let catalogue: [String] = [
    "zeros", "ones", "constant", "uniform", "normal", "truncated_normal", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "lecun_uniform", "lecun_normal", "pytorch_default", "orthogonal",
    "identity", "sparse", "low_rank", "siren", "siren_first", "winner", "lsuv", "ibp", "from_stage",
  ]

  /// SIREN's ω₀ (the official `Sine` module's 30).
  public static let defaultSirenOmega = 30.0
  /// LSUV's official tolerance (`ducha-aiki/LSUVinit`, `margin`).
  public static let defaultLSUVTolerance = 0.02
  /// LSUV's official iteration limit.
  public static let defaultLSUVMaxIterations = 20
}

/// Which fan Kaiming init preserves: the forward (`fan_in`) or backward (`fan_out`) variance.
public enum FanMode: String, Sendable, Hashable, CaseIterable {
  /// Preserve the forward pass variance (PyTorch default).
  case fanIn = "fan_in"
  /// Preserve the backward pass variance.
  case fanOut = "fan_out"
}

/// A nonlinearity's recommended gain, PyTorch's `calculate_gain` table (METHODS.md A1).
public enum Nonlinearity: Sendable, Hashable {
  /// Gain 1 (also PyTorch's conv*/conv_transpose* names).
  case linear
  /// Gain 1.
  case sigmoid
  /// Gain 5/3.
  case tanh
  /// Gain √2.
  case relu
  /// Gain √(2/(1+slope²)); PyTorch's `kaiming_*` default is slope 0 (gain √2), `calculate_gain`'s is 0.01.
  case leakyRelu(slope: Double)
  /// Gain 3/4.
  case selu
  /// Gain 1/√E[gelu(z)²] = 1.5335 (z ~ N(0,1), by quadrature; KAT's Monte-Carlo constant is 0.2% higher, A1).
  case gelu
  /// Gain 1/√E[silu(z)²] = 1.6765 (by quadrature; KAT's constant is 0.2% higher, A1).
  case silu

  /// The gain.
  public var gain: Double {
    switch self {
    case .linear, .sigmoid: 1
    case .tanh: 5.0 / 3.0
    case .relu: 2.0.squareRoot()
    case .leakyRelu(let slope): (2.0 / (1 + slope * slope)).squareRoot()
    case .selu: 0.75
    case .gelu: 1.5335304411955732
    case .silu: 1.6765324703311595
    }
  }

  /// Parses PyTorch's names (`linear`, `identity`, `conv1d`…`conv_transpose3d`, `sigmoid`, `tanh`, `relu`,
  /// `leaky_relu`, `selu`) plus `gelu` and `silu`/`swish`; `parameter` is leaky_relu's slope (PyTorch default 0.01). Nil for an unknown name.
  public init?(name: String, parameter: Double? = nil) {
    switch name {
    case "linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
      "conv_transpose3d":
      self = .linear
    case "sigmoid": self = .sigmoid
    case "tanh": self = .tanh
    case "relu": self = .relu
    case "leaky_relu": self = .leakyRelu(slope: parameter ?? 0.01)
    case "selu": self = .selu
    case "gelu": self = .gelu
    case "silu", "swish": self = .silu
    default: return nil
    }
  }

  /// Every name `init(name:)` accepts.
  public static let names = [
    "linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "sigmoid", "tanh", "relu", "leaky_relu", "selu", "gelu", "silu", "swish",
  ]
}

/// WINNER's arguments (METHODS.md B3, E5). The defaults of `audio`/`image` are the reference code's constants.
public struct WinnerOptions: Sendable, Hashable {
  /// The SIREN frequency ω (divisor of both noise stds).
  public var omega: Double
  /// s₀ = s0Max·(1 − exp(−a·z)).
  public var s0Max: Double
  /// Rate of s₀'s saturation.
  public var a: Double
  /// s₁ = b·z.
  public var b: Double
  /// Explicit s₀ (skips the centroid formula) when set.
  public var s0: Double?
  /// Explicit s₁ when set.
  public var s1: Double?
  /// SIREN's hidden-layer constant c.
  public var c: Double

  /// Creates options; nil scales are computed from the target.
  public init(
    omega: Double = 30, s0Max: Double, a: Double, b: Double, s0: Double? = nil, s1: Double? = nil,
    c: Double = 6
  ) {
    self.omega = omega
    self.s0Max = s0Max
    self.a = a
    self.b = b
    self.s0 = s0
    self.s1 = s1
    self.c = c
  }

  /// The 1-D (audio) constants: s0_max 3500, a 7 (code; the paper text reportedly says 5), b 3.
  public static let audio = WinnerOptions(s0Max: 3500, a: 7, b: 3)
  /// The 2-D (image) constants: s0_max 50, a 5, b 0.4.
  public static let image = WinnerOptions(s0Max: 50, a: 5, b: 0.4)
}

/// Which layers a per-layer rule applies to. Indices are positions in the model's layer list — the `<i>` of the
/// parameter name `layers.<i>.weight`; `first`/`last` are the first and last layers that have a dense weight.
public enum LayerSelector: Sendable, Hashable {
  /// The first dense layer.
  case first
  /// The last dense layer.
  case last
  /// The layer at this position in the layer list.
  case index(Int)
  /// The layers at these positions.
  case indices([Int])
}

/// A whole model's initialization: a rule for weights, overrides for some layers, and a rule for biases.
public struct InitPlan: Sendable, Hashable {
  /// The weight rule of every layer not selected below.
  public var rule: InitRule
  /// Per-layer weight rules; when several select a layer, the last one wins.
  public var layerRules: [LayerRule]
  /// The bias rule (zeros by default).
  public var biasRule: InitRule

  /// A per-layer override.
  public struct LayerRule: Sendable, Hashable {
    /// The layers it applies to.
    public var selector: LayerSelector
    /// Their weight rule.
    public var rule: InitRule
    /// Their bias rule, when different from the plan's.
    public var biasRule: InitRule?

    /// Creates an override.
    public init(_ selector: LayerSelector, _ rule: InitRule, bias: InitRule? = nil) {
      self.selector = selector
      self.rule = rule
      self.biasRule = bias
    }
  }

  /// Creates a plan.
  public init(rule: InitRule, layerRules: [LayerRule] = [], biasRule: InitRule = .zeros) {
    self.rule = rule
    self.layerRules = layerRules
    self.biasRule = biasRule
  }
}
