/// Why a layer cannot take the shape it is given, in words that name both.
public struct ShapeError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong (`dense needs a vector or a sequence, but it gets a [16, 6, 6] image`).
  public var message: String
  /// What to do about it, if there is something obvious.
  public var help: String?

  /// Creates an error.
  public init(_ message: String, help: String? = nil) {
    self.message = message
    self.help = help
  }

  /// The message.
  public var description: String { message }
}

/// The kinds of layers that hold weight matrices an initializer draws: what an initializer's or a metric's `layers:`
/// selector counts (from 0, in model order, residual bodies included) and what a kind selector names.
public enum WeightLayerKind: String, Hashable, Sendable, Codable, CaseIterable {
  /// `dense`: one weight `[units, in]`.
  case dense
  /// `conv2d`: one weight `[filters, channels, kernel, kernel]`.
  case conv2d
  /// `rnn`: an input-to-hidden weight `[units, in]` and a hidden-to-hidden weight `[units, units]`.
  case rnn
  /// `gru`: an input-to-hidden weight `[3·units, in]` and a hidden-to-hidden weight `[3·units, units]` (gates r, z, n).
  case gru
  /// `embedding`: the `token` table `[vocab, dim]` and, with learned positions, the `position` table `[L, dim]`.
  case embedding
  /// `attention`: the `query`, `key` and `value` projections (each `[E, E]`, packed in `in_proj_weight`) and the
  /// `output` projection `[E, E]`.
  case attention
  /// Not the kind of any one weight layer: as a selector it picks every weight layer inside a transformer block (its
  /// attention, whose tensors are `query`, `key`, `value`, `output`, and its MLP's two dense layers, whose weights are
  /// `linear1` and `linear2` as in `nn.TransformerEncoderLayer`).
  case transformerBlock = "transformer_block"

  /// True for the recurrent kinds, whose weights are the `input` and the `recurrent` matrix.
  public var isRecurrent: Bool { self == .rnn || self == .gru }
  /// True for the kinds PyTorch does not start from a layer-wide fan rule (an embedding's N(0, 1), attention's
  /// packed xavier): the model's main rule leaves them at PyTorch's start unless a per-layer rule selects them.
  public var startsAsPyTorch: Bool { self == .embedding || self == .attention }
}

/// A weight layer as a kind selector sees it: its own kind, and whether it sits inside a transformer block (then the
/// selector `transformer_block` picks it too).
public struct WeightLayerTag: Hashable, Sendable {
  /// Its kind.
  public var kind: WeightLayerKind
  /// True inside a transformer block.
  public var inBlock: Bool

  /// Creates a tag.
  public init(_ kind: WeightLayerKind, inBlock: Bool = false) {
    self.kind = kind
    self.inBlock = inBlock
  }

  /// Whether the kind selector `selector` picks this layer.
  public func isSelected(by selector: WeightLayerKind) -> Bool {
    selector == kind || (selector == .transformerBlock && inBlock)
  }
}

/// One weight tensor of a weight layer: its name within the layer (`weight`) and its shape (PyTorch's layout).
public struct WeightTensorShape: Hashable, Sendable {
  /// The tensor's name within its layer, without `.weight` (`weight` itself for a one-weight layer).
  public var name: String
  /// Its shape, outermost first (`[out, in]`).
  public var shape: [Int]

  /// Creates a tensor shape.
  public init(name: String, shape: [Int]) {
    self.name = name
    self.shape = shape
  }

  /// Rows of the matrix the tensor is read as: the first dimension.
  public var rows: Int { shape.first ?? 1 }
  /// Columns: every other dimension.
  public var cols: Int { shape.dropFirst().reduce(1, *) }
  /// `256×16`.
  public var text: String { shape.map(String.init).joined(separator: "×") }
}

/// One layer with weights, as a selector sees it.
public struct WeightLayerShape: Hashable, Sendable {
  /// Its kind.
  public var kind: WeightLayerKind
  /// Its weight tensors, in the order the layer names them.
  public var tensors: [WeightTensorShape]
  /// True inside a transformer block.
  public var inBlock: Bool

  /// Creates a weight layer.
  public init(kind: WeightLayerKind, tensors: [WeightTensorShape], inBlock: Bool = false) {
    self.kind = kind
    self.tensors = tensors
    self.inBlock = inBlock
  }

  /// What a kind selector sees.
  public var tag: WeightLayerTag { WeightLayerTag(kind, inBlock: inBlock) }
}

