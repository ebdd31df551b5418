import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// Deterministic test matrices with entries in [−1, 1) from the Philox block (counter = element index).
func testMatrix(_ rows: Int, _ cols: Int, seed: UInt32) -> DenseMatrix {
  let values = (0..<(rows * cols)).map { i -> Double in
    let w = Philox4x32.block(counter: (UInt32(i), 0, 0, 0), key: (seed, 0x5EED)).0
    return Double(w) / 2_147_483_648.0 - 1
  }
  return DenseMatrix(rows: rows, cols: cols, values: values)
}

/// ‖MᵀM − I‖_max for a matrix whose columns should be orthonormal.
func orthonormalityError(_ m: DenseMatrix) -> Double {
  m.gram.maxAbsDifference(.identity(m.cols))
}

@Suite struct LinearAlgebraTests {
  @Test func multiplyTransposeAndNorm() {
    let a = DenseMatrix(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
    let b = DenseMatrix(rows: 3, cols: 2, values: [7, 8, 9, 10, 11, 12])
    #expect((a * b).values == [58, 64, 139, 154])
    #expect(a.transposed.values == [1, 4, 2, 5, 3, 6])
    #expect(abs(a.frobeniusNorm - 91.0.squareRoot()) < 1e-14)
    #expect(abs(euclideanNorm([3e200, 4e200]) / 5e200 - 1) < 1e-15)  // no overflow
  }

  @Test(arguments: [(6, 4), (4, 6), (5, 5), (1, 3), (3, 1)])
  func qrReconstructsWithOrthonormalQ(shape: (Int, Int)) {
    let a = testMatrix(shape.0, shape.1, seed: 11)
    let f = a.qr()
    #expect(f.q.rows == shape.0 && f.q.cols == min(shape.0, shape.1))
    #expect((f.q * f.r).maxAbsDifference(a) < 1e-13)
    #expect(orthonormalityError(f.q) < 1e-13)
    for i in 0..<f.r.rows {
      for j in 0..<min(i, f.r.cols) { #expect(f.r[i, j] == 0) }
    }
    // The sign-corrected factor equals Q·diag(sign R) and stays orthonormal.
    let fixed = f.signCorrectedQ
    #expect(orthonormalityError(fixed) < 1e-13)
    for (j, d) in f.rDiagonal.enumerated() {
      #expect(fixed[0, j] == (d < 0 ? -f.q[0, j] : f.q[0, j]))
    }
  }

  @Test func qrOfRankDeficientMatrixKeepsQOrthonormal() {
    // Column 2 is zero, column 3 = column 1.
    let a = DenseMatrix(rows: 4, cols: 3, values: [1, 0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4])
    let f = a.qr()
    #expect((f.q * f.r).maxAbsDifference(a) < 1e-13)
    #expect(orthonormalityError(f.q) < 1e-13)
    #expect(f.rDiagonal[1] == 0)
  }

  @Test(arguments: [(8, 5), (5, 8), (7, 7), (1, 4), (4, 1), (30, 12)])
  func svdReconstructsWithOrthonormalFactors(shape: (Int, Int)) {
    let a = testMatrix(shape.0, shape.1, seed: 3)
    let f = a.svd()
    let k = min(shape.0, shape.1)
    #expect(f.u.rows == shape.0 && f.u.cols == k && f.vt.rows == k && f.vt.cols == shape.1)
    #expect(f.reconstruct().maxAbsDifference(a) < 1e-12)
    #expect(orthonormalityError(f.u) < 1e-12)
    #expect(orthonormalityError(f.vt.transposed) < 1e-12)
    #expect(zip(f.s, f.s.dropFirst()).allSatisfy { $0 >= $1 })
    #expect(f.s.allSatisfy { $0 >= 0 })
    let only = a.singularValues()
    #expect(zip(only, f.s).allSatisfy { abs($0 - $1) < 1e-12 })
  }

  @Test func svdOfKnownMatrix() {
    // A = U·diag(5, 3, 0)·Vᵀ built from rotations; its singular values are known exactly.
    let c = cos(0.3), s = sin(0.3)
    let u = DenseMatrix(rows: 3, cols: 3, values: [c, -s, 0, s, c, 0, 0, 0, 1])
    let v = DenseMatrix(rows: 3, cols: 3, values: [1, 0, 0, 0, c, -s, 0, s, c])
    let a = u * DenseMatrix.diagonal([5, 3, 0], rows: 3, cols: 3) * v.transposed
    let f = a.svd()
    #expect(abs(f.s[0] - 5) < 1e-14 && abs(f.s[1] - 3) < 1e-14 && abs(f.s[2]) < 1e-14)
    #expect(orthonormalityError(f.u) < 1e-13)
    #expect(f.reconstruct().maxAbsDifference(a) < 1e-13)
    #expect(f.reconstruct(rank: 2).maxAbsDifference(a) < 1e-13)
  }

  @Test func svdOfRankDeficientRectangularMatrices() {
    // Rank 2 outer-product sum, 9×6 and its 6×9 transpose; plus the zero matrix.
    let x = testMatrix(9, 2, seed: 5), y = testMatrix(2, 6, seed: 6)
    for a in [x * y, (x * y).transposed, DenseMatrix(zeros: 4, 3)] {
      let f = a.svd()
      #expect(f.reconstruct().maxAbsDifference(a) < 1e-12)
      #expect(orthonormalityError(f.u) < 1e-12)
      #expect(orthonormalityError(f.vt.transposed) < 1e-12)
      for sv in f.s.dropFirst(2) { #expect(sv < 1e-12) }
    }
    // Truncating a rank-2 matrix to rank 2 loses nothing.
    let a = x * y
    #expect(a.svd().reconstruct(rank: 2).maxAbsDifference(a) < 1e-12)
  }

  @Test func svdOfIllConditionedMatrixKeepsSmallSingularValues() {
    // Singular values spanning 12 orders of magnitude (one-sided Jacobi is relatively accurate).
    let q1 = testMatrix(6, 6, seed: 21).qr().q, q2 = testMatrix(6, 6, seed: 22).qr().q
    let sigma = [1, 1e-2, 1e-4, 1e-6, 1e-9, 1e-12]
    let a = q1 * DenseMatrix.diagonal(sigma, rows: 6, cols: 6) * q2.transposed
    let s = a.singularValues()
    for (got, want) in zip(s, sigma) { #expect(abs(got - want) < 1e-15 + 1e-3 * want) }
  }

  @Test(arguments: [(8, 5), (5, 8), (7, 7), (1, 4), (4, 1), (40, 33)])
  func bidiagonalSingularValuesMatchJacobi(shape: (Int, Int)) {
    let a = testMatrix(shape.0, shape.1, seed: 13)
    let fast = a.singularValuesByBidiagonalization()
    let accurate = a.singularValues()
    #expect(fast.count == accurate.count)
    for (f, j) in zip(fast, accurate) { #expect(abs(f - j) < 1e-12 * accurate[0]) }
  }

  @Test func bidiagonalSingularValuesOfRankDeficientMatrices() {
    // Rank 1 and rank 2 (9×6 and 6×9): the zero singular values come out at rounding level.
    let x = testMatrix(9, 2, seed: 5), y = testMatrix(2, 6, seed: 6)
    for (a, rank) in [
      (x * y, 2), ((x * y).transposed, 2), (x.slice(rows: 0..<9, cols: 0..<1) * y.slice(rows: 0..<1, cols: 0..<6), 1),
    ] {
      let fast = a.singularValuesByBidiagonalization()
      let accurate = a.singularValues()
      for i in 0..<rank { #expect(abs(fast[i] - accurate[i]) < 1e-12 * accurate[0]) }
      for v in fast.dropFirst(rank) { #expect(v < 1e-14 * accurate[0]) }
      // Effective rank of an exactly rank-r matrix: Roy–Vetterli gives ≤ r and the tiny values add nothing.
      #expect(Metrics.effectiveRank(singularValues: fast) <= Double(rank) + 1e-9)
    }
    #expect(DenseMatrix(zeros: 3, 2).singularValuesByBidiagonalization() == [0, 0])
    let diagonal = DenseMatrix.diagonal([3, -4, 0], rows: 3, cols: 3).singularValuesByBidiagonalization()
    #expect(zip(diagonal, [4.0, 3, 0]).allSatisfy { abs($0 - $1) < 1e-14 })
  }

  @Test func symmetricEigenOfKnownAndRandomMatrices() {
    let a = DenseMatrix(rows: 2, cols: 2, values: [2, 1, 1, 2])
    let e = a.symmetricEigen()
    #expect(abs(e.values[0] - 3) < 1e-14 && abs(e.values[1] - 1) < 1e-14)
    let b = testMatrix(7, 5, seed: 9)
    let g = b.outerGram  // 7×7, rank 5, PSD
    let f = g.symmetricEigen()
    #expect(orthonormalityError(f.vectors) < 1e-12)
    let rebuilt = f.vectors * DenseMatrix.diagonal(f.values, rows: 7, cols: 7) * f.vectors.transposed
    #expect(rebuilt.maxAbsDifference(g) < 1e-12)
    // Eigenvalues of B·Bᵀ are the squared singular values of B (and two zeros).
    let s = b.singularValues()
    for i in 0..<5 { #expect(abs(f.values[i] - s[i] * s[i]) < 1e-12) }
    #expect(abs(f.values[5]) < 1e-12 && abs(f.values[6]) < 1e-12)
  }

  @Test func choleskySolvesAndRejectsIndefinite() throws {
    let b = testMatrix(6, 4, seed: 2)
    let a = b.gram + 0.1 * .identity(4)
    let rhs = testMatrix(4, 2, seed: 4)
    let x = try a.choleskySolve(rhs)
    #expect((a * x).maxAbsDifference(rhs) < 1e-12)
    let l = try a.cholesky()
    #expect((l * l.transposed).maxAbsDifference(a) < 1e-13)
    let bad = DenseMatrix(rows: 2, cols: 2, values: [1, 2, 2, 1])
    #expect(throws: LinearAlgebraError.notPositiveDefinite(index: 1, pivot: -3)) { try bad.cholesky() }
  }
}

/// O(n²) reference DFT.
func naiveDFT(_ x: [Double]) -> (re: [Double], im: [Double]) {
  let n = x.count
  var re = [Double](repeating: 0, count: n), im = re
  for k in 0..<n {
    for j in 0..<n {
      let a = -2 * Double.pi * Double((j * k) % n) / Double(n)
      re[k] += x[j] * cos(a)
      im[k] += x[j] * sin(a)
    }
  }
  return (re, im)
}

@Suite struct FourierTransformTests {
  @Test(arguments: [1, 2, 3, 5, 8, 12, 64, 100, 127])
  func matchesNaiveDFT(n: Int) {
    let x = testMatrix(1, n, seed: UInt32(n)).values
    let (re, im) = FourierTransform.dft(re: x, im: [Double](repeating: 0, count: n))
    let ref = naiveDFT(x)
    for k in 0..<n {
      #expect(abs(re[k] - ref.re[k]) < 1e-11 && abs(im[k] - ref.im[k]) < 1e-11)
    }
    let back = FourierTransform.dft(re: re, im: im, inverse: true)
    for k in 0..<n { #expect(abs(back.re[k] - x[k]) < 1e-12 && abs(back.im[k]) < 1e-12) }
  }

  @Test(arguments: [64, 90])
  func pureSineHasOneSpike(n: Int) {
    // A sine with 5 cycles over the window: |X_5| = n/2, everything else 0.
    let x = (0..<n).map { sin(2 * Double.pi * 5 * Double($0) / Double(n)) }
    let mag = FourierTransform.realMagnitude(x)
    #expect(mag.count == n / 2 + 1)
    for (k, m) in mag.enumerated() {
      #expect(abs(m - (k == 5 ? Double(n) / 2 : 0)) < 1e-10)
    }
  }

  @Test func twoDimensionalTransformOfSeparableWave() {
    // cos(2π·2r/8)·cos(2π·3c/6): energy at (±2, ±3) only, each |X| = 48/4 = 12.
    let (rows, cols) = (8, 6)
    let x = (0..<(rows * cols)).map { i -> Double in
      let r = Double(i / cols), c = Double(i % cols)
      return cos(2 * Double.pi * 2 * r / 8) * cos(2 * Double.pi * 3 * c / 6)
    }
    let mag = FourierTransform.magnitude2D(x, rows: rows, cols: cols)
    for u in 0..<rows {
      for v in 0..<cols {
        let peak = (u == 2 || u == 6) && v == 3
        #expect(abs(mag[u * cols + v] - (peak ? 24 : 0)) < 1e-10)
      }
    }
  }
}
