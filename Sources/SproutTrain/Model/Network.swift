import SproutConfig
import SproutTensor

/// A planned model: layers built from a layer list, every buffer allocated once for `maxBatch` rows, so a
/// steady-state forward/backward allocates nothing.
///
/// Pointers returned by `forward` and `output(ofLayer:)` point into the network's own buffers and stay valid
/// until the next forward. The input given to `forward` must stay unchanged until the matching `backward`.
public final class Network {
  /// Floats per input sample.
  public let inputWidth: Int
  /// Floats per output sample.
  public let outputWidth: Int
  /// The shape of an input sample.
  public let inputShape: TensorShape
  /// The shape of an output sample.
  public let outputShape: TensorShape
  /// Largest batch the buffers hold.
  public let maxBatch: Int
  /// The backend every layer computes on.
  public let backend: any Backend
  /// The top-level layers, in order (a residual block is one layer; its inner layers are `layers`).
  public var layers: [any Layer] { stack.layers }
  /// Every parameter in layer order (names `layers.<i>.weight`, `layers.<i>.bias`, `layers.<i>.epsilon`, ...;
  /// nested: `layers.<i>.layers.<j>.weight`).
  public private(set) var parameters: [Parameter]
  /// Non-trainable state a checkpoint must also save (Dice running statistics, frozen adapter tensors), named
  /// like parameters.
  public private(set) var buffers: [Parameter]
  /// Every dense layer that reads whole samples, in model order, nested ones included (`denseLayers[0]` is the first
  /// layer TrAct acts on). A dense layer acting on each position of a sequence is a weight layer but not among these.
  public let denseLayers: [DenseLayer]
  /// The layers with weights in model order, residual bodies included: what `layers:` selectors index.
  public let weightLayers: [WeightLayer]
  /// Counts training forwards; dropout masks are a pure function of (seed, layer, count). Restore it on resume.
  public let clock = TrainingClock()
  /// When true, `backward` also writes `inputGradient` (costs one extra gemm for a first dense layer).
  public var computesInputGradient = false
  /// Rows of the last forward.
  public private(set) var lastBatch = 0
  /// Rows the loss sees per sample: a sequence output's positions (a loss over `[L, F]` outputs is taken per
  /// position, as PyTorch's over the `[B·L, F]` view), else 1.
  public var lossPositions: Int { outputShape.positions }
  /// Outputs per loss row: a sequence output's features per position, else every output.
  public var lossWidth: Int { outputShape.featuresPerPosition }

  let stack: LayerStack
  private let inputGrad: Tensor

  /// Plans a network for vectors of `input` features and the given layer list.
  /// - Parameter seed: keys the dropout masks (use the run's seed stream for the model).
  /// - Throws: `NetworkError` naming the layer (`layers.3`) when the list cannot be planned.
  public convenience init(
    input: Int, layers configs: [LayerConfig], backend: any Backend, maxBatch: Int, seed: UInt64 = 0
  ) throws {
    try self.init(shape: .vector(features: input), layers: configs, backend: backend, maxBatch: maxBatch, seed: seed)
  }

  /// Plans a network for samples of `shape` and the given layer list.
  /// - Parameter seed: keys the dropout masks (use the run's seed stream for the model).
  /// - Throws: `NetworkError` naming the layer (`layers.3`) when the list cannot be planned.
  public init(
    shape: TensorShape, layers configs: [LayerConfig], backend: any Backend, maxBatch: Int, seed: UInt64 = 0
  ) throws {
    let input = shape.elementCount
    guard shape.dimensions.allSatisfy({ $0 >= 1 }), (shape.vocab ?? 1) >= 1 else {
      throw NetworkError(path: "input", message: "every input dimension must be at least 1, got \(shape)")
    }
    guard maxBatch >= 1 else {
      throw NetworkError(path: "batch", message: "batch size must be at least 1, got \(maxBatch)")
    }
    inputWidth = input
    inputShape = shape
    self.maxBatch = maxBatch
    self.backend = backend
    let naming = LayerNaming()
    stack = try LayerStack(
      configs, input: shape, pathPrefix: "layers", topIndex: nil, backend: backend, maxBatch: maxBatch,
      seed: seed, clock: clock, naming: naming)
    outputWidth = stack.outputWidth
    outputShape = stack.shapes.last ?? shape
    parameters = stack.layers.flatMap { $0.parameters }
    buffers = stack.layers.flatMap { $0.buffers }
    denseLayers = Network.collectDense(stack.layers)
    let all = parameters
    let matrices: Set<Parameter.Role> = [.weight, .embedding, .attentionInput, .attentionOutput]
    weightLayers = naming.weightKinds.enumerated().map { i, kind in
      guard let layer = naming.weightLayerObjects[i] else { preconditionFailure("weight layer \(i) was not planned") }
      return WeightLayer(
        index: i, kind: kind, inBlock: naming.inBlock.contains(i), layer: layer,
        weights: all.filter { matrices.contains($0.role) && $0.denseIndex == i })
    }
    inputGrad = Tensor(zeros: [maxBatch, input])
  }

