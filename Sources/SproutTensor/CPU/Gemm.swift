/// The cpu backend's matrix multiply: BLIS-style blocking with packed panels and a 6×16 register-blocked
/// micro-kernel.
///
///     for jc in columns by NC            ─ B block (KC×NC) lives in L3
///       for pc in k by KC                ─ k blocks in ascending order, always (determinism)
///         pack B[pc…, jc…] into 16-wide panels
///         for ic in rows by MC           ─ A block (MC×KC) lives in L2
///           pack A[ic…, pc…] into 6-tall panels
///           for each 16-wide B panel     ─ one B panel (KC×16) lives in L1
///             for each 6-tall A panel: C tile (6×16) += A panel · B panel
///
/// Every element of C is the sum, over k blocks in order, of a fused multiply-add chain over that block, and
/// edge tiles go through the same kernel on zero-padded panels. So an element's bits depend only on the
/// inputs and on KC, never on which thread computed which tile: threads split C by tiles, never k.
enum Gemm {
  static let mr = 6
  static let nr = 16
  static let kc = 256
  static let mc = 120
  static let nc = 3072
  /// Products up to this many multiply-adds read suitably laid-out operands without packing them.
  static let directWork = 1 << 18

  /// Per-thread scratch: packed A block, packed B block and one C tile for edges. Allocated once.
  final class Scratch {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>
    let tile: UnsafeMutablePointer<Float>

    init() {
      a = .allocate(capacity: Gemm.mc * Gemm.kc)
      b = .allocate(capacity: Gemm.kc * Gemm.nc)
      tile = .allocate(capacity: Gemm.mr * Gemm.nr)
    }

    deinit {
      a.deallocate()
      b.deallocate()
      tile.deallocate()
    }
  }

  /// The operands of one call, shared by the threads that split it.
  struct Problem {
    var transA: Bool
    var transB: Bool
    var m: Int
    var n: Int
    var k: Int
    var alpha: Float
    var a: UnsafePointer<Float>
    var lda: Int
    var b: UnsafePointer<Float>
    var ldb: Int
    var beta: Float
    var c: UnsafeMutablePointer<Float>
    var ldc: Int
  }

  /// Computes the block `rows × cols` of C.
  static func compute(_ p: Problem, rows: Range<Int>, cols: Range<Int>, scratch: Scratch) {
    if rows.isEmpty || cols.isEmpty { return }
    if p.k == 0 {
      for i in rows {
        let row = p.c + i * p.ldc
        for j in cols { row[j] = p.beta == 0 ? 0 : p.beta * row[j] }
      }
      return
    }
    // Small products read A (when transposed) and B (when not) in place: their panels already have the
    // kernel's layout up to a stride, and packing would cost as much as the arithmetic. Partial panels are
    // still packed (zero-padded). Either way each element is the same chain of multiply-adds.
    let small = p.m * p.n * p.k <= directWork
    let directA = small && p.transA
    let directB = small && !p.transB
    var jc = cols.lowerBound
    while jc < cols.upperBound {
      let nb = min(nc, cols.upperBound - jc)
      var pc = 0
      while pc < p.k {
        let kb = min(kc, p.k - pc)
        if !directB { packB(p, k0: pc, kb: kb, j0: jc, nb: nb, into: scratch.b) }
        let beta: Float = pc == 0 ? p.beta : 1
        var ic = rows.lowerBound
        while ic < rows.upperBound {
          let mb = min(mc, rows.upperBound - ic)
          if !directA { packA(p, i0: ic, mb: mb, k0: pc, kb: kb, into: scratch.a) }
          var jr = 0
          while jr < nb {
            let colsValid = min(nr, nb - jr)
            var bPanel = UnsafePointer(scratch.b + (jr / nr) * kb * nr)
            var bStep = nr
            if directB {
              if colsValid == nr {
                bPanel = p.b + pc * p.ldb + jc + jr
                bStep = p.ldb
              } else {
                packB(p, k0: pc, kb: kb, j0: jc + jr, nb: colsValid, into: scratch.b)
                bPanel = UnsafePointer(scratch.b)
              }
            }
            var ir = 0
            while ir < mb {
              let rowsValid = min(mr, mb - ir)
              var aPanel = UnsafePointer(scratch.a + (ir / mr) * kb * mr)
              var aStep = mr
              if directA {
                if rowsValid == mr {
                  aPanel = p.a + pc * p.lda + ic + ir
                  aStep = p.lda
                } else {
                  packA(p, i0: ic + ir, mb: rowsValid, k0: pc, kb: kb, into: scratch.a)
                  aPanel = UnsafePointer(scratch.a)
                }
              }
              let cTile = p.c + (ic + ir) * p.ldc + jc + jr
              if rowsValid == mr && colsValid == nr {
                kernel(kb, aPanel, aStep, bPanel, bStep, cTile, ldc: p.ldc, alpha: p.alpha, beta: beta)
              } else {
                edge(kb, aPanel, aStep, bPanel, bStep, cTile, ldc: p.ldc, rows: rowsValid, cols: colsValid,
                     alpha: p.alpha, beta: beta, tile: scratch.tile)
              }
              ir += mr
            }
            jr += nr
          }
          ic += mb
        }
        pc += kb
      }
      jc += nb
    }
  }

