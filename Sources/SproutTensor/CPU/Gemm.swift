/// The cpu backend's matrix multiply: BLIS-style blocking with packed panels and a 6×16 register-blocked
/// micro-kernel.
///
///     for jc in columns by NC            ─ B block (KC×NC) lives in L3
///       for pc in k by KC                ─ k blocks in ascending order, always (determinism)
///         for ic in rows by MC           ─ A block (MC×KC) lives in L2
///           pack A[ic…, pc…] into 6-tall panels
///           for each 16-wide B panel     ─ one B panel (KC×16) lives in L1
///             (first ic only: pack it from B[pc…, jc…])
///             for each 6-tall A panel: C tile (6×16) += A panel · B panel
///           after the last k block: the epilogue (bias, activation) on the block of C just finished
///
/// Every element of C is the sum, over k blocks in order, of a fused multiply-add chain over that block
/// starting from zero; edge tiles go through kernels of fewer rows or columns that compute each element the
/// same way. So an element's bits depend only on the inputs and on KC, never on which thread computed which
/// tile, nor on the tile shapes: threads split C by tiles, never k.
enum Gemm {
  static let mr = 6
  static let nr = 16
  /// The k block. Changing it changes results (it sets where each element's chain is cut), so it is fixed.
  static let kc = 256
  /// Rows of an A block (L2), at most.
  static let mc = 144
  /// Columns of a B block (L3). Large, so that A is packed once per k block for most products.
  static let nc = 2048
  /// Products whose B has at least this many elements (1 MB: more than half of L2) pack a row-major B
  /// `packChunk` panels at a time, and fetch the next panel (transposed B) or chunk (row-major B) ahead while
  /// computing the current one (`nextPanelLines`). A smaller B is in cache already.
  static let lookAheadB = 1 << 18
  /// Panels of a large row-major B packed together, row by row (8 panels: 512 contiguous bytes of each of the
  /// block's rows, 128 KB packed, within L2). Packing one 16-float panel at a time read 64 bytes from each of
  /// `kb` rows a whole row apart (8 KB for a 2048-wide B): every load a new page, where the hardware prefetcher
  /// does not follow, so each waited on memory.
  static let packChunk = 8
  /// Columns of C that get their epilogue together (a multiple of NR).
  static let epilogueColumns = 256
  /// Products up to this many multiply-adds read A, and B when it is not transposed, in place instead of
  /// packing them: their cache footprint is small and packing would cost as much as the arithmetic.
  static let directWork = 1 << 18
  /// A row-major A (not transposed) is read in place up to this many multiply-adds: the kernel walks six of its
  /// rows in step, which the cache handles as well as a packed panel while the rows' block fits in L2.
  static let directRowsWork = 1 << 23

  /// Per-thread scratch: packed A block and packed B block. Allocated once.
  final class Scratch {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>

    init() {
      // Packing writes whole vectors, up to 8 floats past a panel's last full step (overwritten by the next
      // panel, or landing in this slack after the last one).
      // Cache-line aligned, so that no vector load of a packed panel straddles two lines.
      a = Scratch.allocate(Gemm.mc * Gemm.kc + 16)
      b = Scratch.allocate(Gemm.kc * Gemm.nc + 16)
    }

    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
      let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
      return raw.bindMemory(to: Float.self, capacity: count)
    }

    deinit {
      UnsafeMutableRawPointer(a).deallocate()
      UnsafeMutableRawPointer(b).deallocate()
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
    var epilogue: GemmEpilogue = .none
  }

