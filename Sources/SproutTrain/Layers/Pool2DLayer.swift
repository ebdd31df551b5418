import SproutTensor

/// 2-D max or average pooling (PyTorch's `nn.MaxPool2d(size, stride)`, `nn.AvgPool2d(size, stride)`, no padding),
/// each image `[C, H, W]` to `[C, OH, OW]`. Max pooling keeps, per output, the index of the input that won, so the
/// backward routes each gradient to it.
public final class Pool2DLayer: Layer {
  /// Which statistic of a window.
  public enum Mode: Sendable {
    /// The maximum.
    case max
    /// The mean.
    case average
  }

  /// The window geometry over the input image.
  public let geometry: WindowGeometry
  /// Max or average.
  public let mode: Mode
  let backend: any Backend
  let out: Tensor
  private var argmax: [Int32]

  init(mode: Mode, geometry: WindowGeometry, backend: any Backend, maxBatch: Int) {
    self.mode = mode
    self.geometry = geometry
    self.backend = backend
    out = Tensor(zeros: [maxBatch, geometry.channels * geometry.outPositions])
    argmax = mode == .max ? [Int32](repeating: 0, count: maxBatch * geometry.channels * geometry.outPositions) : []
  }

  /// `C · H · W`.
  public var inputWidth: Int { geometry.inputCount }
  /// `C · OH · OW`.
  public var outputWidth: Int { geometry.channels * geometry.outPositions }
  /// None.
  public var parameters: [Parameter] { [] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × C·OH·OW`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `max_pool2d` or `avg_pool2d`.
  public var kind: String { mode == .max ? "max_pool2d" : "avg_pool2d" }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    switch mode {
    case .max:
      argmax.withUnsafeMutableBufferPointer { a in
        backend.maxPool2d(x, out.mutablePointer, argmax: a.baseAddress!, batch: batch, geometry: geometry)
      }
    case .average:
      backend.avgPool2d(x, out.mutablePointer, batch: batch, geometry: geometry)
    }
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let dx else { return }
    switch mode {
    case .max:
      argmax.withUnsafeBufferPointer { a in
        backend.maxPool2dBackward(dy, argmax: a.baseAddress!, dx, batch: batch, geometry: geometry)
      }
    case .average:
      backend.avgPool2dBackward(dy, dx, batch: batch, geometry: geometry)
    }
  }
}
