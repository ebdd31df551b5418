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

  init(
    _ configs: [LayerConfig], inputWidth: Int, pathPrefix: String, topIndex: Int?, backend: any Backend,
    maxBatch: Int, seed: UInt64, clock: TrainingClock, naming: LayerNaming
  ) throws {
    var layers: [any Layer] = []
    var width = inputWidth
    var widest = 1
    for (i, config) in configs.enumerated() {
      let path = "\(pathPrefix).\(i)"
      let layer = try LayerStack.make(
        config, width: width, path: path, topIndex: topIndex ?? i, backend: backend, maxBatch: maxBatch,
        seed: seed, clock: clock, naming: naming)
      if i + 1 < configs.count { widest = max(widest, layer.outputWidth) }
      width = layer.outputWidth
      layers.append(layer)
    }
    self.layers = layers
    self.inputWidth = inputWidth
    self.outputWidth = width
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

  /// Plans one layer from its config, checking what the spec phase may not have checked.
  static func make(
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
        inner, width: width, path: path, topIndex: topIndex, backend: backend, maxBatch: maxBatch, seed: seed,
        clock: clock, naming: naming)
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
    }
  }

  private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? max(a, 1) : gcd(b, a % b) }
}
