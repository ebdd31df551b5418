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
        laneBlocks(p.a, lda: p.lda, k: p.k, range: rows, { x[$0] }) { i, v in write(v, p, p.c + i * p.ldc) }
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
        laneBlocks(p.b, lda: p.ldb, k: p.k, range: cols, { y[$0] }) { j, v in write(v, p, p.c + j) }
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

  /// `Σ_q a[q·lda + i ..< i+32] · s(q)` as four vectors of eight lanes, each lane its own chain over q from zero
  /// (`rowLanes` for four neighbouring blocks at once: four independent chains keep the multiply-add unit busy,
  /// where one chain waits out each multiply-add's latency). Needs `i + 32 ≤` the end of the range.
  @inline(__always)
  static func rowLanes4(
    _ a: UnsafePointer<Float>, lda: Int, k: Int, i: Int, _ s: (Int) -> Float
  ) -> (V8, V8, V8, V8) {
    var acc0 = V8(), acc1 = V8(), acc2 = V8(), acc3 = V8()
    var row = a + i
    for q in 0..<k {
      let sq = V8(repeating: s(q))
      acc0.addProduct(load(row), sq)
      acc1.addProduct(load(row + 8), sq)
      acc2.addProduct(load(row + 16), sq)
      acc3.addProduct(load(row + 24), sq)
      row += lda
    }
    return (acc0, acc1, acc2, acc3)
  }

  /// Calls `body(index, value)` for every index of `range`, `value` being `Σ_q a[q·lda + index] · s(q)` (one chain
  /// per index, in q order from zero): thirty-two indices at a time, then eight at a time (`rowLanes`). Which block
  /// an index falls in never changes its chain, so the bits do not depend on the range's bounds.
  @inline(__always)
  static func laneBlocks(
    _ a: UnsafePointer<Float>, lda: Int, k: Int, range: Range<Int>, _ s: (Int) -> Float,
    _ body: (Int, Float) -> Void
  ) {
    var i = range.lowerBound
    while i + 32 <= range.upperBound {
      let acc = rowLanes4(a, lda: lda, k: k, i: i, s)
      for l in 0..<8 { body(i + l, acc.0[l]) }
      for l in 0..<8 { body(i + 8 + l, acc.1[l]) }
      for l in 0..<8 { body(i + 16 + l, acc.2[l]) }
      for l in 0..<8 { body(i + 24 + l, acc.3[l]) }
      i += 32
    }
    while i < range.upperBound {
      let acc = rowLanes(a, lda: lda, k: k, i: i, end: range.upperBound, s)
      for l in 0..<min(8, range.upperBound - i) { body(i + l, acc[l]) }
      i += 8
    }
  }

  /// `C[rows, cols] = alpha · op(A) · op(B) + beta · C` for a transposed A (`op(A)[i, q] = a[q·lda + i]`), at most
  /// `fewColumns` columns and one k block: eight rows of a column per chain.
  static func fewColumnsTransposedA(_ p: Problem, rows: Range<Int>, cols: Range<Int>) {
    for j in cols {
      if p.transB {
        laneBlocks(p.a, lda: p.lda, k: p.k, range: rows, { p.b[j * p.ldb + $0] }) { i, v in
          write(v, p, p.c + i * p.ldc + j)
        }
      } else {
        laneBlocks(p.a, lda: p.lda, k: p.k, range: rows, { p.b[$0 * p.ldb + j] }) { i, v in
          write(v, p, p.c + i * p.ldc + j)
        }
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
