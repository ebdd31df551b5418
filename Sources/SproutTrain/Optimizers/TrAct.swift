import SproutTensor

/// TrAct (Petersen, Borgelt & Ermon, NeurIPS 2024; `torch_tract`, `tract.py`): the first dense layer's weight
/// gradient becomes
///
///     grad_W = Gᵀ X (XᵀX / b + λ I_n)⁻¹                    (b ≥ n: an n×n solve)
///            = (1/λ) Gᵀ (X Xᵀ/(bλ) + I_b)⁻¹ X               (b < n: Woodbury, a b×b solve)
///
/// with X the batch input (b×n) and G = dL/dZ (b×m). The Woodbury line follows from the `torch_tract` form
/// `(1/λ) Gᵀ [I − (1/λ) A (A/λ + I)⁻¹] X`, A = XXᵀ/b, since `I − (A/λ)(A/λ + I)⁻¹ = (A/λ + I)⁻¹`.
/// Both systems are symmetric positive definite for λ > 0 and are solved by Cholesky in Float64; the
/// products with the batch go through the backend's gemm. Bias and input gradients are unchanged.
/// Scratch is planned once for `maxBatch`, so the update allocates nothing.
public final class TrAct {
  /// The ridge λ (0.1 in the paper; it interacts with the input scale).
  public let lambda: Double
  let inputs: Int
  let outputs: Int
  // b ≥ n branch
  private let xtx: Tensor?  // n×n float (gemm output)
  private let raw: Tensor?  // m×n float, Gᵀ X
  private let gram: UnsafeMutablePointer<Double>?  // n×n, factored in place
  // b < n branch
  private let small: Tensor?  // b×b float, X Xᵀ
  private let kernel: UnsafeMutablePointer<Double>?  // b×b
  private let rhs: UnsafeMutablePointer<Double>  // max(n, b) scratch vector
  private let solved: Tensor?  // b×m float, K⁻¹ G

  /// Plans scratch for a layer with `inputs` features and `outputs` units, batches up to `maxBatch`.
  public init(lambda: Double = 0.1, inputs: Int, outputs: Int, maxBatch: Int) {
    precondition(lambda > 0, "TrAct needs lambda > 0")
    self.lambda = lambda
    self.inputs = inputs
    self.outputs = outputs
    if maxBatch >= inputs {
      xtx = Tensor(zeros: [inputs, inputs])
      raw = Tensor(zeros: [outputs, inputs])
      gram = .allocate(capacity: inputs * inputs)
    } else {
      xtx = nil; raw = nil; gram = nil
    }
    let smallB = min(maxBatch, inputs - 1)
    if smallB >= 1 {
      small = Tensor(zeros: [smallB, smallB])
      kernel = .allocate(capacity: smallB * smallB)
      solved = Tensor(zeros: [smallB, outputs])
    } else {
      small = nil; kernel = nil; solved = nil
    }
    rhs = .allocate(capacity: max(inputs, maxBatch, 1))
  }

  deinit {
    gram?.deallocate()
    kernel?.deallocate()
    rhs.deallocate()
  }

  /// `grad += TrAct(Gᵀ X)` for `x` (batch×inputs) and `dy` (batch×outputs).
  public func accumulateWeightGradient(
    backend: any Backend, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, batch b: Int, inputs n: Int,
    outputs m: Int, grad: UnsafeMutablePointer<Float>
  ) {
    precondition(n == inputs && m == outputs, "TrAct planned for \(inputs)→\(outputs), used for \(n)→\(m)")
    if b >= n {
      guard let xtx, let raw, let gram else { preconditionFailure("TrAct: batch \(b) above the planned maximum") }
      backend.gemm(
        transA: true, transB: false, m: n, n: n, k: b, alpha: 1 / Float(b), a: x, lda: n, b: x, ldb: n,
        beta: 0, c: xtx.mutablePointer, ldc: n)
      for i in 0..<(n * n) { gram[i] = Double(xtx[i]) }
      for i in 0..<n { gram[i * n + i] += lambda }
      Cholesky.factor(gram, n: n)
      backend.gemm(
        transA: true, transB: false, m: m, n: n, k: b, alpha: 1, a: dy, lda: m, b: x, ldb: n, beta: 0,
        c: raw.mutablePointer, ldc: n)
      // Each row r of GᵀX solves M zᵀ = rᵀ (M symmetric), so grad row = M⁻¹ r.
      for row in 0..<m {
        for j in 0..<n { rhs[j] = Double(raw[row * n + j]) }
        Cholesky.solve(gram, n: n, rhs)
        for j in 0..<n { grad[row * n + j] += Float(rhs[j]) }
      }
    } else {
      guard let small, let kernel, let solved else { preconditionFailure("TrAct: no Woodbury scratch") }
      backend.gemm(
        transA: false, transB: true, m: b, n: b, k: n, alpha: 1, a: x, lda: n, b: x, ldb: n, beta: 0,
        c: small.mutablePointer, ldc: b)
      let scale = 1 / (Double(b) * lambda)
      for i in 0..<(b * b) { kernel[i] = Double(small[i]) * scale }
      for i in 0..<b { kernel[i * b + i] += 1 }
      Cholesky.factor(kernel, n: b)
      // Z = K⁻¹ G, one column of G (one output unit) at a time.
      for col in 0..<m {
        for r in 0..<b { rhs[r] = Double(dy[r * m + col]) }
        Cholesky.solve(kernel, n: b, rhs)
        for r in 0..<b { solved[r * m + col] = Float(rhs[r]) }
      }
      backend.gemm(
        transA: true, transB: false, m: m, n: n, k: b, alpha: Float(1 / lambda), a: solved.pointer, lda: m,
        b: x, ldb: n, beta: 1, c: grad, ldc: n)
    }
  }
}

/// In-place Cholesky factorisation and solves for small symmetric positive-definite Float64 systems.
enum Cholesky {
  /// Overwrites the lower triangle of the row-major n×n `a` with L, where `a = L Lᵀ`.
  static func factor(_ a: UnsafeMutablePointer<Double>, n: Int) {
    for j in 0..<n {
      var d = a[j * n + j]
      for k in 0..<j { d -= a[j * n + k] * a[j * n + k] }
      precondition(d > 0, "Cholesky: matrix not positive definite")
      let l = d.squareRoot()
      a[j * n + j] = l
      for i in (j + 1)..<max(j + 1, n) {
        var s = a[i * n + j]
        for k in 0..<j { s -= a[i * n + k] * a[j * n + k] }
        a[i * n + j] = s / l
      }
    }
  }

  /// Solves `L Lᵀ x = v` in place, given the factor from `factor`.
  static func solve(_ l: UnsafePointer<Double>, n: Int, _ v: UnsafeMutablePointer<Double>) {
    for i in 0..<n {
      var s = v[i]
      for k in 0..<i { s -= l[i * n + k] * v[k] }
      v[i] = s / l[i * n + i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = v[i]
      for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * v[k] }
      v[i] = s / l[i * n + i]
    }
  }
}
