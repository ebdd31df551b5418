/// Which layers interval bound propagation passes through (``IBPConfig``, the `verified_error` and
/// `interval_bounds` metrics; SproutTrain's IntervalLayer steps).
extension LayerConfig {
  /// True for a layer whose output interval interval bound propagation computes from its input interval: dense and
  /// conv2d layers (linear), non-decreasing activations and max pooling (`[f(l), f(u)]` bounds `f` over `[l, u]`),
  /// average pooling, flatten, and dropout (switched off in evaluation mode, where bounds are taken).
  public var passesIntervals: Bool {
    switch self {
    case .dense, .conv2d, .maxPool2d, .avgPool2d, .globalAvgPool, .flatten, .dropout: return true
    case .activation(let a):
      switch a {
      case .identity, .relu, .selu, .tanh, .sigmoid, .softplus: return true
      case .leakyRelu(let slope): return slope >= 0
      case .elu(let alpha): return alpha >= 0
      case .gelu, .silu, .sine, .crrelu, .rational, .dice: return false
      }
    // Recurrent layers are not propagated (a bound through L steps of a recurrence is not implemented).
    case .residual, .layerNorm, .fourierFeatures, .rnn, .gru, .embedding, .attention, .transformerBlock: return false
    }
  }

  /// The layers interval bounds pass, in words (for messages).
  public static let intervalLayersText =
    "dense and conv2d layers, pooling, flatten, dropout and monotone activations (identity, relu, leaky_relu with "
    + "slope ≥ 0, elu with alpha ≥ 0, selu, tanh, sigmoid, softplus)"
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
