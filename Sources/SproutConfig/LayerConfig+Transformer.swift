/// Shapes of the token and attention layers (embedding, attention, transformer_block).
extension LayerConfig {
  /// The layer list a transformer block runs, for a block of width `width` (`nn.TransformerEncoderLayer` without
  /// dropout):
  ///
  ///     pre:   x + attention(LN₁(x)),  then  x + W₂ f(W₁ LN₂(x))
  ///     post:  LN₁(x + attention(x)),  then  LN₂(x + W₂ f(W₁ x))
  ///
  /// Layer norms use PyTorch's eps 1e-5 with a gain and a shift.
  public static func transformerBlockLayers(
    width: Int, heads: Int, mlp: Int, causal: Bool, norm: BlockNorm, activation: BlockActivation
  ) -> [LayerConfig] {
    let attention = LayerConfig.attention(heads: heads, causal: causal)
    let f: ActivationConfig = activation == .relu ? .relu : .gelu(approximate: .none)
    let feedForward: [LayerConfig] = [.dense(units: mlp, bias: true), .activation(f), .dense(units: width, bias: true)]
    let ln = LayerConfig.layerNorm(eps: 1e-5, affine: true)
    switch norm {
    case .pre: return [.residual([ln, attention]), .residual([ln] + feedForward)]
    case .post: return [.residual([attention]), ln, .residual(feedForward), ln]
    }
  }

  /// The output shape of the token and attention layers, or nil for the other layers.
  func transformerOutputShape(_ input: TensorShape) -> Result<TensorShape, ShapeError>? {
    switch self {
    case .embedding(let vocab, let dim, _):
      guard case .tokens(let length, let v) = input else {
        return .failure(
          ShapeError(
            "embedding reads token ids, but it gets \(input.phrase)",
            help: "give the model a token input, {tokens: L, vocab: V}, and put the embedding first"))
      }
      guard vocab >= 1, dim >= 1 else { return .failure(ShapeError("embedding needs a vocab and a dim of at least 1")) }
      guard v <= vocab else {
        return .failure(
          ShapeError(
            "embedding has \(vocab) rows, but its input has token ids up to \(v - 1) (\(input.phrase))",
            help: "make the embedding's vocab at least \(v)"))
      }
      return .success(.sequence(length: length, features: dim))
    case .attention(let heads, _):
      return Self.attentionShape("attention", heads: heads, input)
    case .transformerBlock(let heads, let mlp, _, _, _):
      if case .failure(let e) = Self.attentionShape("transformer_block", heads: heads, input) { return .failure(e) }
      guard mlp >= 1 else { return .failure(ShapeError("transformer_block needs an mlp of at least 1 unit")) }
      return .success(input)
    default:
      return nil
    }
  }

  /// The weight layers of the token and attention layers, or nil for the other layers: an embedding's `token` table
  /// (and learned `position` table), attention's `query`, `key`, `value` and `output` projections, and a transformer
  /// block's attention and MLP (`linear1`, `linear2`, named as in `nn.TransformerEncoderLayer`), all marked as inside
  /// the block.
  func transformerWeightLayers(_ input: TensorShape) -> [WeightLayerShape]? {
    switch self {
    case .embedding(let vocab, let dim, let positional):
      guard case .tokens(let length, _) = input else { return [] }
      let position: [WeightTensorShape] = positional == .learned ? [.init(name: "position", shape: [length, dim])] : []
      return [WeightLayerShape(kind: .embedding, tensors: [.init(name: "token", shape: [vocab, dim])] + position)]
    case .attention:
      guard case .sequence(_, let width) = input else { return [] }
      return [
        WeightLayerShape(
          kind: .attention,
          tensors: Self.attentionTensorWords.map { .init(name: $0, shape: [width, width]) })
      ]
    case .transformerBlock(let heads, let mlp, let causal, let norm, let activation):
      guard case .sequence(_, let width) = input else { return [] }
      var layers = Self.transformerBlockLayers(
        width: width, heads: heads, mlp: mlp, causal: causal, norm: norm, activation: activation
      ).flatMap { $0.weightLayers(input) }
      var linear = 0
      for i in layers.indices {
        layers[i].inBlock = true
        if layers[i].kind == .dense {
          linear += 1
          layers[i].tensors[0].name = "linear\(linear)"
        }
      }
      return layers
    default: return nil
    }
  }

  /// The tensors of an attention layer as selectors name them, in PyTorch's order (`in_proj_weight` packs the first
  /// three).
  public static let attentionTensorWords = AttentionProjection.allCases.map(\.rawValue)

  static func attentionShape(_ layer: String, heads: Int, _ input: TensorShape) -> Result<TensorShape, ShapeError> {
    guard case .sequence(_, let width) = input else {
      let help =
        if case .tokens = input { "embed the tokens first (`- embedding: {vocab: V, dim: D}`)" } else {
          "\(layer) mixes the positions of a sequence [length, features]; give the model a sequence or token input"
        }
      return .failure(
        ShapeError("\(layer) needs a sequence [length, features], but it gets \(input.phrase)", help: help))
    }
    guard heads >= 1 else { return .failure(ShapeError("\(layer) needs at least 1 head")) }
    guard width % heads == 0 else {
      return .failure(
        ShapeError(
          "\(layer) splits the \(width) features of \(input.phrase) into \(heads) heads, but \(width) is not "
            + "divisible by \(heads)",
          help: "choose heads dividing \(width) (e.g. \(largestDivisor(of: width, atMost: heads)))"))
    }
    return .success(input)
  }
}
