/// Which layers interval bound propagation passes through (``IBPConfig``, the `verified_error` metric).
extension LayerConfig {
  /// True for a dense layer or an activation that is non-decreasing, so that `[f(l), f(u)]` bounds `f` over `[l, u]`.
  public var isIntervalMonotone: Bool {
    switch self {
    case .dense: return true
    case .activation(let a):
      switch a {
      case .identity, .relu, .selu, .tanh, .sigmoid, .softplus: return true
      case .leakyRelu(let slope): return slope >= 0
      case .elu(let alpha): return alpha >= 0
      case .gelu, .silu, .sine, .crrelu, .rational, .dice: return false
      }
    // Convolutions and pooling are not propagated yet (IntervalTraining handles dense layers only).
    case .residual, .layerNorm, .dropout, .fourierFeatures, .conv2d, .maxPool2d, .avgPool2d, .flatten, .globalAvgPool,
      .embedding, .attention, .transformerBlock:
      return false
    }
  }

  /// The kind's name in the language, for messages.
  public var kindName: String {
    switch self {
    case .dense: "dense"
    case .residual: "residual"
    case .layerNorm: "layernorm"
    case .dropout: "dropout"
    case .fourierFeatures: "fourier_features"
    case .conv2d: "conv2d"
    case .maxPool2d: "max_pool2d"
    case .avgPool2d: "avg_pool2d"
    case .flatten: "flatten"
    case .globalAvgPool: "global_avg_pool"
    case .embedding: "embedding"
    case .attention: "attention"
    case .transformerBlock: "transformer_block"
    case .activation(let a):
      switch a {
      case .identity: "identity"
      case .relu: "relu"
      case .leakyRelu: "leaky_relu"
      case .elu: "elu"
      case .selu: "selu"
      case .gelu: "gelu"
      case .silu: "silu"
      case .tanh: "tanh"
      case .sigmoid: "sigmoid"
      case .softplus: "softplus"
      case .sine: "sine"
      case .crrelu: "crrelu"
      case .rational: "rational"
      case .dice: "dice"
      }
    }
  }
}

extension LossConfig {
  /// The kind's name in the language, for messages.
  public var kindName: String {
    switch self {
    case .mse: "mse"
    case .crossEntropy: "cross_entropy"
    case .bceWithLogits: "bce_with_logits"
    case .ibp: "ibp"
    }
  }
}