  /// A partial tile: copy the valid part of C out, run the full kernel on the copy, copy it back.
  @inline(never)
  static func edge(
    _ k: Int, _ a: UnsafePointer<Float>, _ aStep: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int,
    rows: Int, cols: Int, alpha: Float, beta: Float, tile: UnsafeMutablePointer<Float>
  ) {
    if beta != 0 {
      for r in 0..<rows { for j in 0..<cols { tile[r * nr + j] = c[r * ldc + j] } }
    }
    kernel(k, a, aStep, b, bStep, tile, ldc: nr, alpha: alpha, beta: beta)
    for r in 0..<rows { for j in 0..<cols { c[r * ldc + j] = tile[r * nr + j] } }
  }

  /// `C(6×16) = alpha · Apanel · Bpanel + beta · C`, where step q of the A panel is the six floats at
  /// `a + q·aStep` and of the B panel the sixteen at `b + q·bStep` (6 and 16 when packed).
  @inline(never)
  static func kernel(
    _ k: Int, _ a: UnsafePointer<Float>, _ aStep: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int,
    alpha: Float, beta: Float
  ) {
    var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8(), c20 = V8(), c21 = V8()
    var c30 = V8(), c31 = V8(), c40 = V8(), c41 = V8(), c50 = V8(), c51 = V8()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<k {
      let b0 = pb.loadUnaligned(as: V8.self)
      let b1 = pb.loadUnaligned(fromByteOffset: 32, as: V8.self)
      var av = V8(repeating: pa[0])
      c00.addProduct(av, b0)
      c01.addProduct(av, b1)
      av = V8(repeating: pa[1])
      c10.addProduct(av, b0)
      c11.addProduct(av, b1)
      av = V8(repeating: pa[2])
      c20.addProduct(av, b0)
      c21.addProduct(av, b1)
      av = V8(repeating: pa[3])
      c30.addProduct(av, b0)
      c31.addProduct(av, b1)
      av = V8(repeating: pa[4])
      c40.addProduct(av, b0)
      c41.addProduct(av, b1)
      av = V8(repeating: pa[5])
      c50.addProduct(av, b0)
      c51.addProduct(av, b1)
      pa += aStep
      pb += bStep &* 4
    }
    store(c00, c01, c, alpha: alpha, beta: beta)
    store(c10, c11, c + ldc, alpha: alpha, beta: beta)
    store(c20, c21, c + 2 * ldc, alpha: alpha, beta: beta)
    store(c30, c31, c + 3 * ldc, alpha: alpha, beta: beta)
    store(c40, c41, c + 4 * ldc, alpha: alpha, beta: beta)
    store(c50, c51, c + 5 * ldc, alpha: alpha, beta: beta)
  }

  /// One 16-wide row of a tile: `c = alpha·acc + beta·c`, never reading C when `beta == 0`.
  @inline(__always)
  static func store(_ lo: V8, _ hi: V8, _ c: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
    let raw = UnsafeMutableRawPointer(c)
    var r0 = lo
    var r1 = hi
    if alpha != 1 {
      r0 = r0 * alpha
      r1 = r1 * alpha
    }
    if beta != 0 {
      var o0 = raw.loadUnaligned(as: V8.self)
      var o1 = raw.loadUnaligned(fromByteOffset: 32, as: V8.self)
      if beta != 1 {
        o0 = o0 * beta
        o1 = o1 * beta
      }
      r0 = o0 + r0
      r1 = o1 + r1
    }
    raw.storeBytes(of: r0, as: V8.self)
    raw.storeBytes(of: r1, toByteOffset: 32, as: V8.self)
  }
}
