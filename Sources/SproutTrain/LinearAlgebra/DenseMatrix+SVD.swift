/// A thin singular value decomposition `A = U · diag(S) · Vᵀ`.
///
/// For an m×n matrix with k = min(m, n): `u` is m×k and `vt` is k×n, both with orthonormal columns/rows,
/// and `s` holds the k singular values, sorted descending (all ≥ 0). Zero singular values (rank-deficient
/// input) get singular vectors that complete an orthonormal set.
public struct SingularValueDecomposition: Sendable {
  /// m×k left singular vectors (columns).
  public let u: DenseMatrix
  /// Singular values, descending.
  public let s: [Double]
  /// k×n right singular vectors (rows of Vᵀ).
  public let vt: DenseMatrix

  /// `U · diag(S) · Vᵀ` truncated to the top `rank` singular triplets (all when nil).
  public func reconstruct(rank: Int? = nil) -> DenseMatrix {
    let r = Swift.min(rank ?? s.count, s.count)
    var us = u.slice(rows: 0..<u.rows, cols: 0..<r)
    for i in 0..<us.rows {
      for j in 0..<r { us[i, j] *= s[j] }
    }
    return us * vt.slice(rows: 0..<r, cols: 0..<vt.cols)
  }
}

extension DenseMatrix {
  /// The thin SVD by one-sided Jacobi rotations (Hestenes 1958; Demmel & Veselić 1992), which computes
  /// small singular values to high relative accuracy. Tall matrices are first reduced by QR (A = QR, then
  /// the SVD of the square R), wide ones are handled through their transpose.
  /// - Complexity: O(sweeps · k² · max(m, n)), with typically 6–10 sweeps.
  public func svd() -> SingularValueDecomposition {
    if rows < cols {
      let t = transposed.svd()
      return SingularValueDecomposition(u: t.vt.transposed, s: t.s, vt: t.u.transposed)
    }
    if rows > cols {
      let f = qr()
      let inner = f.r.svd()
      return SingularValueDecomposition(u: f.q * inner.u, s: inner.s, vt: inner.vt)
    }
    let (cols, sigma, vtRows) = jacobiColumns(wantVectors: true)
    return Self.assemble(columns: cols, sigma: sigma, vt: vtRows, m: rows, n: self.cols)
  }

  /// The singular values only, descending (cheaper than `svd()`: no vectors are accumulated).
  public func singularValues() -> [Double] {
    if rows < cols { return transposed.singularValues() }
    if rows > cols { return qr().r.singularValues() }
    return jacobiColumns(wantVectors: false).sigma.sorted(by: >)
  }

  /// One-sided Jacobi on the columns of a square or tall matrix. Returns the rotated columns (as rows of
  /// an n×m buffer, so each column is contiguous), their norms, and Vᵀ's rows (when asked for).
  private func jacobiColumns(wantVectors: Bool) -> (columns: [Double], sigma: [Double], vt: [Double]) {
    let (m, n) = (rows, cols)
    var w = transposed.values  // row p of w = column p of A
    var vt = wantVectors ? DenseMatrix.identity(n).values : []
    let eps = Double.ulpOfOne
    w.withUnsafeMutableBufferPointer { pw in
      vt.withUnsafeMutableBufferPointer { pv in
        var norms = [Double](repeating: 0, count: n)
        for _ in 0..<80 {
          var rotated = false
          // Squared column norms are refreshed each sweep and updated in O(1) per rotation in between
          // (α' = α − t·γ, β' = β + t·γ), which saves two of the three dot products per pair.
          for p in 0..<n {
            var a = 0.0
            for i in 0..<m { a += pw[p * m + i] * pw[p * m + i] }
            norms[p] = a
          }
          for p in 0..<n {
            for q in (p + 1)..<n {
              let alpha = norms[p], beta = norms[q]
              var gamma = 0.0
              for i in 0..<m { gamma += pw[p * m + i] * pw[q * m + i] }
              if alpha == 0 || beta == 0 || abs(gamma) <= eps * (alpha * beta).squareRoot() { continue }
              rotated = true
              let zeta = (beta - alpha) / (2 * gamma)
              let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
              let c = 1 / (1 + t * t).squareRoot()
              let s = c * t
              norms[p] = Swift.max(alpha - t * gamma, 0)
              norms[q] = beta + t * gamma
              for i in 0..<m {
                let x = pw[p * m + i], y = pw[q * m + i]
                pw[p * m + i] = c * x - s * y
                pw[q * m + i] = s * x + c * y
              }
              if wantVectors {
                for i in 0..<n {
                  let x = pv[p * n + i], y = pv[q * n + i]
                  pv[p * n + i] = c * x - s * y
                  pv[q * n + i] = s * x + c * y
                }
              }
            }
          }
          if !rotated { break }
        }
      }
    }
    let sigma = (0..<n).map { euclideanNorm(Array(w[($0 * m)..<(($0 + 1) * m)])) }
    return (w, sigma, vt)
  }

  /// Sorts the Jacobi result descending and forms U, re-orthogonalising (and completing) the columns that
  /// belong to tiny or zero singular values.
  private static func assemble(
    columns w: [Double], sigma: [Double], vt: [Double], m: Int, n: Int
  )
    -> SingularValueDecomposition
  {
    let order = (0..<n).sorted { sigma[$0] > sigma[$1] || (sigma[$0] == sigma[$1] && $0 < $1) }
    let s = order.map { sigma[$0] }
    var vtOut = DenseMatrix(zeros: n, n)
    for (dst, src) in order.enumerated() {
      for j in 0..<n { vtOut[dst, j] = vt[src * n + j] }
    }
    var basis: [[Double]] = []
    var nextUnit = 0
    for (idx, src) in order.enumerated() {
      var col: [Double]
      if s[idx] > 0 {
        col = Array(w[(src * m)..<((src + 1) * m)]).map { $0 / s[idx] }
      } else {
        col = [Double](repeating: 0, count: m)
      }
      orthogonalise(&col, against: basis)
      // A zero (or numerically zero) singular value leaves no direction: take the next unit vector that
      // is independent of the columns so far.
      while euclideanNorm(col) < 0.5, nextUnit < m {
        col = [Double](repeating: 0, count: m)
        col[nextUnit] = 1
        nextUnit += 1
        orthogonalise(&col, against: basis)
      }
      let norm = euclideanNorm(col)
      basis.append(col.map { $0 / norm })
    }
    var u = DenseMatrix(zeros: m, n)
    for (j, col) in basis.enumerated() {
      for i in 0..<m { u[i, j] = col[i] }
    }
    return SingularValueDecomposition(u: u, s: s, vt: vtOut)
  }
}

/// Removes from `x` its components along the orthonormal `basis` vectors (modified Gram–Schmidt, twice:
/// "twice is enough", Parlett).
func orthogonalise(_ x: inout [Double], against basis: [[Double]]) {
  for _ in 0..<2 {
    for b in basis {
      let d = dot(x, b)
      for i in 0..<x.count { x[i] -= d * b[i] }
    }
  }
}
