import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// Parameters of an MLP `dims[0] → … → dims.last` laid out as [dense, activation, dense, …]: dense `i` is layer `2i`.
func mlpParameters(_ dims: [Int]) -> [Parameter] {
  var out: [Parameter] = []
  for i in 0..<(dims.count - 1) {
    out.append(
      Parameter(
        name: "layers.\(2 * i).weight", role: .weight, layerIndex: 2 * i, denseIndex: i,
        shape: [dims[i + 1], dims[i]]))
    out.append(
      Parameter(
        name: "layers.\(2 * i).bias", role: .bias, layerIndex: 2 * i, denseIndex: i,
        shape: [dims[i + 1]]))
  }
  return out
}

/// y = x·Wᵀ + b for a batch (row-major), in Double for the reference.
func denseForward(_ x: [Float], batch: Int, weight: Parameter, bias: Parameter?) -> [Float] {
  let (out, inp) = (weight.shape[0], weight.shape[1])
  var y = [Float](repeating: 0, count: batch * out)
  let w = weight.value.pointer
  x.withUnsafeBufferPointer { xs in
    for r in 0..<batch {
      for o in 0..<out {
        var s: Float = bias?.value[o] ?? 0
        for k in 0..<inp { s += xs[r * inp + k] * w[o * inp + k] }
        y[r * out + o] = s
      }
    }
  }
  return y
}

func moments(_ x: [Float]) -> (mean: Double, variance: Double) {
  let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
  let v = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count)
  return (mean, v)
}

@Suite struct InitializerTests {
  /// Each random rule's empirical variance within 3% of its formula (262,144 draws: the estimator's own
  /// relative standard error is ≈0.3%), on a 512×512 and a 256×1024 weight.
  @Test(arguments: [[512, 512], [256, 1024]])
  func varianceMatchesFormula(shape: [Int]) throws {
    let (fo, fi) = (Double(shape[0]), Double(shape[1]))
    let z = NormalDistribution.cdf(2) - NormalDistribution.cdf(-1)
    let tnMean = (NormalDistribution.pdf(-1) - NormalDistribution.pdf(2)) / z
    let tnVar = 1 + (-1 * NormalDistribution.pdf(-1) - 2 * NormalDistribution.pdf(2)) / z - tnMean * tnMean
    let cases: [(InitRule, mean: Double, variance: Double, bound: Double?)] = [
      (.uniform(low: -0.5, high: 1), 0.25, 1.5 * 1.5 / 12, nil),
      (.normal(mean: 0.3, std: 0.7), 0.3, 0.49, nil),
      (.truncatedNormal(mean: 0, std: 1, a: -1, b: 2), tnMean, tnVar, nil),
      (.xavierUniform(gain: 1), 0, 2 / (fi + fo), (6 / (fi + fo)).squareRoot()),
      (.xavierNormal(gain: 5.0 / 3), 0, 25.0 / 9 * 2 / (fi + fo), nil),
      (.kaimingUniform(mode: .fanIn, nonlinearity: .relu), 0, 2 / fi, (6 / fi).squareRoot()),
      (.kaimingNormal(mode: .fanOut, nonlinearity: .leakyRelu(slope: 0.2)), 0, 2 / 1.04 / fo, nil),
      (.kaimingNormal(mode: .fanIn, nonlinearity: .tanh), 0, 25.0 / 9 / fi, nil),
      (.lecunUniform, 0, 1 / fi, (3 / fi).squareRoot()),
      (.lecunNormal, 0, 1 / fi, nil),
      (.pytorchDefault, 0, 1 / (3 * fi), 1 / fi.squareRoot()),
      (.siren(omega: 30, c: 6), 0, 2 / fi / 900, (6 / fi).squareRoot() / 30),
      (.sirenFirst, 0, 1 / (3 * fi * fi), 1 / fi),
      (.ibp, 0, 2 * Double.pi / (fi * fi), nil),
      (.sparse(sparsity: 0.1, std: 0.01), 0, 0.9 * 1e-4, nil),
    ]
    for (rule, mean, variance, bound) in cases {
      var stream = RandomStream(seed: 1, path: ["var", rule.kind])
      let w = try rule.draw(shape: shape, stream: &stream)
      let m = moments(w)
      let sd = variance.squareRoot()
      #expect(abs(m.mean - mean) < 0.01 * sd + 1e-12, "\(rule.kind) mean \(m.mean) vs \(mean)")
      #expect(abs(m.variance / variance - 1) < 0.03, "\(rule.kind) variance \(m.variance) vs \(variance)")
      if let bound {
        let maxAbs = Double(w.map { abs($0) }.max()!)
        #expect(maxAbs <= bound * (1 + 1e-6) && maxAbs > 0.999 * bound, "\(rule.kind) bound \(maxAbs) vs \(bound)")
      }
    }
  }

