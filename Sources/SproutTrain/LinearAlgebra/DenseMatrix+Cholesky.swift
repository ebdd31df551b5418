/// Why a Cholesky factorisation failed.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The matrix is not (numerically) symmetric positive definite: the pivot at `index` was `pivot` ≤ 0.
  case notPositiveDefinite(index: Int, pivot: Double)
  /// The shapes do not fit the operation.
  case shapeMismatch(String)

  /// A readable message.
  public var description: String {
    switch self {
    case .notPositiveDefinite(let index, let pivot):
      return "matrix is not positive definite (pivot \(index) is \(pivot)); add a ridge term λ·I"
    case .shapeMismatch(let what): return "shape mismatch: \(what)"
    }
  }
}

extension DenseMatrix {
  /// The lower-triangular Cholesky factor L with `A = L · Lᵀ` of a symmetric positive definite matrix
  /// (only the lower triangle of A is read).
  /// - Throws: `LinearAlgebraError.notPositiveDefinite` naming the failing pivot.
  /// - Complexity: O(n³/3).
  public func cholesky() throws -> DenseMatrix {
    guard rows == cols else { throw LinearAlgebraError.shapeMismatch("cholesky of a \(rows)×\(cols) matrix") }
    let n = rows
    var l = DenseMatrix(zeros: n, n)
    for j in 0..<n {
      var d = self[j, j]
      for k in 0..<j { d -= l[j, k] * l[j, k] }
      guard d > 0, d.isFinite else { throw LinearAlgebraError.notPositiveDefinite(index: j, pivot: d) }
      let ljj = d.squareRoot()
      l[j, j] = ljj
      for i in (j + 1)..<n {
        var s = self[i, j]
        for k in 0..<j { s -= l[i, k] * l[j, k] }
        l[i, j] = s / ljj
      }
    }
    return l
  }

  /// Solves `A · X = B` for a symmetric positive definite A (n×n) and right-hand sides B (n×r), by
  /// Cholesky factorisation and two triangular solves.
  public func choleskySolve(_ b: DenseMatrix) throws -> DenseMatrix {
    guard b.rows == rows else {
      throw LinearAlgebraError.shapeMismatch("right-hand side has \(b.rows) rows, matrix has \(rows)")
    }
    let l = try cholesky()
    let n = rows
    var x = b
    for c in 0..<b.cols {
      for i in 0..<n {  // L·y = b
        var s = x[i, c]
        for k in 0..<i { s -= l[i, k] * x[k, c] }
        x[i, c] = s / l[i, i]
      }
      for i in stride(from: n - 1, through: 0, by: -1) {  // Lᵀ·x = y
        var s = x[i, c]
        for k in (i + 1)..<n { s -= l[k, i] * x[k, c] }
        x[i, c] = s / l[i, i]
      }
    }
    return x
  }
}
