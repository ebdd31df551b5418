import SproutTensor

/// `y = x Wᵀ + b` with `W` of shape `[out, in]` (PyTorch's `nn.Linear` layout) and an optional bias.
///
/// All three products of the step are single gemm calls on the backend:
///
///     forward   Y[b×out]  = X[b×in] · Wᵀ
///     backward  dW[out×in] += dYᵀ · X        (or TrAct's preconditioned form for the first layer)
///               dX[b×in]   = dY · W
public final class DenseLayer: Layer {
  /// Features per input row.
  public let inputWidth: Int
  /// Units.
  public let outputWidth: Int
  /// `[out, in]`.
  public let weight: Parameter
  /// `[out]`, or nil when the layer has no bias.
  public let bias: Parameter?
  /// Position among the model's weight layers (0 = first; for a dense-only model, among its dense layers).
  public let denseIndex: Int
  /// When set, the weight gradient is TrAct's preconditioned one (Petersen et al., NeurIPS 2024; see `TrAct`).
  public var tract: TrAct?
  /// A fine-tuning adapter added to the layer's output (see `Network.attachAdapters`).
  public private(set) var adapter: DenseAdapter?
  /// The layer's key path (`layers.2`), for naming adapter tensors.
  let path: String
  let topIndex: Int
  let maxBatch: Int

  let backend: any Backend
  let out: Tensor
  private var input: UnsafePointer<Float>?
  /// The input of the last forward (`batch × inputWidth`), valid until the next forward.
  var lastInput: UnsafePointer<Float>? { input }
  /// Rows of the last forward (samples, or samples × positions for a position-wise layer).
  private(set) var lastBatch = 0

  init(
    inputWidth: Int, units: Int, bias hasBias: Bool, backend: any Backend, maxBatch: Int, path: String,
    topIndex: Int, naming: LayerNaming
  ) {
    self.inputWidth = inputWidth
    self.outputWidth = units
    self.backend = backend
    self.path = path
    self.topIndex = topIndex
    self.maxBatch = maxBatch
    self.denseIndex = naming.claim(.dense)
    weight = naming.parameter(
      path, "weight", role: .weight, topIndex: topIndex, dense: denseIndex, shape: [units, inputWidth])
    bias =
      hasBias
      ? naming.parameter(path, "bias", role: .bias, topIndex: topIndex, dense: denseIndex, shape: [units]) : nil
    out = Tensor(zeros: [maxBatch, units])
  }

  /// Weight, then bias, then the adapter's trained tensors.
  public var parameters: [Parameter] { (bias.map { [weight, $0] } ?? [weight]) + (adapter?.parameters ?? []) }
  /// The adapter's frozen tensors, if any.
  public var buffers: [Parameter] { adapter?.buffers ?? [] }

  /// The weight the layer applies, `[out, in]` row-major: W, or W + ΔW with a fine-tuning adapter (computed in
  /// Float64, then rounded). Weight metrics and interval bounds read this, not the frozen base.
  public var effectiveWeight: [Float] {
    var values = weight.value.array
    if let delta = adapter?.delta {
      for i in values.indices { values[i] = Float(Double(values[i]) + delta.values[i]) }
    }
    return values
  }

  /// Adds an adapter of `rank` (LoRA scale `scale`); the caller freezes what should not train.
  @discardableResult
  func attach(_ form: DenseAdapter.Form, rank: Int, scale: Float) -> DenseAdapter {
    let a = DenseAdapter(
      form: form, rank: rank, scale: scale, backend: backend, inputs: inputWidth, outputs: outputWidth, path: path,
      topIndex: topIndex, dense: denseIndex, maxBatch: maxBatch)
    adapter = a
    return a
  }
  /// `maxBatch × units`: the pre-activation output.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `dense`.
  public var kind: String { "dense" }

