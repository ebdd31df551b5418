/// A thin QR factorisation `A = Q · R` from Householder reflections.
///
/// For an m×n matrix with k = min(m, n): `q` is m×k with orthonormal columns and `r` is k×n upper
/// triangular (upper trapezoidal when n > m). As in LAPACK's `dgeqrf`, each reflection maps its column onto
/// `−sign(x₀)·‖x‖·e₀`, so R's diagonal may be negative; `rDiagonal` exposes it for the sign fix that makes
/// an orthogonal initializer Haar-distributed (PyTorch `orthogonal_`: multiply column j of Q by sign(R_jj)).
public struct QRDecomposition: Sendable {
  /// m×k, orthonormal columns.
  public let q: DenseMatrix
  /// k×n, upper triangular.
  public let r: DenseMatrix

  /// R's main diagonal (k entries).
  public var rDiagonal: [Double] { r.diagonal }

  /// Q with column j multiplied by sign(R_jj) (sign(0) taken as +1), the Haar-uniform orthogonal factor
  /// of a Gaussian matrix (Mezzadri 2007; PyTorch `torch.nn.init.orthogonal_`).
  public var signCorrectedQ: DenseMatrix {
    var out = q
    for (j, d) in rDiagonal.enumerated() where d < 0 {
      for i in 0..<q.rows { out[i, j] = -out[i, j] }
    }
    return out
  }
}

extension DenseMatrix {
  /// The thin Householder QR factorisation (Golub & Van Loan, Matrix Computations, Alg. 5.2.1).
  ///
  /// Works for any shape, including rank-deficient matrices (a zero column gives a zero diagonal entry in R
  /// and an identity reflection, so Q stays orthonormal).
  /// - Complexity: O(m·n·k) with k = min(m, n).
  public func qr() -> QRDecomposition {
    let (m, n) = (rows, cols)
    let k = Swift.min(m, n)
    var a = values
    var reflectors: [[Double]] = []
    reflectors.reserveCapacity(k)
    for j in 0..<k {
      var v = (j..<m).map { a[$0 * n + j] }
      let norm = euclideanNorm(v)
      if norm == 0 {
        reflectors.append([])
        continue
      }
      let alpha = v[0] >= 0 ? -norm : norm
      v[0] -= alpha
      let vv = dot(v, v)
      if vv == 0 {
        reflectors.append([])
        continue
      }
      // Apply H = I − 2·v·vᵀ/(vᵀv) to the trailing block a[j..<m, j..<n].
      for c in j..<n {
        var s = 0.0
        for i in j..<m { s += v[i - j] * a[i * n + c] }
        let f = 2 * s / vv
        if f == 0 { continue }
        for i in j..<m { a[i * n + c] -= f * v[i - j] }
      }
      // The reflection maps the column exactly onto alpha·e₀; write it so R is exactly triangular.
      a[j * n + j] = alpha
      for i in (j + 1)..<m { a[i * n + j] = 0 }
      reflectors.append(v)
    }
    var r = DenseMatrix(zeros: k, n)
    for i in 0..<k {
      for c in i..<n { r[i, c] = a[i * n + c] }
    }
    // Q = H₀·H₁·…·H_{k−1} applied to the first k columns of the identity, accumulated backwards.
    var q = DenseMatrix(zeros: m, k)
    for i in 0..<k { q[i, i] = 1 }
    for j in stride(from: k - 1, through: 0, by: -1) {
      let v = reflectors[j]
      if v.isEmpty { continue }
      let vv = dot(v, v)
      for c in 0..<k {
        var s = 0.0
        for i in j..<m { s += v[i - j] * q.values[i * k + c] }
        let f = 2 * s / vv
        if f == 0 { continue }
        for i in j..<m { q.values[i * k + c] -= f * v[i - j] }
      }
    }
    return QRDecomposition(q: q, r: r)
  }
}