extension LayerConfig {
  /// The shape this layer outputs for `input`, or why it cannot take `input`. A residual block's body is walked
  /// (its end must have the shape it started with).
  public func outputShape(_ input: TensorShape) -> Result<TensorShape, ShapeError> {
    if let shape = transformerOutputShape(input) { return shape }
    switch self {
    case .dense(let units, _):
      switch input {
      case .vector: return .success(.vector(features: units))
      case .sequence(let length, _): return .success(.sequence(length: length, features: units))
      case .image: return .failure(Self.imageError("dense", input))
      case .tokens: return .failure(Self.tokenError("dense", input))
      }
    case .residual(let body):
      var shape = input
      for layer in body {
        switch layer.outputShape(shape) {
        case .success(let s): shape = s
        case .failure(let e): return .failure(e)
        }
      }
      guard shape == input else { return .failure(Self.residualError(from: input, to: shape)) }
      return .success(input)
    case .layerNorm, .dropout:
      if case .tokens = input { return .failure(Self.tokenError(name, input)) }
      return .success(input)
    case .fourierFeatures(let features, _, _, let includeInput):
      guard case .vector(let n) = input else {
        return .failure(
          ShapeError(
            "fourier_features maps coordinates, a vector, but it gets \(input.phrase)",
            help: "put fourier_features first in a coordinate network"))
      }
      return .success(.vector(features: 2 * features + (includeInput ? n : 0)))
    case .activation(let a):
      if case .tokens = input { return .failure(Self.tokenError(name, input)) }
      if case .rational(let groups, _, _, _) = a {
        let (width, what) = Self.groupedWidth(input)
        if groups > 0, width % groups != 0 {
          return .failure(
            ShapeError(
              "rational splits its \(width) \(what) into \(groups) groups, but \(width) is not divisible by \(groups)",
              help: "choose groups dividing \(width) (e.g. \(Self.largestDivisor(of: width, atMost: groups)))"))
        }
      }
      return .success(input)
    case .conv2d(let filters, let kernel, let stride, let padding, _):
      guard case .image(let c, let h, let w) = input else {
        return .failure(Self.needsImage("conv2d", input, help: "give the model an image input, {image: [C, H, W]}"))
      }
      if let e = Self.windowError("conv2d", "kernel", kernel, stride: stride, padding: padding, c: c, h: h, w: w) {
        return .failure(e)
      }
      return .success(
        .image(
          channels: filters, height: (h + 2 * padding - kernel) / stride + 1,
          width: (w + 2 * padding - kernel) / stride + 1))
    case .maxPool2d(let size, let stride), .avgPool2d(let size, let stride):
      guard case .image(let c, let h, let w) = input else {
        return .failure(Self.needsImage(name, input, help: "pool images only; a vector has no positions to pool"))
      }
      if let e = Self.windowError(name, "window", size, stride: stride, padding: 0, c: c, h: h, w: w) {
        return .failure(e)
      }
      return .success(.image(channels: c, height: (h - size) / stride + 1, width: (w - size) / stride + 1))
    case .flatten:
      if case .tokens = input { return .failure(Self.tokenError(name, input)) }
      return .success(.vector(features: input.elementCount))
    case .globalAvgPool:
      switch input {
      case .image(let c, _, _): return .success(.vector(features: c))
      case .sequence(_, let f): return .success(.vector(features: f))
      case .vector:
        return .failure(
          ShapeError(
            "global_avg_pool averages over positions, but it gets a vector \(input), which has none",
            help: "use it on an image or a sequence, before flattening"))
      case .tokens: return .failure(Self.tokenError(name, input))
      }
    case .rnn(let units, _, let sequence), .gru(let units, let sequence):
      guard case .sequence(let length, _) = input else { return .failure(Self.recurrentError(name, input)) }
      return .success(sequence ? .sequence(length: length, features: units) : .vector(features: units))
    case .embedding, .attention, .transformerBlock:
      preconditionFailure("transformerOutputShape answers for \(name)")
    }
  }

  /// The layers with weights this layer is or holds, in order, for `input` (residual bodies walked). Empty for a
  /// layer that cannot take `input`.
  public func weightLayers(_ input: TensorShape) -> [WeightLayerShape] {
    if let layers = transformerWeightLayers(input) { return layers }
    switch self {
    case .dense(let units, _):
      return [WeightLayerShape(kind: .dense, tensors: [.init(name: "weight", shape: [units, input.featuresPerPosition])])]
    case .residual(let body):
      var shape = input
      var out: [WeightLayerShape] = []
      for layer in body {
        out += layer.weightLayers(shape)
        guard case .success(let s) = layer.outputShape(shape) else { return out }
        shape = s
      }
      return out
    case .conv2d(let filters, let kernel, _, _, _):
      guard case .image(let c, _, _) = input else { return [] }
      return [WeightLayerShape(kind: .conv2d, tensors: [.init(name: "weight", shape: [filters, c, kernel, kernel])])]
    case .rnn(let units, _, _), .gru(let units, _):
      guard case .sequence(_, let f) = input else { return [] }
      let kind: WeightLayerKind = if case .gru = self { .gru } else { .rnn }
      let rows = (kind == .gru ? 3 : 1) * units
      return [
        WeightLayerShape(
          kind: kind,
          tensors: [.init(name: "input", shape: [rows, f]), .init(name: "recurrent", shape: [rows, units])])
      ]
    case .layerNorm, .dropout, .fourierFeatures, .activation, .maxPool2d, .avgPool2d, .flatten, .globalAvgPool,
      .embedding, .attention, .transformerBlock:
      return []
    }
  }

