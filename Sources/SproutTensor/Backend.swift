/// The numerical kernels the executor needs, over row-major float32 buffers.
///
/// A backend implements a small required core (matrix multiply with transposes, elementwise maps,
/// reductions, fills, copies). Everything else (bias, activations, losses, optimizer updates) has a default
/// implementation in `Backend+Composites.swift` built on the core, which a backend may override where it is
/// faster. Results must not depend on the thread count: kernels partition work by output, never by a
/// summation axis, so every output element is summed in the same order whatever the partition.
///
/// All matrices are row-major. `lda`, `ldb`, `ldc` are row strides in elements.
public protocol Backend: AnyObject, Sendable {
  /// `cpu` or `blas`.
  var name: String { get }
  /// Worker threads used by the parallel kernels (1 or more).
  var threads: Int { get }

  /// `C = alpha · op(A) · op(B) + beta · C`, with `op(A)` m×k, `op(B)` k×n and `C` m×n, all row-major.
  /// `beta == 0` overwrites C (NaN in C does not propagate).
  func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int)

  /// `y[i] = op(x[i])` for `count` elements; `x` and `y` may be the same buffer.
  func map(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)

  /// `z[i] = op(x[i], y[i])`; `z` may alias `x` or `y`.
  func zip(
    _ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    count: Int)

  /// A reduction over `count` elements, summed in a fixed blocked order (independent of thread count).
  func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, count: Int) -> Float

  /// `y[j] = Σ_i x[i, j]` (column sums of a rows×cols matrix), or `+=` when `accumulate`.
  func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, _ y: UnsafeMutablePointer<Float>, accumulate: Bool)

  /// `y[i] = value`.
  func fill(_ y: UnsafeMutablePointer<Float>, value: Float, count: Int)

  /// `y[i] = x[i]`.
  func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)

  // MARK: Composites (default implementations in Backend+Composites.swift; override for speed)

  /// `gemm`, then `epilogue` applied to C: a dense layer's bias and activation, or an activation's backward
  /// pass on the product, done while C is still in cache. The result is bit-identical to the product followed
  /// by the separate kernels (`addBias`, `activationForward`, `activationBackward`), which is the default.
  func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GemmEpilogue)

  /// `y[r, c] += bias[c]` for a rows×cols matrix.
  func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>)

  /// `y = f(x)` for a stateless activation. When `f.savesForBackward` and `saved` is given (`count` floats), it
  /// also stores there what the backward pass would otherwise recompute (sine: `cos(ω·x)`); else `saved` is
  /// left alone.
  func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>?, count: Int)

  /// `dx = f'(x) · dy`, given the input `x` and the forward output `y = f(x)`; `dx` may alias `dy`. `saved` is
  /// the forward's saved buffer (or nil, to recompute): the result is the same bits either way.
  func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int)

  /// `y[i] += alpha · x[i]`.
  func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)

  /// `x[i] *= alpha`.
  func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int)

  /// Row-wise softmax of a rows×cols matrix (max-subtracted, so it never overflows); `y` may alias `x`.
  func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int)

  /// Row-wise log-softmax `x − max − ln Σ e^(x − max)`; `y` may alias `x`.
  func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int)

  /// Layer normalisation over the last axis (biased variance, as PyTorch): `y = (x − μ)·rstd·γ + β`, saving
  /// each row's `mean` and `rstd = 1/√(var + eps)` for the backward pass. `gamma`/`beta` may be nil.
  func layerNormForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>)

  /// Layer-norm gradients: writes `dx`, and adds into `dGamma`/`dBeta` (column sums) when given.
  func layerNormBackward(
    _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
    gamma: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?)

  /// One PyTorch `torch.optim.SGD` step on `count` parameters. `velocity` is the momentum buffer (needed
  /// when `momentum != 0`); on `firstStep` it is set to the gradient, as PyTorch does.
  func sgdStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    velocity: UnsafeMutablePointer<Float>?, count: Int, hyper: SGDHyperparameters, firstStep: Bool)

  /// One PyTorch `torch.optim.Adam` (or `AdamW` when `hyper.decoupledWeightDecay`) step; `step` counts
  /// from 1 and sets the bias corrections.
  func adamStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, hyper: AdamHyperparameters,
    step: Int)

  /// Unfolds `batch` images `[C, H, W]` (one after another in `x`) into `batch` im2col matrices `[C·k·k, OH·OW]`
  /// (one after another in `cols`), rows ordered (channel, ky, kx) as a convolution weight `[F, C, k, k]`.
  func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, batch: Int, geometry: WindowGeometry)

  /// The adjoint of `im2col`: overwrites `dx` (`batch` images) with the column entries summed back onto the pixels.
  func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, geometry: WindowGeometry)

  /// 2-D max pooling of `batch` images, recording each maximum's index within its image in `argmax`.
  func maxPool2d(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, batch: Int,
    geometry: WindowGeometry)

  /// Max pooling's backward: overwrites `dx` with each output gradient routed to its maximum.
  func maxPool2dBackward(
    _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>, batch: Int,
    geometry: WindowGeometry)

  /// 2-D average pooling of `batch` images (padding counts in the divisor, as PyTorch's default).
  func avgPool2d(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, geometry: WindowGeometry)

  /// Average pooling's backward: overwrites `dx`.
  func avgPool2dBackward(
    _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, geometry: WindowGeometry)
}

