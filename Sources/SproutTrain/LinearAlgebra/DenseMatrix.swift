/// A small dense float64 matrix, row-major, for the numerics around training: decompositions used by
/// initializers (orthogonal, low-rank, PiSSA) and by metrics (effective rank, stable rank, kernel alignment).
///
/// This is not a training kernel: it favours accuracy (float64, Householder, Jacobi) over speed and is meant
/// for matrices up to a few hundred rows and columns. Element `(i, j)` lives at `values[i * cols + j]`.
public struct DenseMatrix: Sendable, Hashable {
  /// Number of rows.
  public let rows: Int
  /// Number of columns.
  public let cols: Int
  /// The elements, row-major: `values[i * cols + j]` is row `i`, column `j`.
  public var values: [Double]

  /// A matrix over existing row-major values; `values.count` must be `rows · cols`.
  public init(rows: Int, cols: Int, values: [Double]) {
    precondition(rows >= 0 && cols >= 0, "negative matrix dimension \(rows)×\(cols)")
    precondition(values.count == rows * cols, "\(values.count) values for a \(rows)×\(cols) matrix")
    self.rows = rows
    self.cols = cols
    self.values = values
  }

  /// A zero matrix.
  public init(zeros rows: Int, _ cols: Int) {
    self.init(rows: rows, cols: cols, values: [Double](repeating: 0, count: rows * cols))
  }

  /// A matrix from float32 values (a weight tensor's storage), widened to float64.
  public init(rows: Int, cols: Int, floats: [Float]) {
    self.init(rows: rows, cols: cols, values: floats.map(Double.init))
  }

  /// The `n`×`n` identity.
  public static func identity(_ n: Int) -> DenseMatrix {
    var m = DenseMatrix(zeros: n, n)
    for i in 0..<n { m.values[i * n + i] = 1 }
    return m
  }

  /// A diagonal `rows`×`cols` matrix with `diagonal` on its main diagonal (extra entries must not exist).
  public static func diagonal(_ diagonal: [Double], rows: Int, cols: Int) -> DenseMatrix {
    precondition(diagonal.count <= min(rows, cols), "diagonal longer than min(rows, cols)")
    var m = DenseMatrix(zeros: rows, cols)
    for (i, d) in diagonal.enumerated() { m.values[i * cols + i] = d }
    return m
  }

  /// Element at row `i`, column `j`.
  public subscript(i: Int, j: Int) -> Double {
    get { values[i * cols + j] }
    set { values[i * cols + j] = newValue }
  }

  /// Row `i` as an array.
  public func row(_ i: Int) -> [Double] { Array(values[(i * cols)..<((i + 1) * cols)]) }

  /// Column `j` as an array.
  public func column(_ j: Int) -> [Double] { (0..<rows).map { values[$0 * cols + j] } }

  /// The main diagonal (`min(rows, cols)` entries).
  public var diagonal: [Double] { (0..<min(rows, cols)).map { values[$0 * cols + $0] } }

  /// The transpose.
  public var transposed: DenseMatrix {
    var t = DenseMatrix(zeros: cols, rows)
    for i in 0..<rows {
      for j in 0..<cols { t.values[j * rows + i] = values[i * cols + j] }
    }
    return t
  }

  /// Frobenius norm `‖A‖_F = √(Σ a_ij²)`, scaled to avoid overflow and underflow.
  public var frobeniusNorm: Double { euclideanNorm(values) }

  /// The values narrowed to float32 (to write into a weight tensor).
  public var floats: [Float] { values.map(Float.init) }

  /// The sub-matrix of the given row and column ranges.
  public func slice(rows r: Range<Int>, cols c: Range<Int>) -> DenseMatrix {
    var out = DenseMatrix(zeros: r.count, c.count)
    for (oi, i) in r.enumerated() {
      for (oj, j) in c.enumerated() { out.values[oi * c.count + oj] = values[i * cols + j] }
    }
    return out
  }

  /// `A · B`; `A.cols` must equal `B.rows`.
  public static func * (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
    precondition(a.cols == b.rows, "cannot multiply \(a.rows)×\(a.cols) by \(b.rows)×\(b.cols)")
    var c = DenseMatrix(zeros: a.rows, b.cols)
    let (m, n, k) = (a.rows, b.cols, a.cols)
    a.values.withUnsafeBufferPointer { pa in
      b.values.withUnsafeBufferPointer { pb in
        c.values.withUnsafeMutableBufferPointer { pc in
          // i-k-j order: the inner loop walks rows of B and C contiguously.
          for i in 0..<m {
            for p in 0..<k {
              let aip = pa[i * k + p]
              if aip == 0 { continue }
              for j in 0..<n { pc[i * n + j] += aip * pb[p * n + j] }
            }
          }
        }
      }
    }
    return c
  }

  /// `A + B` (same shape).
  public static func + (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
    precondition(a.rows == b.rows && a.cols == b.cols, "shape mismatch in +")
    return DenseMatrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map { $0 + $1 })
  }

  /// `A − B` (same shape).
  public static func - (a: DenseMatrix, b: DenseMatrix) -> DenseMatrix {
    precondition(a.rows == b.rows && a.cols == b.cols, "shape mismatch in -")
    return DenseMatrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map { $0 - $1 })
  }

  /// `s · A`.
  public static func * (s: Double, a: DenseMatrix) -> DenseMatrix {
    DenseMatrix(rows: a.rows, cols: a.cols, values: a.values.map { s * $0 })
  }

  /// `Aᵀ · A` (cols×cols, symmetric).
  public var gram: DenseMatrix { transposed * self }

  /// `A · Aᵀ` (rows×rows, symmetric).
  public var outerGram: DenseMatrix { self * transposed }

  /// Largest absolute difference from `other` (same shape); for tests and tolerances.
  public func maxAbsDifference(_ other: DenseMatrix) -> Double {
    precondition(rows == other.rows && cols == other.cols, "shape mismatch")
    return zip(values, other.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }
}

/// Euclidean norm of a vector, scaled (as LAPACK's `dnrm2`) so that huge or tiny entries do not overflow
/// or underflow the sum of squares.
public func euclideanNorm(_ x: [Double]) -> Double {
  var scale = 0.0
  for v in x { scale = max(scale, abs(v)) }
  if scale == 0 || !scale.isFinite { return scale }
  var sum = 0.0
  for v in x {
    let r = v / scale
    sum += r * r
  }
  return scale * sum.squareRoot()
}

/// Dot product `Σ x_i y_i` of two equal-length vectors.
public func dot(_ x: [Double], _ y: [Double]) -> Double {
  precondition(x.count == y.count, "dot of lengths \(x.count) and \(y.count)")
  var s = 0.0
  for i in 0..<x.count { s += x[i] * y[i] }
  return s
}
