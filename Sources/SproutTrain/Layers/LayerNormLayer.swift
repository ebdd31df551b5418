import SproutTensor

/// Layer normalisation (Ba et al. 2016) over each row's features, as `torch.nn.LayerNorm(width)`:
///
///     x̂ = (x − mean)/√(var + eps)  (biased variance),   y = x̂·weight + bias  (when affine)
///
/// Backward per row, with g = dy·weight: `dx = (g − mean(g) − x̂·mean(g·x̂)) / √(var + eps)`.
public final class LayerNormLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// Added to the variance.
  public let eps: Float
  /// Gain `[width]` (starts at 1), nil without `affine`.
  public let weight: Parameter?
  /// Bias `[width]` (starts at 0), nil without `affine`.
  public let bias: Parameter?
  let backend: any Backend
  let out: Tensor
  private let scratch: Tensor  // dx when the caller wants none
  private let mean: Tensor  // per row
  private let rstd: Tensor  // per row
  private var input: UnsafePointer<Float>?

  init(
    width: Int, eps: Float, affine: Bool, backend: any Backend, maxBatch: Int, path: String, topIndex: Int,
    naming: LayerNaming
  ) {
    inputWidth = width
    self.backend = backend
    self.eps = eps
    if affine {
      let wgt = naming.parameter(path, "weight", role: .gain, topIndex: topIndex, dense: nil, shape: [width])
      for j in 0..<width { wgt.value[j] = 1 }
      weight = wgt
      bias = naming.parameter(path, "bias", role: .bias, topIndex: topIndex, dense: nil, shape: [width])
    } else {
      weight = nil
      bias = nil
    }
    out = Tensor(zeros: [maxBatch, width])
    scratch = Tensor(zeros: [maxBatch, width])
    mean = Tensor(zeros: [maxBatch])
    rstd = Tensor(zeros: [maxBatch])
  }

  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// `[weight, bias]` when affine.
  public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `layer_norm`.
  public var kind: String { "layer_norm" }

  /// Normalises each row (the backend's `layerNormForward`).
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    backend.layerNormForward(
      x, out.mutablePointer, rows: batch, cols: inputWidth, gamma: weight?.value.pointer, beta: bias?.value.pointer,
      eps: eps, mean: mean.mutablePointer, rstd: rstd.mutablePointer)
  }

  /// Input gradient and gain/bias gradients (the backend's `layerNormBackward`).
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("LayerNormLayer.backward before forward") }
    // The kernel always writes dx; without a caller buffer it goes to scratch.
    backend.layerNormBackward(
      x, dy: dy, dx: dx ?? scratch.mutablePointer, rows: batch, cols: inputWidth, gamma: weight?.value.pointer,
      mean: mean.pointer, rstd: rstd.pointer,
      dGamma: weight.flatMap { $0.trainable ? $0.grad.mutablePointer : nil },
      dBeta: bias.flatMap { $0.trainable ? $0.grad.mutablePointer : nil })
  }
}
