import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

@Suite struct MetricFunctionTests {
  @Test func effectiveRankOfKnownSpectra() {
    #expect(abs(Metrics.effectiveRank(singularValues: [1, 1, 1, 1]) - 4) < 1e-14)
    #expect(Metrics.effectiveRank(singularValues: [2, 0, 0]) == 1)
    #expect(Metrics.effectiveRank(singularValues: [0, 0]) == 0)
    // p = (3/4, 1/4): exp(−(¾ ln ¾ + ¼ ln ¼)) = 1.7547653506 (Python reference)
    let expected = exp(-(0.75 * log(0.75) + 0.25 * log(0.25)))
    #expect(abs(Metrics.effectiveRank(singularValues: [3, 1]) - expected) < 1e-14)
    #expect(abs(expected - 1.7547653506033232) < 1e-14)
  }

  @Test func participationRatioAndStableRank() {
    #expect(abs(Metrics.participationRatio(singularValues: [1, 1, 1, 1]) - 4) < 1e-14)
    #expect(abs(Metrics.participationRatio(singularValues: [3, 1]) - 100.0 / 82.0) < 1e-14)
    #expect(abs(Metrics.stableRank(singularValues: [3, 1]) - 10.0 / 9.0) < 1e-14)
    #expect(Metrics.stableRank(singularValues: [0]) == 0)
    // From a matrix: diag(3, 1) rotated has the same spectrum.
    let q = testMatrix(2, 2, seed: 8).qr().q
    let w = q * DenseMatrix.diagonal([3, 1], rows: 2, cols: 2)
    #expect(abs(Metrics.stableRank(singularValues: w.singularValues()) - 10.0 / 9.0) < 1e-13)
  }

  @Test func weightChangeOfKnownPerturbation() {
    // ‖W₀‖ = 5; W − W₀ = (0.3, 0.4, 0, 0) has norm 0.5 → 0.1.
    let w0: [Float] = [3, 4, 0, 0]
    let w: [Float] = [3.3, 4.4, 0, 0]
    #expect(abs(Metrics.relativeChange(w, from: w0) - 0.1) < 1e-7)
    #expect(Metrics.relativeChange(w0, from: w0) == 0)
    #expect(Metrics.relativeChange([0, 1], from: [0, 0]) == .infinity)
    #expect(Metrics.relativeChange([0, 0], from: [0, 0]) == 0)
  }

  @Test func kernelAlignmentOfIdenticalScaledAndOrthogonalKernels() {
    let k = testMatrix(5, 5, seed: 1).outerGram
    #expect(abs(Metrics.alignment(k, k) - 1) < 1e-14)
    #expect(abs(Metrics.alignment(k, 3 * k) - 1) < 1e-14)
    let a = DenseMatrix(rows: 2, cols: 2, values: [1, 0, 0, 0]),
      b = DenseMatrix(rows: 2, cols: 2, values: [0, 0, 0, 1])
    #expect(Metrics.alignment(a, b) == 0)
    // ⟨I, J⟩ / (‖I‖‖J‖) for the all-ones J (n = 4): 4 / (2 · 4) = 0.5.
    let ones = DenseMatrix(rows: 4, cols: 4, values: [Double](repeating: 1, count: 16))
    #expect(abs(Metrics.alignment(.identity(4), ones) - 0.5) < 1e-15)
    #expect(Metrics.alignment(DenseMatrix(zeros: 2, 2), a).isNaN)
  }

  @Test func psnrOfKnownMSE() {
    // Range 2 ([−1, 1]), MSE 0.01: 10·log10(4 / 0.01) = 26.0206 dB.
    #expect(abs(Metrics.psnr(mse: 0.01, range: 2) - 26.020599913279625) < 1e-12)
    #expect(abs(Metrics.psnr(mse: 1e-4, range: 1) - 40) < 1e-12)
    #expect(Metrics.psnr(mse: 0, range: 1) == .infinity)
    let y: [Float] = [0, 1, 2], t: [Float] = [0, 0, 0]
    #expect(abs(Metrics.meanSquaredError(y, t, count: 3) - 5.0 / 3.0) < 1e-15)
  }