  /// Puts a fine-tuning adapter on each placement's matrix (a dense layer's weight, or one projection of an attention
  /// layer) and freezes every other tensor, so that only the adapters train (LoRA's A and B, SVFit's σ). Call before
  /// the optimizer is made.
  /// - Throws: `AdapterError` for a weight layer that does not exist or takes no adapter, a matrix given two adapters,
  ///   or a rank out of range. No placements change nothing (full fine-tuning).
  public func attachAdapters(_ placements: [AdapterPlacement]) throws {
    guard !placements.isEmpty else { return }
    var seen: Set<AdapterSiteID> = []
    for p in placements {
      guard seen.insert(p.site).inserted else { throw AdapterError("\(p.site) is given two adapters") }
      let (outputs, inputs) = try adaptedShape(p.site)
      guard p.rank >= 1, p.rank <= min(inputs, outputs) else {
        throw AdapterError("rank \(p.rank) does not fit \(p.site) (\(outputs)×\(inputs))")
      }
    }
    for p in parameters { p.trainable = false }
    for p in placements {
      switch Self.adaptable(weightLayers[p.denseIndex].layer) {
      case .dense(let d)?: d.attach(p.form, rank: p.rank, scale: p.scale)
      case .attention(let a)?:
        guard let projection = p.projection else { preconditionFailure("checked by adaptedShape") }
        a.attach(p.form, projection: projection, rank: p.rank, scale: p.scale)
      case nil: preconditionFailure("checked by adaptedShape")
      }
    }
    parameters = stack.layers.flatMap { $0.parameters }
    buffers = stack.layers.flatMap { $0.buffers }
  }

  /// Runs the network on `batch` rows of `x` (row-major, `batch × inputWidth`); returns `batch × outputWidth`.
  /// A training forward uses batch statistics (Dice), draws dropout masks and advances `clock`.
  @discardableResult
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) -> UnsafePointer<Float> {
    precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
    lastBatch = batch
    let y = stack.forward(x, batch: batch, training: training)
    if training { clock.count &+= 1 }
    return y
  }

  /// Back-propagates `outputGradient` (`batch × outputWidth`, dL/dy) through the last forward, *adding*
  /// to every trainable parameter's `grad`.
  public func backward(outputGradient: UnsafePointer<Float>, batch: Int) {
    precondition(batch == lastBatch, "backward batch \(batch) differs from the forward's \(lastBatch)")
    stack.backward(outputGradient, dx: computesInputGradient ? inputGrad.mutablePointer : nil, batch: batch)
  }

  /// dL/dx of the last backward (`batch × inputWidth`), when `computesInputGradient` was set.
  public var inputGradient: UnsafePointer<Float>? { computesInputGradient ? inputGrad.pointer : nil }

  /// Sets every parameter gradient to zero.
  public func zeroGradients() {
    for p in parameters { backend.fill(p.grad.mutablePointer, value: 0, count: p.grad.count) }
  }

  /// The output of top-level layer `i` after the last forward: a dense layer's pre-activation output, an
  /// activation's output, a residual block's sum. Rows = the last batch.
  public func output(ofLayer i: Int) -> LayerOutput {
    let layer = stack.layers[i]
    return LayerOutput(pointer: layer.output, rows: lastBatch, cols: layer.outputWidth)
  }

  /// Turns TrAct on for the first dense layer (Petersen et al., NeurIPS 2024; see `TrAct`), or off with nil.
  /// - Returns: false when the model has no dense layer.
  @discardableResult
  public func setTrAct(lambda: Double?) -> Bool {
    guard let first = denseLayers.first else { return false }
    first.tract = lambda.map {
      TrAct(lambda: $0, inputs: first.inputWidth, outputs: first.outputWidth, maxBatch: maxBatch)
    }
    return true
  }

  /// The parameter or buffer with this name (`layers.1.epsilon`, `layers.5.running_mean`), or nil.
  public func parameter(named name: String) -> Parameter? {
    parameters.first { $0.name == name } ?? buffers.first { $0.name == name }
  }

  private static func collectDense(_ layers: [any Layer]) -> [DenseLayer] {
    layers.flatMap { layer -> [DenseLayer] in
      if let d = layer as? DenseLayer { return [d] }
      if let r = layer as? ResidualLayer { return collectDense(r.layers) }
      return []
    }
  }
}

/// One of a network's weight layers (``WeightLayerKind``): what a `layers:` selector index or kind picks.
public struct WeightLayer {
  /// Its index among the weight layers.
  public let index: Int
  /// Its kind.
  public let kind: WeightLayerKind
  /// True inside a transformer block.
  public let inBlock: Bool
  /// The layer computing it for whole samples (a position-wise dense's wrapper): after a forward its `output` holds
  /// `batch × outputWidth` values.
  public let layer: any Layer
  /// Its weight tensors (role `.weight`; an embedding's tables, attention's projections), in the order the layer
  /// names them.
  public let weights: [Parameter]
}

/// A view of one layer's output: `rows × cols`, row-major.
public struct LayerOutput {
  /// First element.
  public let pointer: UnsafePointer<Float>
  /// Rows (the last batch).
  public let rows: Int
  /// Features.
  public let cols: Int
}
