import SproutTensor

/// One trainable (or frozen) tensor of a network, with its gradient.
///
/// Names follow safetensors/PyTorch conventions: `layers.<index>.weight`, `layers.<index>.bias`,
/// `layers.<index>.epsilon`, ... where `<index>` is the position in the model's layer list (nested
/// blocks: `layers.3.layers.0.weight`). A dense weight has shape `[out, in]` (fan_out, fan_in), row-major.
///
/// Not `Sendable`, like its tensors: a parameter belongs to one network, built and trained inside one task.
public final class Parameter {
  /// What the tensor is to its layer; initializers and optimizers use it (biases default to zeros,
  /// weight decay skips some roles).
  public enum Role: String, Sendable, Hashable, Codable {
    /// A dense weight matrix `[out, in]`.
    case weight
    /// A bias vector `[out]`.
    case bias
    /// A layer-norm gain.
    case gain
    /// A learnable activation coefficient (crrelu epsilon, rational coefficients, dice alpha).
    case activation
    /// Fourier-feature projection (frozen by default).
    case projection
    /// A fine-tuning adapter's tensor (LoRA's A and B, SVFit's U, σ, Vt); initializers leave it alone.
    case adapter
    /// An embedding table (tokens or learned positions), drawn N(0, 1) as `nn.Embedding`.
    case embedding
    /// Attention's packed query/key/value projection `[3E, E]`, drawn xavier_uniform as `nn.MultiheadAttention`.
    case attentionInput
    /// Attention's output projection `[E, E]`, drawn U(±1/√E) as its `nn.Linear` default.
    case attentionOutput
  }

  /// Stable name, e.g. `layers.0.weight`.
  public let name: String
  /// Role of the tensor in its layer.
  public let role: Role
  /// Index of the owning layer in the top-level layer list.
  public let layerIndex: Int
  /// Index of the owning layer among the model's weight layers (`WeightLayerKind`; 0 = the first), or nil for a
  /// tensor of a layer without weights (a layer-norm gain, an activation's coefficients).
  public let denseIndex: Int?
  /// Shape, row-major (`[out, in]` for a dense weight).
  public let shape: [Int]
  /// Whether the optimizer updates it.
  public var trainable: Bool
  /// The fan PyTorch's own default initialisation of the layer uses, when it is not `fanIn` (a recurrent layer
  /// draws every tensor from U(±1/√hidden)); what `pytorch_default` reads.
  public var defaultFanIn: Int?
  /// The word a per-layer rule names this tensor by after a dot, when it is not the last part of its name
  /// (`linear1` for a transformer block's first MLP weight, `token` for an embedding table).
  public var tensorWord: String?
  /// The values.
  public let value: Tensor
  /// The gradient, same shape as `value`.
  public let grad: Tensor

  /// Creates a zero-filled parameter.
  public init(name: String, role: Role, layerIndex: Int, denseIndex: Int?, shape: [Int], trainable: Bool = true) {
    self.name = name
    self.role = role
    self.layerIndex = layerIndex
    self.denseIndex = denseIndex
    self.shape = shape
    self.trainable = trainable
    self.value = Tensor(zeros: shape)
    self.grad = Tensor(zeros: shape)
  }

  /// fan_in as PyTorch computes it: `shape[1] · receptive` for 2-D and up, `shape[0]` for 1-D.
  public var fanIn: Int { shape.count >= 2 ? shape.dropFirst().reduce(1, *) : shape.first ?? 1 }
  /// fan_out as PyTorch computes it: `shape[0] · receptive`.
  public var fanOut: Int { shape.count >= 2 ? shape[0] * shape.dropFirst(2).reduce(1, *) : shape.first ?? 1 }
}

/// A parameter holds mutable tensors: the compiler refuses to send one to another thread.
@available(*, unavailable)
extension Parameter: Sendable {}
