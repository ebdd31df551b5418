/// Matrix–vector products: C with one column (`n == 1`, a dense layer with one output unit) or one row
/// (`m == 1`, that layer's weight gradient). The tiled kernel would compute a whole 6×16 tile per useful
/// column or row; these loops compute only what is asked, in a fixed order per element (a dot product in
/// eight lanes then a fixed horizontal sum, or one multiply-add chain per lane), so a thread's range never
/// changes an element's bits.
extension Gemm {
  /// Handles `p` when it is a matrix–vector product that fits the scratch buffers; false otherwise.
  static func computeVector(_ p: Problem, rows: Range<Int>, cols: Range<Int>, scratch: Scratch) -> Bool {
    if p.n == 1 {
      guard p.k <= kc * nc else { return false }
      // x[q] = op(B)[q, 0]: contiguous when B is transposed, else gathered from a column.
      var x = p.b
      if !p.transB {
        for q in 0..<p.k { scratch.b[q] = p.b[q * p.ldb] }
        x = UnsafePointer(scratch.b)
      }
      if p.transA {
        // op(A)[i, q] = a[q·lda + i]: eight rows at a time, one chain over q per row.
        var i = rows.lowerBound
        while i < rows.upperBound {
          var acc = V8()
          for q in 0..<p.k { acc.addProduct(Lanes.load(p.a + q * p.lda, i, rows.upperBound), V8(repeating: x[q])) }
          for l in 0..<min(8, rows.upperBound - i) { write(acc[l], p, p.c + (i + l) * p.ldc) }
          i += 8
        }
      } else {
        for i in rows { write(dot(p.a + i * p.lda, x, p.k), p, p.c + i * p.ldc) }
      }
      return true
    }
    if p.m == 1 {
      guard p.k <= mc * kc else { return false }
      // y[q] = op(A)[0, q]: contiguous unless A is transposed.
      var y = p.a
      if p.transA {
        for q in 0..<p.k { scratch.a[q] = p.a[q * p.lda] }
        y = UnsafePointer(scratch.a)
      }
      if p.transB {
        for j in cols { write(dot(y, p.b + j * p.ldb, p.k), p, p.c + j) }
      } else {
        // op(B)[q, j] = b[q·ldb + j]: eight columns at a time, one chain over q per column.
        var j = cols.lowerBound
        while j < cols.upperBound {
          var acc = V8()
          for q in 0..<p.k { acc.addProduct(Lanes.load(p.b + q * p.ldb, j, cols.upperBound), V8(repeating: y[q])) }
          for l in 0..<min(8, cols.upperBound - j) { write(acc[l], p, p.c + j + l) }
          j += 8
        }
      }
      return true
    }
    return false
  }

  /// `Σ u[q]·v[q]` in eight lanes, then the lanes added in a fixed tree.
  @inline(__always)
  static func dot(_ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ k: Int) -> Float {
    var acc = V8()
    var q = 0
    while q < k {
      acc.addProduct(Lanes.load(u, q, k), Lanes.load(v, q, k))
      q += 8
    }
    return RowKernels.horizontalSum(acc)
  }

  /// `c = alpha·s + beta·c`, never reading `c` when `beta == 0`.
  @inline(__always)
  static func write(_ s: Float, _ p: Problem, _ c: UnsafeMutablePointer<Float>) {
    let scaled = p.alpha == 1 ? s : p.alpha * s
    c.pointee = p.beta == 0 ? scaled : (p.beta == 1 ? c.pointee + scaled : p.beta * c.pointee + scaled)
  }
}
