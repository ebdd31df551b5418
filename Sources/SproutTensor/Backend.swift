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

  /// `y[r, c] += bias[c]` for a rows×cols matrix.
  func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>)

  /// `y = f(x)` for a stateless activation.
  func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)

  /// `dx = f'(x) · dy`, given the input `x` and the forward output `y = f(x)`; `dx` may alias `dy`.
  func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int)

  /// `y[i] += alpha · x[i]`.
  func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)

  /// `x[i] *= alpha`.
  func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int)
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
}
