/// The micro-kernels: a tile of C of up to 6 rows and 16 columns, `C = alpha · Apanel · Bpanel + beta · C`,
/// where step q of the A panel holds row r at `a + q·aStep + r·aRow` (packed: aStep 6, aRow 1) and step q of
/// the B panel is the sixteen floats at `b + q·bStep` (packed: 16).
///
/// Each element is one fused multiply-add chain over q starting from zero, then `alpha·acc + beta·c`; the
/// edge kernels (fewer rows, eight columns, a partial store) do exactly the same per element, so a tile's
/// shape never changes a bit.
extension Gemm {
  /// The full 6×16 tile of a packed (or transposed, read in place) A panel.
  ///
  /// The two writes of C that products make most, `C = acc` (alpha 1, beta 0: a forward product, the first k
  /// block) and `C += acc` (alpha 1, beta 1: a gradient accumulated, the later k blocks), have their own copies
  /// of the tile: the general store tests alpha and beta per row, about 150 instructions a tile, as many as
  /// six steps of the k loop (a 32×64×64 product's tiles have 64).
  @inline(never)
  static func kernel(
    _ k: Int, _ a: UnsafePointer<Float>, _ aStep: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
  ) {
    if alpha == 1 && beta == 0 {
      tile(
        Tile6x16.self, StoreSet.self, UnitRows.self, k, a, aStep, 1, b, bStep, c, ldc: ldc, cols: nr, alpha: 1, beta: 0)
    } else if alpha == 1 && beta == 1 {
      tile(
        Tile6x16.self, StoreAdd.self, UnitRows.self, k, a, aStep, 1, b, bStep, c, ldc: ldc, cols: nr, alpha: 1, beta: 1)
    } else {
      tile(
        Tile6x16.self, StoreScaled.self, UnitRows.self, k, a, aStep, 1, b, bStep, c, ldc: ldc, cols: nr, alpha: alpha,
        beta: beta)
    }
  }

  /// The full 6×16 tile of an A read in place row by row (`aRow` = its row stride), with `kernel`'s three writes.
  @inline(never)
  static func kernelStrided(
    _ k: Int, _ a: UnsafePointer<Float>, _ aStep: Int, _ aRow: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
  ) {
    if alpha == 1 && beta == 0 {
      tile(
        Tile6x16.self, StoreSet.self, StridedRows.self, k, a, aStep, aRow, b, bStep, c, ldc: ldc, cols: nr, alpha: 1,
        beta: 0)
    } else if alpha == 1 && beta == 1 {
      tile(
        Tile6x16.self, StoreAdd.self, StridedRows.self, k, a, aStep, aRow, b, bStep, c, ldc: ldc, cols: nr, alpha: 1,
        beta: 1)
    } else {
      tile(
        Tile6x16.self, StoreScaled.self, StridedRows.self, k, a, aStep, aRow, b, bStep, c, ldc: ldc, cols: nr,
        alpha: alpha,
        beta: beta)
    }
  }

  /// A partial tile: `rows` ≤ 6 rows and `cols` ≤ 16 columns, written in place (C's other elements untouched).
  @inline(never)
  static func edge(
    _ k: Int, _ a: UnsafePointer<Float>, _ aStep: Int, _ aRow: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, alpha: Float, beta: Float
  ) {
    func run<S: TileShape>(_ shape: S.Type) {
      tile(
        S.self, StoreScaled.self, StridedRows.self, k, a, aStep, aRow, b, bStep, c, ldc: ldc, cols: cols, alpha: alpha,
        beta: beta)
    }
    // Whole 16-column tiles of fewer rows (the last rows of a block) get `kernel`'s two common writes too.
    func run16<S: TileShape>(_ shape: S.Type) {
      if cols == nr && alpha == 1 && beta == 0 {
        tile(
          S.self, StoreSet.self, StridedRows.self, k, a, aStep, aRow, b, bStep, c, ldc: ldc, cols: nr, alpha: 1, beta: 0
        )
      } else if cols == nr && alpha == 1 && beta == 1 {
        tile(
          S.self, StoreAdd.self, StridedRows.self, k, a, aStep, aRow, b, bStep, c, ldc: ldc, cols: nr, alpha: 1, beta: 1
        )
      } else {
        run(S.self)
      }
    }
    if cols > 8 {
      switch rows {
      case 1: run16(Tile1x16.self)
      case 2: run16(Tile2x16.self)
      case 3: run16(Tile3x16.self)
      case 4: run16(Tile4x16.self)
      case 5: run16(Tile5x16.self)
      default: run(Tile6x16.self)
      }
    } else {
      switch rows {
      case 1: run(Tile1x8.self)
      case 2: run(Tile2x8.self)
      case 3: run(Tile3x8.self)
      case 4: run(Tile4x8.self)
      case 5: run(Tile5x8.self)
      default: run(Tile6x8.self)
      }
    }
  }