/// Work a matrix product does on its result C (m×n, row stride `ldc`) after the sums. Buffers it names have
/// C's shape and row stride.
public enum GemmEpilogue {
  /// Nothing: a plain product.
  case none
  /// `C[i, j] += bias[j]` when `bias` is given, then `output = f(C)` when `activation` is given (`output` may
  /// be nil only without an activation), with `saved` as in `activationForward`: a dense layer's bias and the
  /// activation that follows it.
  case biasActivation(
    bias: UnsafePointer<Float>?, activation: Activation?, output: UnsafeMutablePointer<Float>?,
    saved: UnsafeMutablePointer<Float>?)
  /// `C = f'(x) · C`, given the activation's input `x`, output `y = f(x)` and saved buffer (or nil): the
  /// product is the gradient at the activation's output, and C becomes the gradient at its input.
  case activationGradient(Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?)
}

/// Settings of an SGD step (PyTorch names and meanings).
public struct SGDHyperparameters: Sendable, Hashable {
  /// Learning rate.
  public var lr: Float
  /// Momentum factor (0 for plain SGD).
  public var momentum: Float
  /// Dampening of the momentum's gradient term.
  public var dampening: Float
  /// Nesterov momentum.
  public var nesterov: Bool
  /// L2 penalty added to the gradient.
  public var weightDecay: Float

  /// Plain SGD with learning rate `lr` unless other settings are given.
  public init(lr: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
    self.lr = lr
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }
}

/// Settings of an Adam/AdamW step (PyTorch names and meanings).
public struct AdamHyperparameters: Sendable, Hashable {
  /// Learning rate.
  public var lr: Float
  /// First-moment decay.
  public var beta1: Float
  /// Second-moment decay.
  public var beta2: Float
  /// Added to the denominator.
  public var eps: Float
  /// Weight decay: L2 on the gradient (Adam) or decoupled shrinkage of the parameters (AdamW).
  public var weightDecay: Float
  /// AdamW's decoupled weight decay.
  public var decoupledWeightDecay: Bool

  /// PyTorch's defaults unless given.
  public init(
    lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0,
    decoupledWeightDecay: Bool = false
  ) {
    self.lr = lr
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
  }
}

/// Elementwise unary operations.
public enum UnaryOp: Sendable, Hashable {
  /// `-x`
  case negate
  /// `|x|`
  case abs
  /// `x²`
  case square
  /// `√x`
  case sqrt
  /// `eˣ`
  case exp
  /// `ln x`
  case log
  /// `sin x`
  case sin
  /// `cos x`
  case cos
  /// `tanh x`
  case tanh
  /// `a·x + b`
  case affine(Float, Float)
  /// `min(max(x, lo), hi)`
  case clamp(Float, Float)
}

/// Elementwise binary operations.
public enum BinaryOp: Sendable, Hashable {
  /// `x + y`
  case add
  /// `x - y`
  case subtract
  /// `x · y`
  case multiply
  /// `x / y`
  case divide
  /// `max(x, y)`
  case maximum
  /// `min(x, y)`
  case minimum
}

/// Reductions to one number.
public enum ReduceOp: Sendable, Hashable {
  /// `Σ x`
  case sum
  /// `Σ x²`
  case sumOfSquares
  /// `max |x|`
  case maxAbs
}

/// Stateless activations a backend evaluates elementwise (learnable ones — crrelu, rational, dice — are
/// layers in SproutTrain built on these kernels).
public enum Activation: Sendable, Hashable {
  /// `x`
  case identity
  /// `max(0, x)`
  case relu
  /// `x` for x > 0, else `slope·x`.
  case leakyRelu(slope: Float)
  /// `x` for x > 0, else `alpha·(eˣ − 1)`.
  case elu(alpha: Float)
  /// `λ·elu(x; α)` with λ ≈ 1.0507, α ≈ 1.6733 (Klambauer et al. 2017).
  case selu
  /// Gaussian error linear unit; exact (erf) form, or the tanh approximation.
  case gelu(approximateTanh: Bool)
  /// `x·σ(x)`
  case silu
  /// `tanh x`
  case tanh
  /// `σ(x) = 1/(1+e⁻ˣ)`
  case sigmoid
  /// `(1/β)·ln(1 + e^(βx))`, linear above `threshold` (as PyTorch).
  case softplus(beta: Float, threshold: Float)
  /// `sin(ω·x)` (SIREN).
  case sine(omega: Float)

  /// Whether the forward pass can save something for the backward pass (`Backend.activationForward(…, saved:)`):
  /// sine saves `cos(ω·x)`, which its gradient needs and which the forward computes anyway.
  public var savesForBackward: Bool {
    if case .sine = self { return true }
    return false
  }
}