  /// `Y = X Wᵀ + b` (the bias added in the product's epilogue).
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    backend.gemm(
      transA: false, transB: true, m: batch, n: outputWidth, k: inputWidth, alpha: 1, a: x, lda: inputWidth,
      b: weight.value.pointer, ldb: inputWidth, beta: 0, c: out.mutablePointer, ldc: outputWidth,
      epilogue: .biasActivation(bias: bias?.value.pointer, activation: nil, output: nil, saved: nil))
    lastBatch = batch
    adapter?.forward(x, batch: batch, out: out.mutablePointer, ldOut: outputWidth)
  }

  /// `Y = X Wᵀ + b` and the following activation's `f(Y)` in one product (no adapter: it would add to Y
  /// between the two). The activation's output and saved input are as after its own forward.
  func forward(_ x: UnsafePointer<Float>, batch: Int, activation: ActivationLayer) {
    precondition(adapter == nil, "a dense layer with an adapter cannot fuse its activation")
    input = x
    lastBatch = batch
    backend.gemm(
      transA: false, transB: true, m: batch, n: outputWidth, k: inputWidth, alpha: 1, a: x, lda: inputWidth,
      b: weight.value.pointer, ldb: inputWidth, beta: 0, c: out.mutablePointer, ldc: outputWidth,
      epilogue: .biasActivation(
        bias: bias?.value.pointer, activation: activation.function, output: activation.out.mutablePointer,
        saved: activation.saved?.mutablePointer))
    activation.forwardWasFused(input: out.pointer)
  }

  /// `dW += dYᵀX` (or TrAct's form), `db += Σ_rows dY`, `dX = dY W`.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("DenseLayer.backward before forward") }
    accumulateParameterGradients(dy, x: x, batch: batch)
    if let dx {
      backend.gemm(
        transA: false, transB: false, m: batch, n: inputWidth, k: outputWidth, alpha: 1, a: dy, lda: outputWidth,
        b: weight.value.pointer, ldb: inputWidth, beta: 0, c: dx, ldc: inputWidth)
    }
    adapter?.backward(dy, ldDy: outputWidth, x: x, batch: batch, dx: dx)
  }

  /// `dW += dYᵀX` (or TrAct's form) and `db += Σ_rows dY`, for the trainable ones.
  private func accumulateParameterGradients(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int) {
    if weight.trainable {
      if let tract {
        tract.accumulateWeightGradient(
          backend: backend, x: x, dy: dy, batch: batch, inputs: inputWidth, outputs: outputWidth,
          grad: weight.grad.mutablePointer)
      } else {
        backend.gemm(
          transA: true, transB: false, m: outputWidth, n: inputWidth, k: batch, alpha: 1, a: dy, lda: outputWidth,
          b: x, ldb: inputWidth, beta: 1, c: weight.grad.mutablePointer, ldc: inputWidth)
      }
    }
    if let bias, bias.trainable {
      backend.columnSums(dy, rows: batch, cols: outputWidth, bias.grad.mutablePointer, accumulate: true)
    }
  }

  /// The backward pass followed by that of `activation`, the layer before this one: `dz` receives the gradient
  /// at the activation's input, `f'(x) · (dY W)`, with the activation's gradient as the product's epilogue.
  func backward(
    _ dy: UnsafePointer<Float>, dx dz: UnsafeMutablePointer<Float>, batch: Int, through activation: ActivationLayer
  ) {
    precondition(adapter == nil, "a dense layer with an adapter cannot fuse its activation")
    guard let x = input else { preconditionFailure("DenseLayer.backward before forward") }
    guard let activationInput = activation.lastInput else {
      preconditionFailure("ActivationLayer.backward before forward")
    }
    accumulateParameterGradients(dy, x: x, batch: batch)
    backend.gemm(
      transA: false, transB: false, m: batch, n: inputWidth, k: outputWidth, alpha: 1, a: dy, lda: outputWidth,
      b: weight.value.pointer, ldb: inputWidth, beta: 0, c: dz, ldc: inputWidth,
      epilogue: .activationGradient(
        activation.function, x: activationInput, y: activation.output, saved: activation.saved?.pointer))
  }
}
