import SproutDiagnostics
import SproutTensor
import Testing

/// The cpu backend's tiled products against their definition, bit for bit: every element of C is, per k block of
/// 256 in ascending order, one fused multiply-add chain over the block from zero, then `alpha·acc + beta·c` (beta
/// the caller's for the first block, 1 after). Tile shapes, row splits, packing and prefetching may change how C
/// is walked, never these bits. (Matrix–vector products, one row or one column of C, sum in eight lanes and are
/// not this chain; they are covered by the thread-count tests.)
@Suite struct GemmChainTests {
  static let backend = CPUBackend(threads: 1)
  static let kc = 256

  /// The chain, element by element, in scalar code (`addingProduct` is the fused multiply-add).
  static func reference(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], b: [Float], beta: Float,
    c: [Float]
  ) -> [UInt32] {
    var out = c
    for i in 0..<m {
      for j in 0..<n {
        var value = c[i * n + j]
        var pc = 0
        repeat {
          let end = min(k, pc + kc)
          var acc: Float = 0
          for q in pc..<end {
            let x = transA ? a[q * m + i] : a[i * k + q]
            let y = transB ? b[j * k + q] : b[q * n + j]
            acc = acc.addingProduct(x, y)
          }
          var r = alpha != 1 ? acc * alpha : acc
          let blockBeta = pc == 0 ? beta : 1
          if blockBeta != 0 { r = (blockBeta != 1 ? value * blockBeta : value) + r }
          value = r
          pc = end
        } while pc < k
        out[i * n + j] = value
      }
    }
    return out.map(\.bitPattern)
  }

  /// Row counts around the 6-row tile (7 and 8 leftover rows, the 32 rows of a small batch), products read in
  /// place and packed, k within one block and across three.
  @Test(arguments: [
    (32, 64, 64), (32, 64, 2), (32, 64, 1), (64, 64, 32), (31, 17, 40), (38, 33, 70), (37, 16, 9), (8, 24, 5),
    (7, 40, 3), (13, 48, 600), (140, 33, 70), (200, 72, 300),
  ])
  func tiledProductsAreTheInOrderChain(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    Self.expectChain(
      m: m, n: n, k: k, seed: UInt64(m * 31_337 + n * 613 + k),
      transposes: [(false, false), (true, false), (false, true), (true, true)],
      scalings: [(1, 0), (0.75, 0.5), (1, 1)])
  }

  /// The matrix–vector loops that keep one chain per lane (one row of C with a row-major B, one column of C with
  /// a transposed A, a transposed A with a few columns) compute, within one k block, exactly the tiles' chain,
  /// whether an element falls in a block of thirty-two lanes or in the eight-lane tail.
  @Test(arguments: [(1, 7, 30), (1, 40, 200), (1, 75, 64), (7, 1, 30), (40, 1, 200), (75, 1, 64), (64, 2, 32),
                    (77, 3, 100)])
  func laneProductsAreTheInOrderChain(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    // One row: B row-major (either A). One column or a few: A transposed (either B).
    Self.expectChain(
      m: m, n: n, k: k, seed: UInt64(m * 131 + n * 17 + k),
      transposes: m == 1 ? [(false, false), (true, false)] : [(true, false), (true, true)],
      scalings: [(1, 0), (0.75, 0.5), (1, 1)])
  }

  /// A B of at least 2¹⁸ elements makes the packing loop request the next panel's lines ahead (row by row for a
  /// transposed B, step by step otherwise, with a last panel narrower than 16): the bits stay the chain's.
  @Test(arguments: [(13, 1030, 300), (9, 2051, 130)])
  func productsThatFetchBAheadAreTheInOrderChain(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    Self.expectChain(
      m: m, n: n, k: k, seed: UInt64(m * 7 + n * 11 + k), transposes: [(false, false), (false, true)],
      scalings: [(1, 0.5)])
  }

  /// Every (transA, transB) and (alpha, beta) of `m×n×k` random operands, each product bit for bit the scalar
  /// in-order chain of `reference`.
  static func expectChain(
    m: Int, n: Int, k: Int, seed: UInt64, transposes: [(Bool, Bool)], scalings: [(Float, Float)]
  ) {
    var rng = SplitMix64(seed: seed)
    let a = rng.floats(m * k)
    let b = rng.floats(k * n)
    let c0 = rng.floats(m * n)
    for (transA, transB) in transposes {
      for (alpha, beta) in scalings {
        var c = c0
        backend.gemm(
          transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: transA ? m : k, b: b,
          ldb: transB ? k : n, beta: beta, c: &c, ldc: n)
        let expected = reference(
          transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c0)
        #expect(
          c.map(\.bitPattern) == expected,
          "\(m)x\(n)x\(k) transA=\(transA) transB=\(transB) alpha=\(alpha) beta=\(beta)")
      }
    }
  }
}