  /// The tile body, specialised per shape (the compiler makes one copy per `TileShape` type, in which the
  /// unused accumulators and loads fold away).
  @inline(__always)
  static func tile<S: TileShape, W: TileStore, R: RowStride>(
    _ shape: S.Type, _ write: W.Type, _ stride: R.Type,
    _ k: Int, _ a: UnsafePointer<Float>, _ aStep: Int, _ aRowGiven: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, cols: Int, alpha: Float, beta: Float
  ) {
    // A constant 1 for a packed panel, so that its copy addresses the six rows as offsets of one pointer.
    let aRow = R.value(aRowGiven)
    let rows = S.rows
    let wide = S.wide
    // The tile's rows are `ldc` apart: fetch them now, so the stores after the k loop find them in cache.
    for r in 0..<rows {
      CPUHint.prefetch(c + r * ldc)
      CPUHint.prefetch(c + r * ldc + (wide ? 15 : 7))
    }
    var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8(), c20 = V8(), c21 = V8()
    var c30 = V8(), c31 = V8(), c40 = V8(), c41 = V8(), c50 = V8(), c51 = V8()
    // Rows 0–2 from one pointer and rows 3–5 from another, at offsets 0, aRow and 2·aRow: two pointers to
    // advance per step instead of six.
    let r1 = aRow, r2 = 2 * aRow
    var pa = a
    var pa3 = a + 3 * aRow
    var pb = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    for _ in 0..<k {
      let b0 = pb.loadUnaligned(as: V8.self)
      let b1 = wide ? pb.loadUnaligned(fromByteOffset: 32, as: V8.self) : V8()
      var av = V8(repeating: pa[0])
      c00.addProduct(av, b0)
      if wide { c01.addProduct(av, b1) }
      if rows > 1 {
        av = V8(repeating: pa[r1])
        c10.addProduct(av, b0)
        if wide { c11.addProduct(av, b1) }
      }
      if rows > 2 {
        av = V8(repeating: pa[r2])
        c20.addProduct(av, b0)
        if wide { c21.addProduct(av, b1) }
      }
      if rows > 3 {
        av = V8(repeating: pa3[0])
        c30.addProduct(av, b0)
        if wide { c31.addProduct(av, b1) }
      }
      if rows > 4 {
        av = V8(repeating: pa3[r1])
        c40.addProduct(av, b0)
        if wide { c41.addProduct(av, b1) }
      }
      if rows > 5 {
        av = V8(repeating: pa3[r2])
        c50.addProduct(av, b0)
        if wide { c51.addProduct(av, b1) }
      }
      pa += aStep
      pa3 += aStep
      pb += bBytes
    }
    W.store(c00, c01, c, cols: cols, alpha: alpha, beta: beta)
    if rows > 1 { W.store(c10, c11, c + ldc, cols: cols, alpha: alpha, beta: beta) }
    if rows > 2 { W.store(c20, c21, c + 2 * ldc, cols: cols, alpha: alpha, beta: beta) }
    if rows > 3 { W.store(c30, c31, c + 3 * ldc, cols: cols, alpha: alpha, beta: beta) }
    if rows > 4 { W.store(c40, c41, c + 4 * ldc, cols: cols, alpha: alpha, beta: beta) }
    if rows > 5 { W.store(c50, c51, c + 5 * ldc, cols: cols, alpha: alpha, beta: beta) }
  }

  /// One row of a tile: `c = alpha·acc + beta·c` for its first `cols` columns, never reading C when
  /// `beta == 0`. A partial row does the same arithmetic lane by lane.
  @inline(__always)
  static func store(_ lo: V8, _ hi: V8, _ c: UnsafeMutablePointer<Float>, cols: Int, alpha: Float, beta: Float) {
    if cols == nr {
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
      return
    }
    if cols == 8 {
      let raw = UnsafeMutableRawPointer(c)
      var r0 = lo
      if alpha != 1 { r0 = r0 * alpha }
      if beta != 0 {
        var o0 = raw.loadUnaligned(as: V8.self)
        if beta != 1 { o0 = o0 * beta }
        r0 = o0 + r0
      }
      raw.storeBytes(of: r0, as: V8.self)
      return
    }
    for j in 0..<cols {
      var r = j < 8 ? lo[j] : hi[j - 8]
      if alpha != 1 { r = r * alpha }
      if beta != 0 {
        var o = c[j]
        if beta != 1 { o = o * beta }
        r = o + r
      }
      c[j] = r
    }
  }
}

