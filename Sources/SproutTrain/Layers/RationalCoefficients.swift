import Foundation
import SproutConfig

extension RationalInitialization {
  /// Starting coefficients for numerator degree `m` and denominator degree `n`: `a₀…a_m` and `b₁…b_n` of
  /// `F = P/Q`, `Q = 1 + Σ|bᵢ||x|ⁱ` (the form the layer computes).
  ///
  /// identity is exact for every degree. For KAT's degrees [5, 4], swish and gelu are the published fits
  /// (`Adamdad/rational_kat_cu`, `kat_rational/init.json`); for other degrees they are fitted here the same way,
  /// by least squares on 1000 points of [−3, 3], in the layer's own form (see ``fit(_:numerator:denominator:)``).
  public func coefficients(numerator m: Int, denominator n: Int) -> (numerator: [Float], denominator: [Float]) {
    switch self {
    case .identity:
      var a = [Float](repeating: 0, count: m + 1)
      if m >= 1 { a[1] = 1 }
      return (a, [Float](repeating: 0, count: n))
    case .swish where m == 5 && n == 4:
      return (
        [3.0549e-07, 0.50000079, 0.24999783, 0.05326628, 0.00580303, 0.00027520],
        [-4.1116e-06, 0.10652899, -1.2690e-06, 0.00055023]
      )
    case .gelu where m == 5 && n == 4:
      // Fitted by KAT with the fit-form denominator 1 + |Σ bᵢxⁱ|: in the kernel form used here it deviates from
      // GELU for x > 1 (F(2) ≈ 1.57). Kept for parity with the upstream coefficients.
      return (
        [-0.00153969, 0.51692871, 0.44075827, 0.0972553, -0.00884418, -0.00378675],
        [-0.14171056, -0.06481231, -0.0444695, 0.01283776]
      )
    case .swish:
      return Self.fit({ $0 / (1 + Foundation.exp(-$0)) }, numerator: m, denominator: n)
    case .gelu:
      return Self.fit({ 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }, numerator: m, denominator: n)
    }
  }

  /// Least-squares coefficients of `P/Q ≈ f` on 1000 equally spaced points of [−3, 3], linearised as
  /// `P(x) − f(x)·Σ cᵢ|x|ⁱ = f(x)` with `cᵢ = |bᵢ| ≥ 0` (coefficients that come out negative are fixed at 0 and
  /// the rest refitted, so the fit is one of the layer's own form).
  static func fit(_ f: (Double) -> Double, numerator m: Int, denominator n: Int) -> (
    numerator: [Float], denominator: [Float]
  ) {
    let xs = (0..<1000).map { -3 + 6 * Double($0) / 999 }
    var active = Array(0..<n)  // denominator terms not fixed at 0
    while true {
      let cols = m + 1 + active.count
      var a = DenseMatrix(zeros: xs.count, cols)
      var rhs = [Double](repeating: 0, count: xs.count)
      for (r, x) in xs.enumerated() {
        let y = f(x)
        for j in 0...m { a[r, j] = Foundation.pow(x, Double(j)) }
        for (k, i) in active.enumerated() { a[r, m + 1 + k] = -y * Foundation.pow(abs(x), Double(i + 1)) }
        rhs[r] = y
      }
      let solution = a.leastSquares(rhs)
      let c = Array(solution[(m + 1)...])
      if let worst = c.indices.filter({ c[$0] < 0 }).min(by: { c[$0] < c[$1] }) {
        active.remove(at: worst)
        continue
      }
      var b = [Float](repeating: 0, count: n)
      for (k, i) in active.enumerated() { b[i] = Float(c[k]) }
      return (solution[0...m].map { Float($0) }, b)
    }
  }
}

extension DenseMatrix {
  /// The x minimising ‖A x − b‖₂ (A has full column rank), by Householder QR: R x = Qᵀ b.
  func leastSquares(_ b: [Double]) -> [Double] {
    let f = qr()
    let n = cols
    var qtb = [Double](repeating: 0, count: n)
    for j in 0..<n {
      var s = 0.0
      for i in 0..<rows { s += f.q[i, j] * b[i] }
      qtb[j] = s
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = qtb[i]
      for j in (i + 1)..<n { s -= f.r[i, j] * x[j] }
      x[i] = f.r[i, i] == 0 ? 0 : s / f.r[i, i]
    }
    return x
  }
}
