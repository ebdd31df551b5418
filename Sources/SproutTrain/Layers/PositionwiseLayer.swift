import SproutTensor

/// A layer applied to every position of a sequence on its own, as PyTorch applies `nn.Linear` or `nn.LayerNorm`
/// to the last dimension of a `[batch, length, features]` tensor.
///
/// A sequence row `[length, features]` is `length` rows of `features`, contiguous, so the inner layer (planned for
/// `maxBatch · length` rows of `features`) runs on `batch · length` rows of the same buffer: nothing is copied.
final class PositionwiseLayer: Layer {
  /// The layer each position goes through.
  let inner: any Layer
  /// Positions per sample.
  let positions: Int

  init(_ inner: any Layer, positions: Int) {
    self.inner = inner
    self.positions = positions
  }

  /// `length · features` in.
  var inputWidth: Int { positions * inner.inputWidth }
  /// `length · features` out.
  var outputWidth: Int { positions * inner.outputWidth }
  /// The inner layer's.
  var parameters: [Parameter] { inner.parameters }
  /// The inner layer's.
  var buffers: [Parameter] { inner.buffers }
  /// The inner layer's output, `batch · length` rows.
  var output: UnsafePointer<Float> { inner.output }
  /// The inner layer's kind (`dense`).
  var kind: String { inner.kind }

  func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    inner.forward(x, batch: batch * positions, training: training)
  }

  func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    inner.backward(dy, dx: dx, batch: batch * positions)
  }
}
