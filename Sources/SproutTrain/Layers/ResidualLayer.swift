import SproutConfig
import SproutTensor

/// `y = x + f(x)`, where `f` is an inner layer list that maps the width back to itself.
///
/// Backward: the inner list's input gradient plus the skip path, `dx = dy + f′ᵀ dy`.
public final class ResidualLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  let inner: LayerStack
  let backend: any Backend
  let out: Tensor

  init(
    _ configs: [LayerConfig], input: TensorShape, path: String, topIndex: Int, backend: any Backend, maxBatch: Int,
    seed: UInt64, clock: TrainingClock, naming: LayerNaming
  ) throws {
    let width = input.elementCount
    inputWidth = width
    self.backend = backend
    inner = try LayerStack(
      configs, input: input, pathPrefix: "\(path).layers", topIndex: topIndex, backend: backend,
      maxBatch: maxBatch, seed: seed, clock: clock, naming: naming)
    guard (inner.shapes.last ?? input) == input else {
      throw NetworkError(
        path: path,
        message: "residual block maps \(input) to \(inner.shapes.last ?? input); its last layer must output \(input)")
    }
    out = Tensor(zeros: [maxBatch, width])
  }

  /// The inner layers, in order.
  public var layers: [any Layer] { inner.layers }
  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// Every inner parameter, in order.
  public var parameters: [Parameter] { inner.layers.flatMap { $0.parameters } }
  /// Every inner buffer, in order.
  public var buffers: [Parameter] { inner.layers.flatMap { $0.buffers } }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `residual`.
  public var kind: String { "residual" }

  /// `y = x + f(x)`.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    let fx = inner.forward(x, batch: batch, training: training)
    backend.zip(.add, x, fx, out.mutablePointer, count: batch * inputWidth)
  }

  /// `dx = dy + (inner input gradient)`; inner parameter gradients accumulate.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    inner.backward(dy, dx: dx, batch: batch)
    if let dx { backend.axpy(alpha: 1, dy, dx, count: batch * inputWidth) }
  }
}
