import SproutTensor

/// A 2-D convolution, PyTorch's `nn.Conv2d(C, F, k, stride, padding, bias)`: weight `[F, C, k, k]`, bias `[F]`, each
/// image `[C, H, W]` to `[F, OH, OW]`.
///
/// By im2col and the backend's gemm, one image at a time (`cols` keeps every image's unfolded patches, so the
/// backward need not unfold again):
///
///     forward   cols_b[C·k·k × OH·OW] = im2col(x_b)      Y_b[F × OH·OW] = W[F × C·k·k] · cols_b (+ b per row)
///     backward  dW += Σ_b dY_b · cols_bᵀ                  db += Σ_b Σ_positions dY_b
///               dx_b = col2im(Wᵀ · dY_b)
public final class Conv2DLayer: Layer {
  /// The window geometry over the input image.
  public let geometry: WindowGeometry
  /// Output channels.
  public let filters: Int
  /// `[F, C, k, k]`.
  public let weight: Parameter
  /// `[F]`, or nil when the layer has no bias.
  public let bias: Parameter?
  /// Position among the model's weight layers.
  public let weightIndex: Int
  let backend: any Backend
  let out: Tensor
  private let cols: Tensor  // maxBatch × (C·k·k) × (OH·OW)
  private let dcols: Tensor  // (C·k·k) × (OH·OW), one image's column gradient

  convenience init(
    geometry: WindowGeometry, filters: Int, bias hasBias: Bool, backend: any Backend, maxBatch: Int, path: String,
    topIndex: Int, naming: LayerNaming
  ) {
    let index = naming.claim(.conv2d)
    let k = geometry.kernel
    let weight = naming.parameter(
      path, "weight", role: .weight, topIndex: topIndex, dense: index, shape: [filters, geometry.channels, k, k])
    let bias =
      hasBias ? naming.parameter(path, "bias", role: .bias, topIndex: topIndex, dense: index, shape: [filters]) : nil
    self.init(
      geometry: geometry, filters: filters, weight: weight, bias: bias, weightIndex: index, backend: backend,
      maxBatch: maxBatch)
  }

  /// A convolution applying the given tensors (shared with another layer when interval bounds run a twin of it).
  init(
    geometry: WindowGeometry, filters: Int, weight: Parameter, bias: Parameter?, weightIndex: Int,
    backend: any Backend, maxBatch: Int
  ) {
    self.geometry = geometry
    self.filters = filters
    self.backend = backend
    self.weight = weight
    self.bias = bias
    self.weightIndex = weightIndex
    out = Tensor(zeros: [maxBatch, filters * geometry.outPositions])
    cols = Tensor(zeros: [maxBatch * geometry.patchSize * geometry.outPositions])
    dcols = Tensor(zeros: [geometry.patchSize * geometry.outPositions])
  }

  /// `C · H · W`.
  public var inputWidth: Int { geometry.inputCount }
  /// `F · OH · OW`.
  public var outputWidth: Int { filters * geometry.outPositions }
  /// Weight, then bias.
  public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × F·OH·OW`: the pre-activation output.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `conv2d`.
  public var kind: String { "conv2d" }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    let (p, n) = (geometry.patchSize, geometry.outPositions)
    backend.im2col(x, cols.mutablePointer, batch: batch, geometry: geometry)
    for b in 0..<batch {
      let y = out.mutablePointer + b * outputWidth
      backend.gemm(
        transA: false, transB: false, m: filters, n: n, k: p, alpha: 1, a: weight.value.pointer, lda: p,
        b: cols.pointer + b * p * n, ldb: n, beta: 0, c: y, ldc: n)
      if let bias {
        for f in 0..<filters {
          backend.map(.affine(1, bias.value[f]), y + f * n, y + f * n, count: n)
        }
      }
    }
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    let (p, n) = (geometry.patchSize, geometry.outPositions)
    for b in 0..<batch {
      let g = dy + b * outputWidth
      if weight.trainable {
        backend.gemm(
          transA: false, transB: true, m: filters, n: p, k: n, alpha: 1, a: g, lda: n, b: cols.pointer + b * p * n,
          ldb: n, beta: 1, c: weight.grad.mutablePointer, ldc: p)
      }
      if let bias, bias.trainable {
        for f in 0..<filters { bias.grad[f] += backend.reduce(.sum, g + f * n, count: n) }
      }
      if let dx {
        backend.gemm(
          transA: true, transB: false, m: p, n: n, k: filters, alpha: 1, a: weight.value.pointer, lda: p, b: g,
          ldb: n, beta: 0, c: dcols.mutablePointer, ldc: n)
        backend.col2im(dcols.pointer, dx + b * inputWidth, batch: 1, geometry: geometry)
      }
    }
  }
}

extension Conv2DLayer: WeightLayerComputing {
  var weightLayerIndex: Int { weightIndex }
}