  /// Computes the block `rows × cols` of C, then its epilogue.
  static func compute(_ p: Problem, rows: Range<Int>, cols: Range<Int>, scratch: Scratch) {
    if rows.isEmpty || cols.isEmpty { return }
    if p.k == 0 {
      for i in rows {
        let row = p.c + i * p.ldc
        for j in cols { row[j] = p.beta == 0 ? 0 : p.beta * row[j] }
      }
      applyEpilogue(p, rows: rows, cols: cols)
      return
    }
    if computeVector(p, rows: rows, cols: cols, scratch: scratch) {
      applyEpilogue(p, rows: rows, cols: cols)
      return
    }
    let small = p.m * p.n * p.k <= directWork
    let directA = p.transA ? small : p.m * p.n * p.k <= directRowsWork
    let directB = small && !p.transB
    // Rows in blocks of at most MC, as equal as whole panels allow: 256 rows are 132 + 124, not 120 + 120 + 16
    // (a thin last block would stream every B panel again for a few rows).
    let rowBlocks = (rows.count + mc - 1) / mc
    let rowBlock = ((rows.count + rowBlocks - 1) / rowBlocks + mr - 1) / mr * mr
    var jc = cols.lowerBound
    while jc < cols.upperBound {
      let nb = min(nc, cols.upperBound - jc)
      var pc = 0
      while pc < p.k {
        let kb = min(kc, p.k - pc)
        var ic = rows.lowerBound
        while ic < rows.upperBound {
          let mb = min(rowBlock, rows.upperBound - ic)
          if !directA { packA(p, i0: ic, mb: mb, k0: pc, kb: kb, into: scratch.a) }
          // The first block of rows packs each B panel just before it uses it (the copy's memory traffic
          // overlaps the arithmetic); the others reuse the packed panels.
          block(
            p, ic: ic, mb: mb, jc: jc, nb: nb, pc: pc, kb: kb, beta: pc == 0 ? p.beta : 1, directA: directA,
            directB: directB, packB: !directB && ic == rows.lowerBound, packedB: scratch.b,
            lastK: pc + kb == p.k, scratch: scratch)
          ic += mb
        }
        pc += kb
      }
      jc += nb
    }
  }

  /// One A block times one B block: every tile of `C[ic ..< ic+mb, jc ..< jc+nb]` over the k block at `pc`.
  @inline(__always)
  static func block(
    _ p: Problem, ic: Int, mb: Int, jc: Int, nb: Int, pc: Int, kb: Int, beta: Float, directA: Bool,
    directB: Bool, packB packing: Bool, packedB: UnsafeMutablePointer<Float>, lastK: Bool, scratch: Scratch
  ) {
    // Step q of an A panel holds its rows r at `aPanel + q·aStep + r·aRow`.
    let (aStep, aRow) = directA ? (p.transA ? (p.lda, 1) : (1, p.lda)) : (mr, 1)
    // A large row-major B is packed `packChunk` panels at a time, row by row (`packBRows`); a transposed one
    // panel by panel.
    let big = packing && p.k * p.n >= lookAheadB
    let rowsAhead = big && !p.transB
    // The lines of the next panel (transposed B) or of the next chunk of panels (row-major B) are requested a few
    // per kernel call while the current ones are computed, so that packing them reads cache instead of waiting on
    // memory: `ahead` lines of the run of `aheadWidth` columns at `aheadJ0`, `aheadPerCall` per call.
    let aPanels = (mb + mr - 1) / mr
    var ahead = 0, aheadDone = 0, aheadPerCall = 0, aheadJ0 = 0, aheadWidth = 0
    var jr = 0
    while jr < nb {
      if big && (p.transB || (jr / nr) % packChunk == 0) {
        let panels = p.transB ? 1 : packChunk
        aheadJ0 = jc + jr + panels * nr
        aheadWidth = panels * nr
        ahead = nextPanelLines(p, pc: pc, kb: kb, j0: aheadJ0, width: aheadWidth, end: jc + nb)
        aheadDone = 0
        // Spread over this panel's (this chunk's) kernel calls.
        let calls = aPanels * min(panels, (nb - jr + nr - 1) / nr)
        aheadPerCall = (ahead + calls - 1) / calls
      }
      let colsValid = min(nr, nb - jr)
      let packedPanel = packedB + (jr / nr) * kb * nr
      if packing {
        if !rowsAhead {
          packB(p, k0: pc, kb: kb, j0: jc + jr, nb: colsValid, into: packedPanel)
        } else if (jr / nr) % packChunk == 0 {
          packBRows(p, k0: pc, kb: kb, j0: jc + jr, nb: min(packChunk * nr, nb - jr), into: packedPanel)
        }
      }
      var bPanel = UnsafePointer(packedPanel)
      var bStep = nr
      if directB {
        if colsValid == nr {
          bPanel = p.b + pc * p.ldb + jc + jr
          bStep = p.ldb
        } else {
          // A partial panel is packed (zero-padded): the kernel loads whole vectors of B.
          packB(p, k0: pc, kb: kb, j0: jc + jr, nb: colsValid, into: scratch.b)
          bPanel = UnsafePointer(scratch.b)
        }
      }
      var ir = 0
      while ir < mb {
        if aheadDone < ahead {
          let count = min(aheadPerCall, ahead - aheadDone)
          prefetchPanelLines(
            p, pc: pc, kb: kb, j0: aheadJ0, width: aheadWidth, end: jc + nb, from: aheadDone, count: count)
          aheadDone += count
        }
        var rowsValid = min(mr, mb - ir)
        // A read in place can start a tile at any row: the last 7 or 8 rows run as 4 + 3 or 4 + 4 instead of
        // 6 + 1 or 6 + 2 (a one- or two-row tile has 2 or 4 accumulators, too few to cover the multiply-add's
        // latency, so it runs at a quarter or half of the rate). Each element is the same chain either way.
        if directA && mb - ir > mr && mb - ir < mr + 3 { rowsValid = 4 }
        let aPanel: UnsafePointer<Float>
        if directA {
          let i = ic + ir
          aPanel = p.transA ? p.a + pc * p.lda + i : p.a + i * p.lda + pc
        } else {
          aPanel = UnsafePointer(scratch.a + (ir / mr) * kb * mr)
        }
        let cTile = p.c + (ic + ir) * p.ldc + jc + jr
        if rowsValid == mr && colsValid == nr {
          if aRow == 1 {
            kernel(kb, aPanel, aStep, bPanel, bStep, cTile, ldc: p.ldc, alpha: p.alpha, beta: beta)
          } else {
            kernelStrided(kb, aPanel, aStep, aRow, bPanel, bStep, cTile, ldc: p.ldc, alpha: p.alpha, beta: beta)
          }
        } else {
          edge(kb, aPanel, aStep, aRow, bPanel, bStep, cTile, ldc: p.ldc, rows: rowsValid, cols: colsValid,
               alpha: p.alpha, beta: beta)
        }
        ir += rowsValid
      }
      jr += nr
      // After the last k block, every `epilogueColumns` columns of the block get their epilogue while they
      // are still in L2 (a whole 144 × 2048 block would not be).
      if lastK && (jr % epilogueColumns == 0 || jr >= nb) {
        let first = (jr - 1) / epilogueColumns * epilogueColumns
        applyEpilogue(p, rows: ic..<(ic + mb), cols: (jc + first)..<(jc + min(jr, nb)))
      }
    }
  }

