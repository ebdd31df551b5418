import SproutDiagnostics
import Foundation
import SproutTensor
import SproutTensorConformance
import Testing

/// Bit-identity across thread counts, edge sizes, and the beta = 0 contract.
@Suite struct DeterminismTests {
  static let one = CPUBackend(threads: 1)
  static let two = CPUBackend(threads: 2)

  func product(
    _ backend: CPUBackend, m: Int, n: Int, k: Int, transA: Bool, transB: Bool, a: [Float], b: [Float], c0: [Float]
  ) -> [UInt32] {
    var c = c0
    backend.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: transA ? m : k,
                 b: b, ldb: transB ? k : n, beta: 0.5, c: &c, ldc: n)
    return c.map(\.bitPattern)
  }

  /// Sizes large enough to be split across threads (above the hand-off threshold), odd in every dimension,
  /// and with k spanning several k blocks.
  /// The last two are matrix–vector products (one column, one row), which have their own loops.
  @Test(arguments: [
    (97, 131, 301), (301, 67, 263), (250, 250, 513), (7, 1201, 77), (1000, 7, 90), (4099, 1, 300), (1, 3001, 400),
  ])
  func gemmBitsDoNotDependOnThreadCount(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    var rng = SplitMix64(seed: UInt64(m * 1_000_003 + n * 1009 + k))
    let a = rng.floats(m * k)
    let b = rng.floats(k * n)
    let c0 = rng.floats(m * n)
    for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
      let single = product(Self.one, m: m, n: n, k: k, transA: transA, transB: transB, a: a, b: b, c0: c0)
      let double = product(Self.two, m: m, n: n, k: k, transA: transA, transB: transB, a: a, b: b, c0: c0)
      #expect(single == double, "gemm \(m)x\(n)x\(k) transA=\(transA) transB=\(transB)")
    }
  }

  /// A transposed A with at most four columns of C (a weight gradient `dYᵀX` of a layer with a few inputs) runs
  /// with C's rows in the lanes instead of in 6×16 tiles; each element must be the chain the tiles compute. The
  /// same product with B widened to 16 columns takes the tiles: its first columns are the reference.
  @Test(arguments: [(64, 2, 32), (37, 3, 100), (9, 4, 256), (64, 2, 1), (13, 1, 40)])
  func fewColumnProductsGiveTheTilesBits(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    let wide = 16
    var rng = SplitMix64(seed: UInt64(m * 7919 + n * 104_729 + k))
    let a = rng.floats(k * m)
    let bWide = rng.floats(k * wide)
    let c0 = rng.floats(m * wide)
    for transB in [false, true] {
      for (alpha, beta) in [(Float(1), Float(0)), (0.75, 0.5), (1, 1)] {
        // op(B)[q, j]: row-major k × wide (ldb = wide), or its transpose (wide × k, ldb = k).
        let b = transB ? (0..<(wide * k)).map { bWide[($0 % k) * wide + $0 / k] } : bWide
        var few = (0..<(m * n)).map { c0[($0 / n) * wide + $0 % n] }
        var tiles = c0
        Self.one.gemm(transA: true, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: m,
                      b: b, ldb: transB ? k : wide, beta: beta, c: &few, ldc: n)
        Self.one.gemm(transA: true, transB: transB, m: m, n: wide, k: k, alpha: alpha, a: a, lda: m,
                      b: b, ldb: transB ? k : wide, beta: beta, c: &tiles, ldc: wide)
        let reference = (0..<(m * n)).map { tiles[($0 / n) * wide + $0 % n].bitPattern }
        #expect(few.map(\.bitPattern) == reference, "\(m)x\(n)x\(k) transB=\(transB) alpha=\(alpha) beta=\(beta)")
      }
    }
  }

  @Test func elementwiseBitsDoNotDependOnThreadCount() {
    var rng = SplitMix64(seed: 7)
    let count = 100_003
    let x = rng.floats(count, -3, 3)
    let dy = rng.floats(count)
    for f in [Activation.sine(omega: 30), .tanh, .gelu(approximateTanh: false), .silu, .relu] {
      var y1 = [Float](repeating: 0, count: count)
      var y2 = y1
      Self.one.activationForward(f, x, &y1, count: count)
      Self.two.activationForward(f, x, &y2, count: count)
      #expect(y1.map(\.bitPattern) == y2.map(\.bitPattern), "\(f) forward")
      var d1 = [Float](repeating: 0, count: count)
      var d2 = d1
      Self.one.activationBackward(f, x: x, y: y1, dy: dy, dx: &d1, count: count)
      Self.two.activationBackward(f, x: x, y: y2, dy: dy, dx: &d2, count: count)
      #expect(d1.map(\.bitPattern) == d2.map(\.bitPattern), "\(f) backward")
    }
    #expect(Self.one.reduce(.sum, x, count: count).bitPattern == Self.two.reduce(.sum, x, count: count).bitPattern)
    var s1 = [Float](repeating: 0, count: 1001)
    var s2 = s1
    Self.one.columnSums(x, rows: 99, cols: 1001, &s1, accumulate: false)
    Self.two.columnSums(x, rows: 99, cols: 1001, &s2, accumulate: false)
    #expect(s1.map(\.bitPattern) == s2.map(\.bitPattern))
  }

  /// OpenBLAS splits its sums by thread count (these shapes get other bits at 2 threads than at 1 from Debian's
  /// OpenBLAS on a Zen host), so the blas backend keeps its products on one OpenBLAS thread whatever `threads` is:
  /// a run's bits do not depend on --jobs, --threads or the node's cores.
  @Test(arguments: [(150, 200, 300), (7, 300, 500), (256, 784, 128)])
  func blasBitsDoNotDependOnThreadCount(shape: (Int, Int, Int)) throws {
    let (m, n, k) = shape
    let one = try BLASBackend(threads: 1), two = try BLASBackend(threads: 2)
    var rng = SplitMix64(seed: UInt64(m * 1_000_003 + n * 1009 + k))
    let a = rng.floats(m * k)
    let b = rng.floats(k * n)
    for transB in [false, true] {
      var c1 = [Float](repeating: 0, count: m * n)
      var c2 = c1
      one.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: transB ? k : n,
               beta: 0, c: &c1, ldc: n)
      two.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: transB ? k : n,
               beta: 0, c: &c2, ldc: n)
      let differing = zip(c1, c2).filter { $0.bitPattern != $1.bitPattern }.count
      #expect(differing == 0, "\(shape) transB \(transB): \(differing) of \(m * n) elements differ")
    }
  }

  @Test(arguments: ["cpu", "blas"])
  func edgeSizes(backendName: String) throws {
    let backend = try Backends.make(name: backendName, threads: 2)
    // m or n = 0: C untouched (it has no elements; the sentinel after it must survive).
    var sentinel: [Float] = [42]
    backend.gemm(transA: false, transB: false, m: 0, n: 5, k: 3, alpha: 1, a: [1, 2, 3], lda: 3,
                 b: [Float](repeating: 1, count: 15), ldb: 5, beta: 0, c: &sentinel, ldc: 5)
    #expect(sentinel == [42])
    // k = 0: C = beta · C, and beta = 0 clears even NaN.
    var c: [Float] = [1, 2, .nan, 4]
    backend.gemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: [0], lda: 1, b: [0], ldb: 2,
                 beta: 0, c: &c, ldc: 2)
    #expect(c == [0, 0, 0, 0])
    c = [1, 2, 3, 4]
    backend.gemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: [0], lda: 1, b: [0], ldb: 2,
                 beta: 2, c: &c, ldc: 2)
    #expect(c == [2, 4, 6, 8])
    // 1×1×1.
    var one: [Float] = [.nan]
    backend.gemm(transA: true, transB: true, m: 1, n: 1, k: 1, alpha: 2, a: [3], lda: 1, b: [5], ldb: 1,
                 beta: 0, c: &one, ldc: 1)
    #expect(one == [30])
    // Empty elementwise kernels and reductions.
    var empty: [Float] = [7]
    backend.activationForward(.tanh, [], &empty, count: 0)
    backend.fill(&empty, value: 1, count: 0)
    #expect(empty == [7])
    #expect(backend.reduce(.sum, [], count: 0) == 0)
  }

  /// A product that exceeds one block in every dimension and is not a multiple of any block, on both
  /// backends, with C full of NaN and beta = 0: no NaN may survive.
  @Test(arguments: ["cpu", "blas"])
  func betaZeroDoesNotPropagateNaN(backendName: String) throws {
    let backend = try Backends.make(name: backendName, threads: 2)
    let (m, n, k) = (131, 3075, 259)
    var rng = SplitMix64(seed: 3)
    let a = rng.floats(m * k)
    let b = rng.floats(k * n)
    for (transA, transB) in [(false, false), (true, true)] {
      var c = [Float](repeating: .nan, count: m * n)
      backend.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: transA ? m : k,
                   b: b, ldb: transB ? k : n, beta: 0, c: &c, ldc: n)
      #expect(!c.contains { $0.isNaN })
    }
  }

  /// Two threads sharing one backend: one gets the pool, the other runs its parts inline; both results
  /// must equal the single-threaded bits.
  @Test func concurrentCallersGetTheSameBits() async {
    let (m, n, k) = (120, 300, 200)
    var rng = SplitMix64(seed: 11)
    let a = rng.floats(m * k)
    let b = rng.floats(k * n)
    let zeros = [Float](repeating: 0, count: m * n)
    let want = product(Self.one, m: m, n: n, k: k, transA: false, transB: true, a: a, b: b, c0: zeros)
    let shared = Self.two
    let results = await withTaskGroup(of: [UInt32].self) { group in
      for _ in 0..<4 {
        group.addTask {
          var last: [UInt32] = []
          for _ in 0..<5 {
            last = self.product(shared, m: m, n: n, k: k, transA: false, transB: true, a: a, b: b, c0: zeros)
          }
          return last
        }
      }
      var all: [[UInt32]] = []
      for await r in group { all.append(r) }
      return all
    }
    #expect(results.count == 4)
    for r in results { #expect(r == want) }
  }
}
