import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// Initializers on a real planned `Network` (cpu backend): LSUV through residual blocks, Fourier projections, and
/// the activation scales of Glorot & Bengio (2010) and He et al. (2015) measured by the network's own forward.
@Suite struct InitializerNetworkTests {
  func cpu() throws -> any Backend { try Backends.make(name: "cpu", threads: 1) }

  @Test func lsuvOnANetworkWithAResidualBlock() throws {
    let layers: [LayerConfig] = [
      .dense(units: 96, bias: true), .activation(.tanh),
      .residual([.dense(units: 96, bias: true), .activation(.relu), .dense(units: 96, bias: true)]),
      .activation(.tanh), .dense(units: 10, bias: true),
    ]
    let net = try Network(input: 48, layers: layers, backend: try cpu(), maxBatch: 256)
    let rows = 256
    let x = gaussianBatch(rows * 48, seed: 8)
    let report = try Initialization.apply(
      InitConfig(
        rule: .lsuv(
          tolerance: 0.02, maxIterations: 20, batch: rows, base: .orthogonal(gain: 1),
          data: DataSelection(dataset: DatasetConfig(name: "x", source: .twoSpirals(samples: 8, turns: 1, noise: 0))))),
      to: net, seed: 1, path: ["lsuv"],
      batch: (x, rows))
    #expect(report.lsuv.count == net.denseLayers.count && net.denseLayers.count == 4)
    x.withUnsafeBufferPointer { _ = net.forward($0.baseAddress!, batch: rows, training: false) }
    for layer in net.denseLayers {
      let out = Array(UnsafeBufferPointer(start: layer.output, count: rows * layer.outputWidth))
      let v = moments(out).variance
      #expect(abs(v - 1) <= 0.02, "dense \(layer.denseIndex) variance \(v)")
    }
  }

  /// Selectors count dense layers, residual bodies included: dense layer 1 is the one inside the block.
  @Test func fourierProjectionGetsItsSigmaAndLayerSelectorsSeeNesting() throws {
    let layers: [LayerConfig] = [
      .fourierFeatures(features: 256, sigma: 3, trainable: false, includeInput: false), .dense(units: 64, bias: true),
      .activation(.relu), .residual([.dense(units: 64, bias: true)]), .dense(units: 1, bias: true),
    ]
    let net = try Network(input: 2, layers: layers, backend: try cpu(), maxBatch: 8)
    try Initialization.apply(
      InitConfig(
        rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu), layerRules: [.init(.indices([1]), .zeros)],
        bias: .constant(0.1)),
      to: net, seed: 2, path: [])
    let projection = try #require(net.parameter(named: "layers.0.projection"))
    #expect(abs(moments(projection.value.array).variance.squareRoot() - 3) < 0.3)
    #expect(net.parameter(named: "layers.3.layers.0.weight")!.value.array.allSatisfy { $0 == 0 })
    #expect(net.parameter(named: "layers.3.layers.0.bias")!.value.array.allSatisfy { $0 == Float(0.1) })
    let w = net.parameter(named: "layers.1.weight")!.value.array
    #expect(abs(moments(w).variance / (2.0 / 512) - 1) < 0.1)
    // Without the network, a projection's sigma is missing context, not silently zero.
    #expect(throws: InitError.self) {
      try Initialization.apply(InitConfig(rule: .zeros), to: net.parameters, seed: 2, path: [])
    }
  }

  /// On the real network: 20 relu layers with kaiming keep E[relu(z)²] ≈ 1 and 20 tanh layers with xavier
  /// (tanh gain) keep the pre-activation std near 1.
  @Test func deepNetworksKeepTheirScale() throws {
    let width = 128
    let rows = 128
    let x = gaussianBatch(rows * width, seed: 9)
    for (act, rule) in [
      (ActivationConfig.relu, InitRule.kaimingNormal(mode: .fanIn, nonlinearity: .relu)),
      (.tanh, .xavierNormal(gain: Nonlinearity.tanh.gain)),
    ] {
      var layers: [LayerConfig] = []
      for _ in 0..<20 { layers += [.dense(units: width, bias: true), .activation(act)] }
      let net = try Network(input: width, layers: layers, backend: try cpu(), maxBatch: rows)
      try Initialization.apply(InitConfig(rule: rule), to: net, seed: 3, path: ["deep"])
      x.withUnsafeBufferPointer { _ = net.forward($0.baseAddress!, batch: rows, training: false) }
      for layer in net.denseLayers {
        let z = Array(UnsafeBufferPointer(start: layer.output, count: rows * width))
        let scale =
          act == .relu
          ? (z.reduce(0.0) { $0 + Double(max($1, 0) * max($1, 0)) } / Double(z.count)).squareRoot()
          : moments(z).variance.squareRoot()
        // Kaiming/Xavier fix the *expected* scale; at width 128 each layer multiplies it by a random factor with
        // relative spread ≈ √(2/width), so after 20 layers ±2σ is roughly ×/÷ 2. Vanishing (PyTorch's default
        // would give ≈ 6^(−10) ≈ 1e-8 here) or exploding would leave this band by orders of magnitude.
        #expect(scale > 0.35 && scale < 2.5, "\(act) dense \(layer.denseIndex): \(scale)")
      }
    }
  }
}
