import SproutConfig
import SproutTensor

/// A planned chain of layers with the two gradient buffers backward alternates between. `Network` is one at the
/// top level; `ResidualLayer` holds one for its inner list.
///
///     forward:   x → L0 → L1 → … → Ln-1 → (last layer's output buffer)
///     backward:  dy → Ln-1 → ping → Ln-2 → pong → … → L0 → dx (caller's buffer, or none)
///
/// A dense layer followed by a stateless activation runs as one product: forward, the bias and the activation
/// are the product's epilogue (the dense output and the activation output are both written, as unfused);
/// backward, the dense layer's input-gradient product ends with the activation's gradient, and the activation's
/// own backward is skipped. Each element goes through the same kernels either way, so the bits are the same.
/// Layers with an adapter run unfused (the adapter adds to the dense output between the two).
final class LayerStack {
  let layers: [any Layer]
  let inputWidth: Int
  let outputWidth: Int
  private let ping: Tensor
  private let pong: Tensor
  private var input: UnsafePointer<Float>?
  /// Layer i when it is a dense layer (the fused paths need the concrete types; found once, not per step).
  private let dense: [DenseLayer?]
  /// Layer i when it is a stateless activation.
  private let activation: [ActivationLayer?]

  /// The shape of each layer's output, in order.
  let shapes: [TensorShape]

  init(
    _ configs: [LayerConfig], input: TensorShape, pathPrefix: String, topIndex: Int?, backend: any Backend,
    maxBatch: Int, seed: UInt64, clock: TrainingClock, naming: LayerNaming
  ) throws {
    var layers: [any Layer] = []
    var shapes: [TensorShape] = []
    var shape = input
    var widest = 1
    for (i, config) in configs.enumerated() {
      let path = "\(pathPrefix).\(i)"
      let layer = try LayerStack.make(
        config, input: shape, path: path, topIndex: topIndex ?? i, backend: backend, maxBatch: maxBatch,
        seed: seed, clock: clock, naming: naming)
      if let w = layer as? WeightLayerComputing { naming.weightLayerObjects[w.weightLayerIndex] = layer }
      guard case .success(let next) = config.outputShape(shape) else {
        preconditionFailure("LayerStack.make plans only layers that take their input")
      }
      precondition(layer.inputWidth == shape.elementCount && layer.outputWidth == next.elementCount)
      if i + 1 < configs.count { widest = max(widest, layer.outputWidth) }
      shape = next
      shapes.append(next)
      layers.append(layer)
    }
    self.layers = layers
    self.shapes = shapes
    self.inputWidth = input.elementCount
    self.outputWidth = shape.elementCount
    dense = layers.map { $0 as? DenseLayer }
    activation = layers.map { $0 as? ActivationLayer }
    ping = Tensor(zeros: [maxBatch * widest])
    pong = Tensor(zeros: [maxBatch * widest])
  }