  @Test func accuracyCountsArgmaxBinaryAndOneHot() {
    let logits: [Float] = [0.1, 0.9, 0.0, 2, 1, 1, 0, 0, 0]  // argmax 1, 0, 0 (tie → first)
    let labels: [Float] = [1, 0, 2]
    #expect(Metrics.accuracyCounts(outputs: logits, targets: labels, rows: 3, width: 3, loss: .crossEntropy(labelSmoothing: 0)) == (2, 3))
    // Multi-label: every output value is judged.
    let binary: [Float] = [1.5, -0.2, 0.3, -1]
    #expect(
      Metrics.accuracyCounts(outputs: binary, targets: [1, 0, 0, 0], rows: 2, width: 2, loss: .bceWithLogits(posWeight: 1)) == (3, 4))
    // Regression onto one-hot targets: argmax against argmax.
    let oneHot: [Float] = [0, 1, 0, 1, 0, 0, 0, 0, 1]
    #expect(Metrics.accuracyCounts(outputs: logits, targets: oneHot, rows: 3, width: 3, loss: .mse) == (2, 3))
    #expect(
      Metrics.accuracyCounts(outputs: [0.7, 0.2] as [Float], targets: [1, 1], rows: 2, width: 1, loss: .mse) == (1, 2))
  }

  @Test func wassersteinMatchesSciPyDefinition() {
    // scipy.stats.wasserstein_distance([0,1,2],[0,1,2],[1,0,0],[0,0,1]) = 2.0; ([1,1,0],[0,1,1]) = 1.0.
    #expect(Metrics.wasserstein1([1, 0, 0], [0, 0, 1]) == 2)
    #expect(Metrics.wasserstein1([1, 1, 0], [0, 1, 1]) == 1)
    #expect(Metrics.wasserstein1([2, 4, 6], [1, 2, 3]) == 0)  // scale-free
    #expect(Metrics.wasserstein1([0, 0], [1, 0]).isNaN)
  }

  @Test func spectrumOfPureSineIsOneSpike() {
    // 5 cycles over 64 samples: after dropping DC, bin index 4 (frequency 5) holds n/2 = 32.
    let n = 64
    let x = (0..<n).map { sin(2 * Double.pi * 5 * Double($0) / Double(n)) }
    let s = Metrics.spectrum(x, grid: .line(n), channels: 1)
    #expect(s.count == 32)
    for (k, v) in s.enumerated() { #expect(abs(v - (k == 4 ? 32 : 0)) < 1e-10) }
    #expect(Metrics.spectrum(x, grid: .line(n), channels: 1, bins: 8).count == 8)
    // Two channels: magnitudes add.
    let two = x.flatMap { [$0, 2 * $0] }
    #expect(abs(Metrics.spectrum(two, grid: .line(n), channels: 2)[4] - 96) < 1e-10)
    // A spectrum's distance to itself is 0; moving the spike by one bin costs 1.
    let y = (0..<n).map { sin(2 * Double.pi * 6 * Double($0) / Double(n)) }
    let t = Metrics.spectrum(y, grid: .line(n), channels: 1)
    #expect(Metrics.wasserstein1(s, s) == 0)
    #expect(abs(Metrics.wasserstein1(s, t) - 1) < 1e-9)
  }

  @Test func imageSpectrumBinsAntiDiagonals() {
    // cos(2π·2r/8)·cos(2π·3c/6): energy at (u, v) = (2, 3) and (6, 3), both in bin min(u, 8−u) + v = 5.
    let (h, w) = (8, 6)
    let x = (0..<(h * w)).map { i -> Double in
      cos(2 * Double.pi * 2 * Double(i / w) / 8) * cos(2 * Double.pi * 3 * Double(i % w) / 6)
    }
    let s = Metrics.spectrum(x, grid: .image(rows: h, cols: w), channels: 1)
    #expect(s.count == h / 2 + w / 2)
    for (k, v) in s.enumerated() { #expect(abs(v - (k == 4 ? 48 : 0)) < 1e-10) }
  }

  @Test func activationStatisticsOfKnownBuffer() {
    let a: [Float] = [1, -2, 3, -4]
    let s = Metrics.activationStatistics(a, rows: 2, cols: 2)
    #expect(abs(s.mean + 0.5) < 1e-15)
    #expect(abs(s.std - 7.25.squareRoot()) < 1e-14)
    #expect(s.maxAbs == 4)
    #expect(abs(s.massiveRatio - 4 / 2.5) < 1e-15)  // median |a| of {1, 2, 3, 4} = 2.5
    #expect(abs(s.massiveRatioPerInput - (2 / 1.5 + 4 / 3.5) / 2) < 1e-15)
    let dead = Metrics.activationStatistics([0, 0, 0, 5] as [Float], rows: 1, cols: 4)
    #expect(dead.massiveRatio == .infinity)
    #expect(Metrics.median([3, 1, 2]) == 2)
  }

  @Test func metricValueJSONIsCanonicalAndRoundTrips() throws {
    let v = MetricValue.map([
      "b": .scalar(1), "a": .vector([0.5, .nan, -.infinity]), "c": .scalars(["x": 0.1, "w": 1e-300]),
    ])
    #expect(v.json == #"{"a":[0.5,"NaN","-Infinity"],"b":1,"c":{"w":1e-300,"x":0.1}}"#)
    let data = try JSONEncoder().encode(v)
    let back = try JSONDecoder().decode(MetricValue.self, from: data)
    #expect(back["b"]?.scalar == 1)
    #expect(back["c"]?["x"]?.scalar == 0.1)
    let vec = try #require(back["a"]?.vector)
    #expect(vec[0] == 0.5 && vec[1].isNaN && vec[2] == -.infinity)
    // The canonical text parses back to the same bits.
    let parsed = try JSONDecoder().decode(MetricValue.self, from: Data(MetricValue.scalar(0.1 + 0.2).json.utf8))
    #expect(parsed.scalar?.bitPattern == (0.1 + 0.2).bitPattern)
    #expect(MetricValue.scalar(-0.0).json == "-0.0")
  }
}
