import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// Effective and stable rank of the weights that are not one dense matrix: a convolution's `[F, C, k, k]` weight is
/// read as the `F × C·k²` matrix of its filters (what the im2col product multiplies, one row per filter), and a
/// recurrent layer's input and recurrent matrices are reported each under its own name.
@Suite struct WeightRankMetricTests {
  /// Measures `metrics` of `net` with no loss (weight metrics read no data).
  func measure(_ net: Network, _ metrics: [MetricConfig], features: Int) throws -> [String: MetricValue] {
    let data = regression([Float](repeating: 0, count: features), [0], count: 1, features: features)
    return try Evaluation.measure(network: net, data: data, loss: nil, record: metrics)
  }

  @Test func aConvolutionsRankIsTheRankOfItsFilters() throws {
    // 3 filters over 2 channels, 2×2 kernels: the matrix of filters is 3 × 8.
    let net = try Network(
      shape: .image(channels: 2, height: 3, width: 3),
      layers: [.conv2d(filters: 3, kernel: 2, stride: 1, padding: 0, bias: false), .flatten, .dense(units: 1, bias: false)],
      backend: layerTestBackend(), maxBatch: 1)
    let w = try #require(net.parameter(named: "layers.0.weight"))
    #expect(w.shape == [3, 2, 2, 2])
    for i in 0..<w.value.count { w.value[i] = 0 }
    // Filter 0 reads tap (0, 0) of both channels, filter 1 tap (0, 0) of channel 0, filter 2 nothing: rows
    // e₀ + e₄ and e₀ of the 3 × 8 matrix, whose singular values are the golden ratio φ and 1/φ. Read as
    // [F·C, k²] = 6 × 4 instead, every nonzero row would be e₀: rank 1.
    w.value[0] = 1
    w.value[4] = 1
    w.value[8] = 1
    let phi = (1 + 5.0.squareRoot()) / 2
    let r = try measure(
      net,
      [.effectiveRank(layers: .first, definition: .entropy), .stableRank(layers: .first)], features: 18)
    let expected = Metrics.effectiveRank(singularValues: [phi, 1 / phi, 0])
    let rank = try #require(r["effective_rank"]?["layers.0.weight"]?.scalar)
    #expect(abs(rank - expected) < 1e-6, "\(rank) vs \(expected)")
    #expect(rank > 1.5)
    // Stable rank ‖W‖²_F / σ₁² = 3 / φ².
    #expect(abs(try #require(r["stable_rank"]?["layers.0.weight"]?.scalar) - 3 / (phi * phi)) < 1e-6)
  }

  @Test func aRecurrentLayersTwoMatricesAreRankedApart() throws {
    let net = try Network(
      shape: .sequence(length: 2, features: 2), layers: [.rnn(units: 3, nonlinearity: .tanh, sequence: false)],
      backend: layerTestBackend(), maxBatch: 1)
    let ih = try #require(net.parameter(named: "layers.0.weight_ih"))  // [3, 2], rank 1
    let hh = try #require(net.parameter(named: "layers.0.weight_hh"))  // [3, 3], the identity
    for (i, v) in [Float(1), 2, 2, 4, 3, 6].enumerated() { ih.value[i] = v }
    for i in 0..<9 { hh.value[i] = i % 4 == 0 ? 1 : 0 }
    let r = try measure(net, [.effectiveRank(layers: .all, definition: .entropy)], features: 4)
    let ranks = try #require(r["effective_rank"])
    #expect(abs(try #require(ranks["layers.0.weight_ih"]?.scalar) - 1) < 1e-6)
    #expect(abs(try #require(ranks["layers.0.weight_hh"]?.scalar) - 3) < 1e-6)
  }
}