  /// Runs every layer; returns the last output (or `x` for an empty list).
  func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) -> UnsafePointer<Float> {
    input = x
    var current = x
    var i = 0
    while i < layers.count {
      if i + 1 < layers.count, let d = dense[i], d.adapter == nil, let f = activation[i + 1] {
        d.forward(current, batch: batch, activation: f)
        current = f.output
        i += 2
      } else {
        layers[i].forward(current, batch: batch, training: training)
        current = layers[i].output
        i += 1
      }
    }
    return current
  }

  /// Runs every layer's backward in reverse; writes the input gradient into `dx` when given.
  func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    if layers.isEmpty {
      dx?.update(from: dy, count: batch * inputWidth)
      return
    }
    var current = dy
    var i = layers.count - 1
    while i >= 0 {
      // Layer i's input gradient goes to the caller's dx for the first layer, else to whichever of ping and pong
      // does not hold its output gradient.
      func target(_ layer: Int) -> UnsafeMutablePointer<Float>? {
        if layer == 0 { return dx }
        return current == UnsafePointer(ping.mutablePointer) ? pong.mutablePointer : ping.mutablePointer
      }
      if i >= 1, let d = dense[i], d.adapter == nil, let f = activation[i - 1], let dz = target(i - 1) {
        // Dense layer i after activation i-1: the activation's gradient is the product's epilogue.
        d.backward(current, dx: dz, batch: batch, through: f)
        current = UnsafePointer(dz)
        i -= 2
        continue
      }
      let t = target(i)
      layers[i].backward(current, dx: t, batch: batch)
      if let t { current = UnsafePointer(t) }
      i -= 1
    }
  }

  /// Plans one layer from its config for `input`, checking what the spec phase may not have checked. A layer that
  /// acts on each position of a sequence (dense, layernorm, rational, dice) is planned for the positions' features
  /// and wrapped to see `batch · length` rows.
  static func make(
    _ config: LayerConfig, input: TensorShape, path: String, topIndex: Int, backend: any Backend, maxBatch: Int,
    seed: UInt64, clock: TrainingClock, naming: LayerNaming
  ) throws -> any Layer {
    func fail(_ message: String) -> NetworkError { NetworkError(path: path, message: message) }
    if case .failure(let e) = config.outputShape(input) { throw fail(e.message) }
    let positions = input.positions
    if positions > 1, config.actsPerPosition {
      let inner = try make(
        config, width: input.featuresPerPosition, path: path, topIndex: topIndex, backend: backend,
        maxBatch: maxBatch * positions, seed: seed, clock: clock, naming: naming)
      return PositionwiseLayer(inner, positions: positions)
    }
    switch config {
    case .residual(let inner):
      return try ResidualLayer(
        inner, input: input, path: path, topIndex: topIndex, backend: backend, maxBatch: maxBatch, seed: seed,
        clock: clock, naming: naming)
    case .conv2d(let filters, let kernel, let stride, let padding, let bias):
      guard case .image(let c, let h, let w) = input else { throw fail("conv2d needs an image, got \(input)") }
      return Conv2DLayer(
        geometry: WindowGeometry(channels: c, height: h, width: w, kernel: kernel, stride: stride, padding: padding),
        filters: filters, bias: bias, backend: backend, maxBatch: maxBatch, path: path, topIndex: topIndex,
        naming: naming)
    case .maxPool2d(let size, let stride), .avgPool2d(let size, let stride):
      guard case .image(let c, let h, let w) = input else { throw fail("\(config.name) needs an image, got \(input)") }
      let mode: Pool2DLayer.Mode = if case .maxPool2d = config { .max } else { .average }
      return Pool2DLayer(
        mode: mode,
        geometry: WindowGeometry(channels: c, height: h, width: w, kernel: size, stride: stride, padding: 0),
        backend: backend, maxBatch: maxBatch)
    case .flatten:
      return FlattenLayer(width: input.elementCount, backend: backend, maxBatch: maxBatch)
    case .globalAvgPool:
      switch input {
      case .image(let c, let h, let w):
        return GlobalAvgPoolLayer(groups: c, positions: h * w, channelsFirst: true, backend: backend, maxBatch: maxBatch)
      case .sequence(let l, let f):
        return GlobalAvgPoolLayer(groups: f, positions: l, channelsFirst: false, backend: backend, maxBatch: maxBatch)
      default: throw fail("global_avg_pool needs an image or a sequence, got \(input)")
      }
    case .rnn(let units, _, let sequence), .gru(let units, let sequence):
      guard case .sequence(let l, let f) = input else { throw fail("\(config.name) needs a sequence, got \(input)") }
      let cell: RecurrentLayer.Cell = if case .rnn(_, let nl, _) = config { .rnn(nl) } else { .gru }
      return RecurrentLayer(
        cell: cell, length: l, features: f, units: units, sequence: sequence, backend: backend, maxBatch: maxBatch,
        path: path, topIndex: topIndex, naming: naming)
    case .embedding(let vocab, let dim, let positional):
      guard case .tokens(let length, _) = input else { throw fail("embedding needs token ids, got \(input)") }
      return EmbeddingLayer(
        length: length, vocab: vocab, dim: dim, positional: positional, backend: backend, maxBatch: maxBatch,
        path: path, topIndex: topIndex, naming: naming)
    case .attention(let heads, let causal):
      guard case .sequence(let length, let width) = input else {
        throw fail("attention needs a sequence, got \(input)")
      }
      return AttentionLayer(
        length: length, width: width, heads: heads, causal: causal, backend: backend, maxBatch: maxBatch, path: path,
        topIndex: topIndex, naming: naming)
    case .transformerBlock(let heads, let mlp, let causal, let norm, let activation):
      guard case .sequence(_, let width) = input else { throw fail("transformer_block needs a sequence, got \(input)") }
      return try TransformerBlockLayer(
        LayerConfig.transformerBlockLayers(
          width: width, heads: heads, mlp: mlp, causal: causal, norm: norm, activation: activation),
        input: input, path: path, topIndex: topIndex, backend: backend, maxBatch: maxBatch, seed: seed, clock: clock,
        naming: naming)
    default:
      return try make(
        config, width: input.elementCount, path: path, topIndex: topIndex, backend: backend, maxBatch: maxBatch,
        seed: seed, clock: clock, naming: naming)
    }
  }

  /// Plans a layer that reads rows of `width` features.
  private static func make(
    _ config: LayerConfig, width: Int, path: String, topIndex: Int, backend: any Backend, maxBatch: Int,
    seed: UInt64, clock: TrainingClock, naming: LayerNaming
  ) throws -> any Layer {
    func fail(_ message: String) -> NetworkError { NetworkError(path: path, message: message) }
    switch config {
    case .dense(let units, let bias):
      guard units >= 1 else { throw fail("dense needs at least 1 unit, got \(units)") }
      return DenseLayer(
        inputWidth: width, units: units, bias: bias, backend: backend, maxBatch: maxBatch, path: path,
        topIndex: topIndex, naming: naming)
    case .residual(let inner):
      return try ResidualLayer(
        inner, input: .vector(features: width), path: path, topIndex: topIndex, backend: backend, maxBatch: maxBatch,
        seed: seed, clock: clock, naming: naming)
    case .layerNorm(let eps, let affine):
      guard eps > 0 else { throw fail("layernorm eps must be positive, got \(eps)") }
      return LayerNormLayer(
        width: width, eps: Float(eps), affine: affine, backend: backend, maxBatch: maxBatch, path: path,
        topIndex: topIndex, naming: naming)
    case .dropout(let rate):
      guard rate >= 0 && rate < 1 else { throw fail("dropout rate must be in [0, 1), got \(rate)") }
      return DropoutLayer(width: width, p: Float(rate), seed: seed, path: path, clock: clock, maxBatch: maxBatch)
    case .fourierFeatures(let features, let sigma, let trainable, let includeInput):
      guard features >= 1 else { throw fail("fourier_features needs at least 1 feature, got \(features)") }
      guard sigma > 0 else { throw fail("fourier_features sigma must be positive, got \(sigma)") }
      return FourierFeaturesLayer(
        inputWidth: width, features: features, sigma: Float(sigma), includeInput: includeInput, trainable: trainable,
        backend: backend, maxBatch: maxBatch, seed: seed, path: path, topIndex: topIndex, naming: naming)
    case .activation(.crrelu(let epsilon, let learnable)):
      return CRReLULayer(
        width: width, epsilon: Float(epsilon), learnable: learnable, maxBatch: maxBatch, path: path,
        topIndex: topIndex, naming: naming)
    case .activation(.rational(let groups, let m, let n, let initialization)):
      guard groups >= 1, width % groups == 0 else {
        throw fail("rational groups (\(groups)) must divide the width \(width); try a divisor such as \(gcd(width, 8))")
      }
      guard m >= 0, n >= 0 else { throw fail("rational degrees must be non-negative, got [\(m), \(n)]") }
      return RationalLayer(
        width: width, groups: groups, numerator: m, denominator: n, initialization: initialization,
        maxBatch: maxBatch, path: path, topIndex: topIndex, naming: naming)
    case .activation(.dice(let form, let alpha, let eps, let momentum)):
      guard eps > 0 else { throw fail("dice eps must be positive, got \(eps)") }
      return DiceLayer(
        width: width, form: form, alpha: Float(alpha), eps: Float(eps), momentum: Float(momentum),
        maxBatch: maxBatch, path: path, topIndex: topIndex, naming: naming)
    case .activation(let a):
      guard let f = a.kernel else { preconditionFailure("every other activation is a kernel function") }
      return ActivationLayer(f, width: width, backend: backend, maxBatch: maxBatch)
    case .conv2d, .maxPool2d, .avgPool2d, .flatten, .globalAvgPool, .rnn, .gru, .embedding, .attention,
      .transformerBlock:
      preconditionFailure("layers that read a shape are planned by make(_:input:...)")
    }
  }

  private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? max(a, 1) : gcd(b, a % b) }
}
