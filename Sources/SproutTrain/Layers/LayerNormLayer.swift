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
  let out: Tensor
  private let normalized: Tensor
  private let invStd: Tensor  // per row

  init(width: Int, eps: Float, affine: Bool, maxBatch: Int, path: String, topIndex: Int, naming: LayerNaming) {
    inputWidth = width
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
    normalized = Tensor(zeros: [maxBatch, width])
    invStd = Tensor(zeros: [maxBatch])
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

  /// Normalises each row.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    let w = inputWidth
    let y = out.mutablePointer, xh = normalized.mutablePointer
    for r in 0..<batch {
      let row = x + r * w
      var s = 0.0
      for j in 0..<w { s += Double(row[j]) }
      let mean = s / Double(w)
      var ss = 0.0
      for j in 0..<w {
        let d = Double(row[j]) - mean
        ss += d * d
      }
      let inv = Float(1 / (ss / Double(w) + Double(eps)).squareRoot())
      invStd[r] = inv
      let m = Float(mean)
      for j in 0..<w {
        let v = (row[j] - m) * inv
        xh[r * w + j] = v
        y[r * w + j] = weight.map { v * $0.value[j] + bias!.value[j] } ?? v
      }
    }
  }

  /// Input gradient and gain/bias gradients.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    let w = inputWidth
    let xh = normalized.pointer
    if let weight, let bias {
      for j in 0..<w {
        var gw = 0.0, gb = 0.0
        for r in 0..<batch {
          gw += Double(dy[r * w + j] * xh[r * w + j])
          gb += Double(dy[r * w + j])
        }
        if weight.trainable { weight.grad[j] += Float(gw) }
        if bias.trainable { bias.grad[j] += Float(gb) }
      }
    }
    guard let dx else { return }
    for r in 0..<batch {
      var sg = 0.0, sgx = 0.0
      for j in 0..<w {
        let g = dy[r * w + j] * (weight?.value[j] ?? 1)
        sg += Double(g)
        sgx += Double(g * xh[r * w + j])
      }
      let mg = Float(sg / Double(w)), mgx = Float(sgx / Double(w))
      let inv = invStd[r]
      for j in 0..<w {
        let g = dy[r * w + j] * (weight?.value[j] ?? 1)
        dx[r * w + j] = inv * (g - mg - xh[r * w + j] * mgx)
      }
    }
  }
}
