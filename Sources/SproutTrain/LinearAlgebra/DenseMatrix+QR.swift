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
    // Work on columns stored contiguously (the transpose), so each reflection streams through memory.
    var a = transposed.values  // column c of A is a[c*m ..< (c+1)*m]
    var reflectors = [Double](repeating: 0, count: k * m)  // reflector j lives in rows j..<m of slot j
    var reflectorNorms = [Double](repeating: 0, count: k)  // vᵀv, 0 for an identity reflection
    a.withUnsafeMutableBufferPointer { pa in
      reflectors.withUnsafeMutableBufferPointer { pv in
        for j in 0..<k {
          let norm = euclideanNorm(Array(pa[(j * m + j)..<((j + 1) * m)]))
          if norm == 0 { continue }
          let alpha = pa[j * m + j] >= 0 ? -norm : norm
          var vv = 0.0
          for i in j..<m {
            pv[j * m + i] = pa[j * m + i] - (i == j ? alpha : 0)
            vv += pv[j * m + i] * pv[j * m + i]
          }
          if vv == 0 { continue }
          reflectorNorms[j] = vv
          // Apply H = I − 2·v·vᵀ/(vᵀv) to the trailing columns.
          for c in (j + 1)..<n {
            var s = 0.0
            for i in j..<m { s += pv[j * m + i] * pa[c * m + i] }
            let f = 2 * s / vv
            if f == 0 { continue }
            for i in j..<m { pa[c * m + i] -= f * pv[j * m + i] }
          }
          // The reflection maps column j exactly onto alpha·e_j; write it so R is exactly triangular.
          pa[j * m + j] = alpha
          for i in (j + 1)..<m { pa[j * m + i] = 0 }
        }
      }
    }
    var r = DenseMatrix(zeros: k, n)
    for i in 0..<k {
      for c in i..<n { r[i, c] = a[c * m + i] }
    }
    // Q = H₀·H₁·…·H_{k−1} applied to the first k columns of the identity, accumulated backwards
    // (again column-contiguous, transposed at the end).
    var qt = [Double](repeating: 0, count: k * m)
    for i in 0..<k { qt[i * m + i] = 1 }
    qt.withUnsafeMutableBufferPointer { pq in
      reflectors.withUnsafeBufferPointer { pv in
        for j in stride(from: k - 1, through: 0, by: -1) {
          let vv = reflectorNorms[j]
          if vv == 0 { continue }
          for c in 0..<k {
            var s = 0.0
            for i in j..<m { s += pv[j * m + i] * pq[c * m + i] }
            let f = 2 * s / vv
            if f == 0 { continue }
            for i in j..<m { pq[c * m + i] -= f * pv[j * m + i] }
          }
        }
      }
    }
    let q = DenseMatrix(rows: k, cols: m, values: qt).transposed
    return QRDecomposition(q: q, r: r)
  }
}
