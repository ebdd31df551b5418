import SproutTensor

/// `nn.Flatten`: an image or a sequence read as one vector. A sample is already one row-major row, so forward and
/// backward copy it unchanged; the layer exists so that the shapes say what the model does.
public final class FlattenLayer: Layer {
  /// Floats per sample, in and out.
  public let inputWidth: Int
  let backend: any Backend
  let out: Tensor

  init(width: Int, backend: any Backend, maxBatch: Int) {
    inputWidth = width
    self.backend = backend
    out = Tensor(zeros: [maxBatch, width])
  }

  /// The input's width.
  public var outputWidth: Int { inputWidth }
  /// None.
  public var parameters: [Parameter] { [] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `flatten`.
  public var kind: String { "flatten" }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    backend.copy(x, out.mutablePointer, count: batch * inputWidth)
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    if let dx { backend.copy(dy, dx, count: batch * inputWidth) }
  }
}
