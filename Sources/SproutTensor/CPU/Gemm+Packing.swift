/// Packing copies a block of op(A) or op(B) into the panel layout the micro-kernel streams through, zero-
/// padding partial panels, so the kernel never sees a transpose, a stride or an edge.
///
///     A panel (6 rows × kb):  a[r0,p0] a[r1,p0] … a[r5,p0] | a[r0,p1] … | …
///     B panel (kb × 16):      b[p0,c0] … b[p0,c15] | b[p1,c0] … b[p1,c15] | …
extension Gemm {
  /// Packs rows `i0 ..< i0+mb`, columns `k0 ..< k0+kb` of op(A).
  static func packA(_ p: Problem, i0: Int, mb: Int, k0: Int, kb: Int, into dst: UnsafeMutablePointer<Float>) {
    var panel = 0
    while panel * mr < mb {
      let out = dst + panel * kb * mr
      let rows = min(mr, mb - panel * mr)
      let firstRow = i0 + panel * mr
      if p.transA {
        // op(A)[i, q] = a[q·lda + i]: the six rows of a panel are contiguous in memory.
        for q in 0..<kb {
          let src = p.a + (k0 + q) * p.lda + firstRow
          let o = out + q * mr
          for r in 0..<rows { o[r] = src[r] }
          for r in rows..<mr { o[r] = 0 }
        }
      } else {
        for r in 0..<rows {
          let src = p.a + (firstRow + r) * p.lda + k0
          var q = 0
          while q < kb {
            out[q * mr + r] = src[q]
            q += 1
          }
        }
        if rows < mr {
          for q in 0..<kb { for r in rows..<mr { out[q * mr + r] = 0 } }
        }
      }
      panel += 1
    }
  }

  /// Packs rows `k0 ..< k0+kb`, columns `j0 ..< j0+nb` of op(B).
  static func packB(_ p: Problem, k0: Int, kb: Int, j0: Int, nb: Int, into dst: UnsafeMutablePointer<Float>) {
    var panel = 0
    while panel * nr < nb {
      let out = dst + panel * kb * nr
      let cols = min(nr, nb - panel * nr)
      let firstCol = j0 + panel * nr
      if !p.transB {
        // op(B)[q, j] = b[q·ldb + j]: sixteen contiguous floats per row of the panel.
        if cols == nr {
          for q in 0..<kb {
            let src = UnsafeRawPointer(p.b + (k0 + q) * p.ldb + firstCol)
            let o = UnsafeMutableRawPointer(out + q * nr)
            o.storeBytes(of: src.loadUnaligned(as: V8.self), as: V8.self)
            o.storeBytes(of: src.loadUnaligned(fromByteOffset: 32, as: V8.self), toByteOffset: 32, as: V8.self)
          }
        } else {
          for q in 0..<kb {
            let src = p.b + (k0 + q) * p.ldb + firstCol
            let o = out + q * nr
            for c in 0..<cols { o[c] = src[c] }
            for c in cols..<nr { o[c] = 0 }
          }
        }
      } else {
        // op(B)[q, j] = b[j·ldb + q]: each column of the panel is a contiguous row of b.
        for c in 0..<cols {
          let src = p.b + (firstCol + c) * p.ldb + k0
          for q in 0..<kb { out[q * nr + c] = src[q] }
        }
        if cols < nr {
          for q in 0..<kb { for c in cols..<nr { out[q * nr + c] = 0 } }
        }
      }
      panel += 1
    }
  }
}
