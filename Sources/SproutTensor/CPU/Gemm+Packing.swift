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
      } else if rows == mr {
        // op(A)[i, q] = a[i·lda + q]: six row streams read in step, the panel written in order.
        let src = p.a + firstRow * p.lda + k0
        let lda = p.lda
        for q in 0..<kb {
          let o = out + q * mr
          let s = src + q
          o[0] = s[0]
          o[1] = s[lda]
          o[2] = s[2 * lda]
          o[3] = s[3 * lda]
          o[4] = s[4 * lda]
          o[5] = s[5 * lda]
        }
      } else {
        for q in 0..<kb {
          let o = out + q * mr
          for r in 0..<rows { o[r] = p.a[(firstRow + r) * p.lda + k0 + q] }
          for r in rows..<mr { o[r] = 0 }
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
        // op(B)[q, j] = b[j·ldb + q]: sixteen row streams of b read in step, the panel written in order.
        let src = p.b + firstCol * p.ldb + k0
        let ldb = p.ldb
        if cols == nr {
          for q in 0..<kb {
            let o = out + q * nr
            let s = src + q
            for c in 0..<nr { o[c] = s[c * ldb] }
          }
        } else {
          for q in 0..<kb {
            let o = out + q * nr
            let s = src + q
            for c in 0..<cols { o[c] = s[c * ldb] }
            for c in cols..<nr { o[c] = 0 }
          }
        }
      }
      panel += 1
    }
  }
}