  /// Cache lines the B columns `j0 ..< min(j0 + width, end)` of op(B), k block `pc ..< pc+kb`, are packed from (0
  /// when there are none): per step, the run of those columns for a row-major B (a panel, or a chunk of panels);
  /// per column, its row of `kb` floats for a transposed B.
  static func nextPanelLines(_ p: Problem, pc: Int, kb: Int, j0: Int, width: Int, end: Int) -> Int {
    if j0 >= end { return 0 }
    if !p.transB { return kb * linesPerRun(p.b + pc * p.ldb + j0, floats: min(width, end - j0)) }
    return min(width, end - j0) * linesPerRun(p.b + j0 * p.ldb + pc, floats: kb)
  }

  /// Lines a run of `floats` floats at `start` touches when every run of its kind is assumed as misaligned as
  /// the first (over-counting by at most one line per run, which only prefetches a line that is not needed).
  @inline(__always)
  static func linesPerRun(_ start: UnsafePointer<Float>, floats: Int) -> Int {
    let offset = Int(bitPattern: start) & 63
    return (offset + floats * 4 + 63) / 64
  }

  /// Prefetches lines `from ..< from+count` of the columns `j0 ..< min(j0 + width, end)` (numbered as
  /// `nextPanelLines` counts them: step by step for a row-major B, column by column for a transposed one).
  static func prefetchPanelLines(
    _ p: Problem, pc: Int, kb: Int, j0: Int, width: Int, end: Int, from: Int, count: Int
  ) {
    if !p.transB {
      let first = p.b + pc * p.ldb + j0
      let perStep = linesPerRun(first, floats: min(width, end - j0))
      for line in from..<(from + count) {
        let q = line / perStep
        CPUHint.prefetchRead(UnsafeRawPointer(first + q * p.ldb) + (line - q * perStep) * 64)
      }
    } else {
      let first = p.b + j0 * p.ldb + pc
      let perRow = linesPerRun(first, floats: kb)
      for line in from..<(from + count) {
        let row = line / perRow
        CPUHint.prefetchRead(UnsafeRawPointer(first + row * p.ldb) + (line - row * perRow) * 64)
      }
    }
  }
}