  @Test func gainTableIsPyTorchs() {
    #expect(Nonlinearity.linear.gain == 1)
    #expect(Nonlinearity.sigmoid.gain == 1)
    #expect(Nonlinearity.tanh.gain == 5.0 / 3)
    #expect(Nonlinearity.relu.gain == 2.0.squareRoot())
    #expect(Nonlinearity.leakyRelu(slope: 0.01).gain == (2 / (1 + 0.0001)).squareRoot())
    #expect(Nonlinearity.leakyRelu(slope: 5.0.squareRoot()).gain == (2.0 / 6).squareRoot())
    #expect(Nonlinearity.selu.gain == 0.75)
    // gelu/silu: 1/√E[f(z)²] of a standard normal z, checked here by a Monte-Carlo estimate.
    var s = RandomStream(seed: 1, path: ["gain"])
    var z = [Float](repeating: 0, count: 400_000)
    s.fillNormal(&z, count: z.count, mean: 0, std: 1)
    let gelu =
      z.reduce(0.0) { acc, x in
        let g = Double(x) * 0.5 * (1 + erf(Double(x) / 2.0.squareRoot()))
        return acc + g * g
      } / Double(z.count)
    let silu =
      z.reduce(0.0) { acc, x in
        let v = Double(x) / (1 + exp(-Double(x)))
        return acc + v * v
      } / Double(z.count)
    #expect(abs(Nonlinearity.gelu.gain / (1 / gelu).squareRoot() - 1) < 0.005)
    #expect(abs(Nonlinearity.silu.gain / (1 / silu).squareRoot() - 1) < 0.005)
  }

  @Test func truncatedNormalRespectsAbsoluteBounds() throws {
    var s = RandomStream(seed: 2, path: ["tn"])
    let w = try InitRule.truncatedNormal(mean: 1, std: 2, a: 0.5, b: 1.5).draw(shape: [64, 64], stream: &s)
    #expect(w.allSatisfy { $0 >= 0.5 && $0 <= 1.5 })
  }

  @Test func sparseZerosExactlyPerColumn() throws {
    var s = RandomStream(seed: 3, path: ["sparse"])
    let (rows, cols) = (50, 40)
    let w = try InitRule.sparse(sparsity: 0.33, std: 1).draw(shape: [rows, cols], stream: &s)
    for c in 0..<cols {
      let zeros = (0..<rows).filter { w[$0 * cols + c] == 0 }.count
      #expect(zeros == 17)  // ceil(0.33 · 50)
    }
  }

  /// ‖WᵀW − g²I‖_max tiny (rows ≥ cols) or ‖WWᵀ − g²I‖ (rows < cols).
  @Test(arguments: [[256, 256], [96, 300], [300, 96]])
  func orthogonalIsOrthogonal(shape: [Int]) throws {
    let gain = 2.0.squareRoot()
    var s = RandomStream(seed: 4, path: ["orth"])
    let w = try InitRule.orthogonal(gain: gain).draw(shape: shape, stream: &s)
    var m = DenseMatrix(rows: shape[0], cols: shape[1], values: w.map(Double.init))
    if shape[0] < shape[1] { m = m.transposed }
    let gram = m.transposed * m
    var worst = 0.0
    for i in 0..<gram.rows {
      for j in 0..<gram.cols { worst = max(worst, abs(gram[i, j] - (i == j ? gain * gain : 0))) }
    }
    #expect(worst < 1e-5, "max deviation \(worst)")
  }

  @Test func lowRankHasExactRankAndBaseNorm() throws {
    let shape = [96, 128]
    let base = InitRule.kaimingNormal(mode: .fanIn, nonlinearity: .relu)
    for rank in [1, 5, 30] {
      var s = RandomStream(seed: 5, path: ["lowrank"])
      let w = try InitRule.lowRank(rank: rank, base: base, matchNorm: true).draw(shape: shape, stream: &s)
      var b = RandomStream(seed: 5, path: ["lowrank"])
      let w0 = try base.draw(shape: shape, stream: &b)
      let sv = DenseMatrix(rows: 96, cols: 128, values: w.map(Double.init)).singularValues()
      #expect(sv[rank - 1] > 1e-2 * sv[0])
      #expect(sv[rank] < 1e-5 * sv[0], "rank \(rank): σ_{r+1}/σ_1 = \(sv[rank] / sv[0])")
      let norm = (w.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
      let norm0 = (w0.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
      #expect(abs(norm / norm0 - 1) < 1e-5)
    }
    var plain = RandomStream(seed: 5, path: ["lowrank"])
    let unscaled = try InitRule.lowRank(rank: 5, base: base, matchNorm: false).draw(shape: shape, stream: &plain)
    var ref = RandomStream(seed: 5, path: ["lowrank"])
    let w0 = DenseMatrix(rows: 96, cols: 128, values: try base.draw(shape: shape, stream: &ref).map(Double.init))
    let truncated = w0.svd().reconstruct(rank: 5).values
    #expect(zip(unscaled, truncated).allSatisfy { abs(Double($0) - $1) < 1e-5 })
    var s = RandomStream(seed: 5, path: ["lowrank"])
    #expect(throws: InitError.self) { try InitRule.lowRank(rank: 97, base: base, matchNorm: true).draw(shape: shape, stream: &s) }
  }

  @Test func identityIsExact() throws {
    var s = RandomStream(seed: 6, path: ["eye"])
    let w = try InitRule.identity(gain: 1).draw(shape: [3, 5], stream: &s)
    #expect(w == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0])
    #expect(throws: InitError.self) { try InitRule.identity(gain: 1).draw(shape: [4], stream: &s) }
  }
}
