/// Eigen-decomposition `A = V · diag(λ) · Vᵀ` of a real symmetric matrix.
public struct SymmetricEigenDecomposition: Sendable {
  /// Eigenvalues, descending.
  public let values: [Double]
  /// n×n orthogonal matrix whose column j is the eigenvector of `values[j]`.
  public let vectors: DenseMatrix
}

extension DenseMatrix {
  /// Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
  /// Alg. 8.5.3; rotation formulas as in Numerical Recipes `jacobi`). Only the symmetric part
  /// `(A + Aᵀ)/2` is used, so a matrix that is symmetric up to rounding is fine.
  /// - Complexity: O(sweeps · n³), typically 6–10 sweeps.
  public func symmetricEigen() -> SymmetricEigenDecomposition {
    precondition(rows == cols, "symmetricEigen needs a square matrix, got \(rows)×\(cols)")
    let n = rows
    var a = DenseMatrix(zeros: n, n).values
    for i in 0..<n {
      for j in 0..<n { a[i * n + j] = 0.5 * (values[i * n + j] + values[j * n + i]) }
    }
    var v = DenseMatrix.identity(n).values
    let total = a.reduce(0) { $0 + $1 * $1 }
    a.withUnsafeMutableBufferPointer { pa in
      v.withUnsafeMutableBufferPointer { pv in
        for _ in 0..<100 {
          var off = 0.0
          for i in 0..<n {
            for j in 0..<n where j != i { off += pa[i * n + j] * pa[i * n + j] }
          }
          if off <= Double.ulpOfOne * Double.ulpOfOne * total || off == 0 { break }
          for p in 0..<n {
            for q in (p + 1)..<n {
              let apq = pa[p * n + q]
              if apq == 0 { continue }
              let theta = (pa[q * n + q] - pa[p * n + p]) / (2 * apq)
              let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
              let c = 1 / (t * t + 1).squareRoot()
              let s = t * c
              // A ← Pᵀ·A·P with P the rotation in the (p, q) plane; V ← V·P.
              for k in 0..<n {
                let x = pa[k * n + p], y = pa[k * n + q]
                pa[k * n + p] = c * x - s * y
                pa[k * n + q] = s * x + c * y
              }
              for k in 0..<n {
                let x = pa[p * n + k], y = pa[q * n + k]
                pa[p * n + k] = c * x - s * y
                pa[q * n + k] = s * x + c * y
              }
              pa[p * n + q] = 0
              pa[q * n + p] = 0
              for k in 0..<n {
                let x = pv[k * n + p], y = pv[k * n + q]
                pv[k * n + p] = c * x - s * y
                pv[k * n + q] = s * x + c * y
              }
            }
          }
        }
      }
    }
    let order = (0..<n).sorted { a[$0 * n + $0] > a[$1 * n + $1] || (a[$0 * n + $0] == a[$1 * n + $1] && $0 < $1) }
    var vectors = DenseMatrix(zeros: n, n)
    for (dst, src) in order.enumerated() {
      for k in 0..<n { vectors[k, dst] = v[k * n + src] }
    }
    return SymmetricEigenDecomposition(values: order.map { a[$0 * n + $0] }, vectors: vectors)
  }
}
