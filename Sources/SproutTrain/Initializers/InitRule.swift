import SproutConfig

extension InitRule {
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
}

extension Nonlinearity {
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
}

extension WinnerOptions {
  /// The 1-D (audio) constants of the reference code: s0_max 3500, a 7 (the paper text reportedly says 5), b 3.
  public static let audio = WinnerOptions(s0Max: 3500, a: 7, b: 3)
  /// The 2-D (image) constants: s0_max 50, a 5, b 0.4.
  public static let image = WinnerOptions(s0Max: 50, a: 5, b: 0.4)
}
