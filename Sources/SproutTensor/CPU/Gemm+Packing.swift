/// Packing copies a block of op(A) or op(B) into the panel layout the micro-kernel streams through, so the
/// kernel never sees a transpose or a stride:
///
///     A panel (6 rows × kb):  a[r0,p0] a[r1,p0] … a[r5,p0] | a[r0,p1] … | …
///     B panel (kb × 16):      b[p0,c0] … b[p0,c15] | b[p1,c0] … b[p1,c15] | …
///
/// Partial B panels are zero-padded (the kernel loads whole vectors of B); partial A panels hold only their
/// rows (the edge kernels read no others). Where the source runs across the panel (a row-major A, a
/// transposed B), eight steps at a time are loaded as vectors and transposed in registers.
extension Gemm {
  /// Packs rows `i0 ..< i0+mb`, columns `k0 ..< k0+kb` of op(A).
  static func packA(_ p: Problem, i0: Int, mb: Int, k0: Int, kb: Int, into dst: UnsafeMutablePointer<Float>) {
    var panel = 0
    while panel * mr < mb {
      let out = dst + panel * kb * mr
      let rows = min(mr, mb - panel * mr)
      let firstRow = i0 + panel * mr
      if p.transA {
        // op(A)[i, q] = a[q·lda + i]: the six rows of a step are contiguous in memory. A whole vector is
        // copied when it stays inside the row; its two extra floats are overwritten by the next step.
        let src = p.a + k0 * p.lda + firstRow
        if rows == mr && firstRow + 8 <= p.m {
          for q in 0..<kb {
            let v = UnsafeRawPointer(src + q * p.lda).loadUnaligned(as: V8.self)
            UnsafeMutableRawPointer(out + q * mr).storeBytes(of: v, as: V8.self)
          }
        } else {
          for q in 0..<kb {
            let s = src + q * p.lda
            let o = out + q * mr
            for r in 0..<rows { o[r] = s[r] }
          }
        }
      } else {
        // op(A)[i, q] = a[i·lda + q]: eight steps of the panel's rows as vectors, transposed.
        let src = p.a + firstRow * p.lda + k0
        var q = 0
        if rows == mr {
          let lda = p.lda
          while q + 8 <= kb {
            let s = src + q
            let t = transpose(
              load(s), load(s + lda), load(s + 2 * lda), load(s + 3 * lda), load(s + 4 * lda), load(s + 5 * lda),
              V8(), V8())
            // Each step is six floats; a vector store writes two more, which the next store overwrites.
            let o = UnsafeMutableRawPointer(out + q * mr)
            o.storeBytes(of: t.0, toByteOffset: 0, as: V8.self)
            o.storeBytes(of: t.1, toByteOffset: 24, as: V8.self)
            o.storeBytes(of: t.2, toByteOffset: 48, as: V8.self)
            o.storeBytes(of: t.3, toByteOffset: 72, as: V8.self)
            o.storeBytes(of: t.4, toByteOffset: 96, as: V8.self)
            o.storeBytes(of: t.5, toByteOffset: 120, as: V8.self)
            o.storeBytes(of: t.6, toByteOffset: 144, as: V8.self)
            o.storeBytes(of: t.7, toByteOffset: 168, as: V8.self)
            q += 8
          }
        }
        while q < kb {
          let o = out + q * mr
          for r in 0..<rows { o[r] = src[r * p.lda + q] }
          q += 1
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
        // op(B)[q, j] = b[q·ldb + j]: sixteen contiguous floats per step of the panel.
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
        // op(B)[q, j] = b[j·ldb + q]: eight steps of sixteen rows of b as vectors, transposed in two halves.
        let src = p.b + firstCol * p.ldb + k0
        let ldb = p.ldb
        var q = 0
        if cols == nr && kb >= 8 {
          // Each half (eight rows of b) in blocks of eight steps, the next block's rows loaded before this block is
          // transposed: the shuffles then work on values carried around the loop, which the code generator keeps
          // as vector shuffles (on vectors it can see were just loaded it splits the transpose into about a
          // hundred scalar loads, broadcasts and blends per block).
          for half in 0..<2 {
            var s = src + half * 8 * ldb
            var r0 = load(s), r1 = load(s + ldb), r2 = load(s + 2 * ldb), r3 = load(s + 3 * ldb)
            var r4 = load(s + 4 * ldb), r5 = load(s + 5 * ldb), r6 = load(s + 6 * ldb), r7 = load(s + 7 * ldb)
            var qh = 0
            while qh + 8 <= kb {
              let t = transpose(r0, r1, r2, r3, r4, r5, r6, r7)
              if qh + 16 <= kb {
                s += 8
                r0 = load(s)
                r1 = load(s + ldb)
                r2 = load(s + 2 * ldb)
                r3 = load(s + 3 * ldb)
                r4 = load(s + 4 * ldb)
                r5 = load(s + 5 * ldb)
                r6 = load(s + 6 * ldb)
                r7 = load(s + 7 * ldb)
              }
              let o = UnsafeMutableRawPointer(out + qh * nr + half * 8)
              o.storeBytes(of: t.0, toByteOffset: 0, as: V8.self)
              o.storeBytes(of: t.1, toByteOffset: 64, as: V8.self)
              o.storeBytes(of: t.2, toByteOffset: 128, as: V8.self)
              o.storeBytes(of: t.3, toByteOffset: 192, as: V8.self)
              o.storeBytes(of: t.4, toByteOffset: 256, as: V8.self)
              o.storeBytes(of: t.5, toByteOffset: 320, as: V8.self)
              o.storeBytes(of: t.6, toByteOffset: 384, as: V8.self)
              o.storeBytes(of: t.7, toByteOffset: 448, as: V8.self)
              qh += 8
            }
            q = qh
          }
        }
        while q < kb {
          let o = out + q * nr
          let s = src + q
          for c in 0..<cols { o[c] = s[c * ldb] }
          for c in cols..<nr { o[c] = 0 }
          q += 1
        }
      }
      panel += 1
    }
  }

  /// Packs rows `k0 ..< k0+kb`, columns `j0 ..< j0+nb` of a row-major op(B) (not transposed) into the same panels
  /// as `packB`, walking each source row once across all the panels (contiguous reads) instead of panel by panel.
  static func packBRows(_ p: Problem, k0: Int, kb: Int, j0: Int, nb: Int, into dst: UnsafeMutablePointer<Float>) {
    let whole = nb / nr
    let tail = nb - whole * nr
    let panelSize = kb * nr
    for q in 0..<kb {
      let src = p.b + (k0 + q) * p.ldb + j0
      var out = dst + q * nr
      for panel in 0..<whole {
        let s = UnsafeRawPointer(src + panel * nr)
        let o = UnsafeMutableRawPointer(out)
        o.storeBytes(of: s.loadUnaligned(as: V8.self), as: V8.self)
        o.storeBytes(of: s.loadUnaligned(fromByteOffset: 32, as: V8.self), toByteOffset: 32, as: V8.self)
        out += panelSize
      }
      if tail > 0 {
        let s = src + whole * nr
        for c in 0..<tail { out[c] = s[c] }
        for c in tail..<nr { out[c] = 0 }
      }
    }
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }

  /// The 8×8 transpose of rows `r0 … r7`: result `t` has `t.j[i] = r_i[j]`. Written as lane selections,
  /// which LLVM lowers to unpack, shuffle and 128-bit permute instructions.
  @inline(__always)
  static func transpose(
    _ r0: V8, _ r1: V8, _ r2: V8, _ r3: V8, _ r4: V8, _ r5: V8, _ r6: V8, _ r7: V8
  ) -> (V8, V8, V8, V8, V8, V8, V8, V8) {
    // Interleave pairs of rows (unpacklo/unpackhi within each 128-bit half).
    let t0 = V8(r0[0], r1[0], r0[1], r1[1], r0[4], r1[4], r0[5], r1[5])
    let t1 = V8(r0[2], r1[2], r0[3], r1[3], r0[6], r1[6], r0[7], r1[7])
    let t2 = V8(r2[0], r3[0], r2[1], r3[1], r2[4], r3[4], r2[5], r3[5])
    let t3 = V8(r2[2], r3[2], r2[3], r3[3], r2[6], r3[6], r2[7], r3[7])
    let t4 = V8(r4[0], r5[0], r4[1], r5[1], r4[4], r5[4], r4[5], r5[5])
    let t5 = V8(r4[2], r5[2], r4[3], r5[3], r4[6], r5[6], r4[7], r5[7])
    let t6 = V8(r6[0], r7[0], r6[1], r7[1], r6[4], r7[4], r6[5], r7[5])
    let t7 = V8(r6[2], r7[2], r6[3], r7[3], r6[6], r7[6], r6[7], r7[7])
    // Interleave pairs of pairs (shufps within each 128-bit half).
    let s0 = V8(t0[0], t0[1], t2[0], t2[1], t0[4], t0[5], t2[4], t2[5])
    let s1 = V8(t0[2], t0[3], t2[2], t2[3], t0[6], t0[7], t2[6], t2[7])
    let s2 = V8(t1[0], t1[1], t3[0], t3[1], t1[4], t1[5], t3[4], t3[5])
    let s3 = V8(t1[2], t1[3], t3[2], t3[3], t1[6], t1[7], t3[6], t3[7])
    let s4 = V8(t4[0], t4[1], t6[0], t6[1], t4[4], t4[5], t6[4], t6[5])
    let s5 = V8(t4[2], t4[3], t6[2], t6[3], t4[6], t4[7], t6[6], t6[7])
    let s6 = V8(t5[0], t5[1], t7[0], t7[1], t5[4], t5[5], t7[4], t7[5])
    let s7 = V8(t5[2], t5[3], t7[2], t7[3], t5[6], t5[7], t7[6], t7[7])
    // Join the 128-bit halves.
    return (
      V8(lowHalf: s0.lowHalf, highHalf: s4.lowHalf), V8(lowHalf: s1.lowHalf, highHalf: s5.lowHalf),
      V8(lowHalf: s2.lowHalf, highHalf: s6.lowHalf), V8(lowHalf: s3.lowHalf, highHalf: s7.lowHalf),
      V8(lowHalf: s0.highHalf, highHalf: s4.highHalf), V8(lowHalf: s1.highHalf, highHalf: s5.highHalf),
      V8(lowHalf: s2.highHalf, highHalf: s6.highHalf), V8(lowHalf: s3.highHalf, highHalf: s7.highHalf)
    )
  }
}
