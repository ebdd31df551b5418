/// Matrix–vector products: C with one column (`n == 1`, a dense layer with one output unit) or one row
/// (`m == 1`, that layer's weight gradient). The tiled kernel would compute a whole 6×16 tile per useful
/// column or row; these loops compute only what is asked, in a fixed order per element (a dot product in
/// eight lanes then a fixed horizontal sum, or one multiply-add chain per lane), so a thread's range never
/// changes an element's bits.
///
/// Also the few-column products of a transposed A (`n ≤ 4`, one k block: the weight gradient of a layer with
/// two or three inputs, `dW = dYᵀX`), with the rows of C in the lanes. The tiles would fill 2 of 16 columns;
/// here every element is the same chain the tiles compute (one fused multiply-add per step over its only k
/// block, from zero, then `alpha·acc + beta·c`), so the bits are the tiles' bits.
extension Gemm {
  /// Columns up to which a transposed A's product runs with rows in the lanes.
  static let fewColumns = 4

  /// Handles `p` when it is a matrix–vector product that fits the scratch buffers, or a few-column product of
  /// a transposed A; false otherwise.
  static func computeVector(_ p: Problem, rows: Range<Int>, cols: Range<Int>, scratch: Scratch) -> Bool {
    if p.transA && p.n > 1 && p.n <= fewColumns && p.m > 1 && p.k <= kc {
      fewColumnsTransposedA(p, rows: rows, cols: cols)
      return true
    }
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
          let acc = rowLanes(p.a, lda: p.lda, k: p.k, i: i, end: rows.upperBound) { x[$0] }
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
          let acc = rowLanes(p.b, lda: p.ldb, k: p.k, i: j, end: cols.upperBound) { y[$0] }
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
    // Whole vectors unchecked, then the zero-padded tail: the same operations as padding every load.
    while q + 8 <= k {
      acc.addProduct(load(u + q), load(v + q))
      q += 8
    }
    if q < k { acc.addProduct(Lanes.load(u, q, k), Lanes.load(v, q, k)) }
    return RowKernels.horizontalSum(acc)
  }

  /// `Σ_q a[q·lda + i ..< i+8] · s(q)` over `q < k`, one chain per lane from zero; lanes at or past `end` read
  /// zeros (and are not written by the callers).
  @inline(__always)
  static func rowLanes(
    _ a: UnsafePointer<Float>, lda: Int, k: Int, i: Int, end: Int, _ s: (Int) -> Float
  ) -> V8 {
    var acc = V8()
    if i + 8 <= end {
      for q in 0..<k { acc.addProduct(load(a + q * lda + i), V8(repeating: s(q))) }
    } else {
      for q in 0..<k { acc.addProduct(Lanes.load(a + q * lda, i, end), V8(repeating: s(q))) }
    }
    return acc
  }

  /// `C[rows, cols] = alpha · op(A) · op(B) + beta · C` for a transposed A (`op(A)[i, q] = a[q·lda + i]`), at most
  /// `fewColumns` columns and one k block: eight rows of a column per chain.
  static func fewColumnsTransposedA(_ p: Problem, rows: Range<Int>, cols: Range<Int>) {
    for j in cols {
      var i = rows.lowerBound
      while i < rows.upperBound {
        let acc =
          p.transB
          ? rowLanes(p.a, lda: p.lda, k: p.k, i: i, end: rows.upperBound) { p.b[j * p.ldb + $0] }
          : rowLanes(p.a, lda: p.lda, k: p.k, i: i, end: rows.upperBound) { p.b[$0 * p.ldb + j] }
        for l in 0..<min(8, rows.upperBound - i) { write(acc[l], p, p.c + (i + l) * p.ldc + j) }
        i += 8
      }
    }
  }

  /// `c = alpha·s + beta·c`, never reading `c` when `beta == 0`.
  @inline(__always)
  static func write(_ s: Float, _ p: Problem, _ c: UnsafeMutablePointer<Float>) {
    let scaled = p.alpha == 1 ? s : p.alpha * s
    c.pointee = p.beta == 0 ? scaled : (p.beta == 1 ? c.pointee + scaled : p.beta * c.pointee + scaled)
  }
}