/// How a tile row is written, as a type (one specialised copy of the tile per kind): the general
/// `c = alpha·acc + beta·c`, or its two common cases with the tests of alpha and beta compiled out. Each does, for
/// its alpha and beta, exactly the operations of the general form, so the bits are the same.
protocol TileStore {
  static func store(_ lo: V8, _ hi: V8, _ c: UnsafeMutablePointer<Float>, cols: Int, alpha: Float, beta: Float)
}

/// `c = alpha·acc + beta·c` for any alpha and beta (`Gemm.store`).
enum StoreScaled: TileStore {
  @inline(__always)
  static func store(_ lo: V8, _ hi: V8, _ c: UnsafeMutablePointer<Float>, cols: Int, alpha: Float, beta: Float) {
    Gemm.store(lo, hi, c, cols: cols, alpha: alpha, beta: beta)
  }
}

/// `c = acc` (alpha 1, beta 0: C is not read).
enum StoreSet: TileStore {
  @inline(__always)
  static func store(_ lo: V8, _ hi: V8, _ c: UnsafeMutablePointer<Float>, cols: Int, alpha: Float, beta: Float) {
    guard cols == Gemm.nr else { return Gemm.store(lo, hi, c, cols: cols, alpha: 1, beta: 0) }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: lo, as: V8.self)
    raw.storeBytes(of: hi, toByteOffset: 32, as: V8.self)
  }
}

/// `c = c + acc` (alpha 1, beta 1).
enum StoreAdd: TileStore {
  @inline(__always)
  static func store(_ lo: V8, _ hi: V8, _ c: UnsafeMutablePointer<Float>, cols: Int, alpha: Float, beta: Float) {
    guard cols == Gemm.nr else { return Gemm.store(lo, hi, c, cols: cols, alpha: 1, beta: 1) }
    let raw = UnsafeMutableRawPointer(c)
    let o0 = raw.loadUnaligned(as: V8.self)
    let o1 = raw.loadUnaligned(fromByteOffset: 32, as: V8.self)
    raw.storeBytes(of: o0 + lo, as: V8.self)
    raw.storeBytes(of: o1 + hi, toByteOffset: 32, as: V8.self)
  }
}

/// The distance between an A panel's rows as a type: 1 in a packed panel (or a transposed A read in place), known
/// when the tile is compiled; a row-major A's row stride otherwise. (With the stride a run-time value in every
/// copy, the packed kernel's loop took 27 instructions a step instead of 24.)
protocol RowStride { static func value(_ given: Int) -> Int }
enum UnitRows: RowStride { @inline(__always) static func value(_ given: Int) -> Int { 1 } }
enum StridedRows: RowStride { @inline(__always) static func value(_ given: Int) -> Int { given } }

/// The shape of a micro-kernel tile as a type, so that each shape gets its own specialised copy of the body.
protocol TileShape {
  /// Rows of C (1…6).
  static var rows: Int { get }
  /// Sixteen columns (two vectors) or eight.
  static var wide: Bool { get }
}

enum Tile1x16: TileShape { static var rows: Int { 1 }; static var wide: Bool { true } }
enum Tile2x16: TileShape { static var rows: Int { 2 }; static var wide: Bool { true } }
enum Tile3x16: TileShape { static var rows: Int { 3 }; static var wide: Bool { true } }
enum Tile4x16: TileShape { static var rows: Int { 4 }; static var wide: Bool { true } }
enum Tile5x16: TileShape { static var rows: Int { 5 }; static var wide: Bool { true } }
enum Tile6x16: TileShape { static var rows: Int { 6 }; static var wide: Bool { true } }
enum Tile1x8: TileShape { static var rows: Int { 1 }; static var wide: Bool { false } }
enum Tile2x8: TileShape { static var rows: Int { 2 }; static var wide: Bool { false } }
enum Tile3x8: TileShape { static var rows: Int { 3 }; static var wide: Bool { false } }
enum Tile4x8: TileShape { static var rows: Int { 4 }; static var wide: Bool { false } }
enum Tile5x8: TileShape { static var rows: Int { 5 }; static var wide: Bool { false } }
enum Tile6x8: TileShape { static var rows: Int { 6 }; static var wide: Bool { false } }