  /// True for the layers whose output has their input's shape whatever their arguments (activations, layernorm,
  /// dropout): past one that is broken, the shape is still known.
  public var keepsShape: Bool {
    switch self {
    case .activation, .layerNorm, .dropout: true
    default: false
    }
  }

  /// True for the layers that act on each position of a sequence on its own, over its features (dense, layernorm,
  /// and the activations with per-feature coefficients or statistics); elementwise layers need not know.
  public var actsPerPosition: Bool {
    switch self {
    case .dense, .layerNorm, .activation(.rational), .activation(.dice): true
    default: false
    }
  }

  /// The language's name for the layer in messages (`dense`, `relu`).
  public var name: String {
    switch self {
    case .dense: "dense"
    case .residual: "residual"
    case .layerNorm: "layernorm"
    case .dropout: "dropout"
    case .fourierFeatures: "fourier_features"
    case .activation(let a): a.name
    case .conv2d: "conv2d"
    case .maxPool2d: "max_pool2d"
    case .avgPool2d: "avg_pool2d"
    case .flatten: "flatten"
    case .globalAvgPool: "global_avg_pool"
    case .rnn: "rnn"
    case .gru: "gru"
    case .embedding: "embedding"
    case .attention: "attention"
    case .transformerBlock: "transformer_block"
    }
  }

  /// Why a recurrent layer cannot read `input`: it steps along a sequence's positions.
  static func recurrentError(_ layer: String, _ input: TensorShape) -> ShapeError {
    switch input {
    case .image(let c, let h, let w):
      return ShapeError(
        "\(layer) steps along a sequence [length, features], but it gets \(input.phrase)",
        help: "read the image row by row as a sequence input {sequence: [\(h), \(c * w)]} (the `sequential` dataset "
          + "does this for digits)")
    case .tokens: return tokenError(layer, input)
    default:
      return ShapeError(
        "\(layer) steps along a sequence [length, features], but it gets \(input.phrase), which has no positions",
        help: "give the model a sequence input {sequence: [L, F]}, or return the whole sequence "
          + "(`output: sequence`) from the recurrent layer before it")
    }
  }

  static func needsImage(_ layer: String, _ input: TensorShape, help: String) -> ShapeError {
    ShapeError("\(layer) needs an image [channels, height, width], but it gets \(input.phrase)", help: help)
  }

  /// Why a `side`×`side` window (moved by `stride`, over `padding` zeros each side) does not fit an h×w map.
  static func windowError(
    _ layer: String, _ what: String, _ side: Int, stride: Int, padding: Int, c: Int, h: Int, w: Int
  ) -> ShapeError? {
    guard side >= 1, stride >= 1, padding >= 0 else {
      return ShapeError("\(layer) needs a \(what) and a stride of at least 1 and a padding of at least 0")
    }
    guard h + 2 * padding < side || w + 2 * padding < side else { return nil }
    let padded = padding > 0 ? " (\(h + 2 * padding)×\(w + 2 * padding) with padding \(padding))" : ""
    return ShapeError(
      "\(layer)'s \(side)×\(side) \(what) does not fit the \(h)×\(w) map of its input [\(c), \(h), \(w)]\(padded)",
      help: "use a \(what) of at most \(min(h, w) + 2 * padding), pad the input, or pool less before it")
  }

  /// Rational groups split the features of each position (a vector's, a sequence's), or an image's channels.
  static func groupedWidth(_ input: TensorShape) -> (Int, String) {
    switch input {
    case .image(let c, _, _): (c, "channels")
    default: (input.featuresPerPosition, "inputs")
    }
  }

  static func largestDivisor(of n: Int, atMost k: Int) -> Int {
    stride(from: min(k, n), through: 1, by: -1).first { n % $0 == 0 } ?? 1
  }

  static func imageError(_ layer: String, _ input: TensorShape) -> ShapeError {
    ShapeError(
      "\(layer) needs a vector or a sequence, but it gets \(input.phrase)",
      help: "flatten it first (`- flatten`), or pool it to a vector (`- global_avg_pool`)")
  }

  static func tokenError(_ layer: String, _ input: TensorShape) -> ShapeError {
    ShapeError(
      "\(layer) cannot read \(input.phrase): token ids are indices, not features",
      help: "embed the tokens first")
  }

  static func residualError(from input: TensorShape, to output: TensorShape) -> ShapeError {
    ShapeError(
      "this residual block changes the shape from \(input) to \(output), so x + body(x) cannot be added",
      help: "make the block's last layer produce \(input)")
  }
}

extension ActivationConfig {
  /// The language's name for the activation (`leaky_relu`).
  public var name: String {
    switch self {
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
