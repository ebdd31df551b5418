import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// Fine-tuning adapters (LoRA, Hu et al. ICLR 2022; PiSSA, Meng et al. 2024; EVA, Paischer et al. 2024; SVFit,
/// Sun et al. 2024; docs/initializers.md, "Adapter inits"): gradients, the function-preserving inits, EVA's
/// allocation and folding adapters into weights.
struct AdapterTests {
  static let layers: [LayerConfig] = [
    .dense(units: 6, bias: true), .activation(.tanh), .dense(units: 5, bias: true),
    .activation(.tanh), .dense(units: 2, bias: true),
  ]

  func network(maxBatch: Int = 8) throws -> Network {
    let net = try Network(input: 4, layers: Self.layers, backend: layerTestBackend(), maxBatch: maxBatch, seed: 5)
    layerTestRandomizeWeights(net, seed: 11, scale: 0.5)
    return net
  }

  func outputs(_ net: Network, _ x: [Float], batch: Int) -> [Float] {
    x.withUnsafeBufferPointer {
      Array(UnsafeBufferPointer(start: net.forward($0.baseAddress!, batch: batch, training: false), count: batch * net.outputWidth))
    }
  }

  /// The attached adapter on weight layer `layer` (and `projection`).
  func site(_ net: Network, _ layer: Int, _ projection: AttentionProjection? = nil) throws -> AdapterSite {
    try #require(net.adapterSites.first { $0.id == AdapterSiteID(layer: layer, projection: projection) })
  }

  /// Moves every adapter tensor off its init so the check sees non-zero A, B and σ.
  func perturbAdapters(_ net: Network) {
    var rng = LayerTestRandom(7)
    for p in net.parameters + net.buffers where p.role == .adapter && !p.name.hasSuffix("lora_scale") {
      for i in 0..<p.value.count { p.value[i] = rng.uniform(-0.6, 0.6) }
    }
  }

  @Test func loraGradients() throws {
    let net = try network()
    try net.attachAdapters([
      AdapterPlacement(form: .lora, denseIndex: 0, rank: 2, scale: 0.5),
      AdapterPlacement(form: .lora, denseIndex: 1, rank: 3, scale: 2),
    ])
    perturbAdapters(net)
    #expect(net.parameters.filter(\.trainable).map(\.name) == [
      "layers.0.lora_A", "layers.0.lora_B", "layers.2.lora_A", "layers.2.lora_B",
    ])
    let result = layerTestCheckGradients(net, x: GradientCheckTests.inputs(12, seed: 3), batch: 3, training: true)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)")
  }

  @Test func svfitGradients() throws {
    let net = try network()
    try net.attachAdapters([AdapterPlacement(form: .svfit, denseIndex: 1, rank: 3)])
    perturbAdapters(net)
    #expect(net.parameters.filter(\.trainable).map(\.name) == ["layers.2.svfit_sigma"])
    #expect(Set(net.buffers.map(\.name)) == ["layers.2.svfit_U", "layers.2.svfit_Vt"])
    let result = layerTestCheckGradients(net, x: GradientCheckTests.inputs(12, seed: 3), batch: 3, training: true)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)")
  }

  @Test func attachingRefusesWhatCannotFit() throws {
    let net = try network()
    #expect(throws: AdapterError.self) { try net.attachAdapters([AdapterPlacement(form: .lora, denseIndex: 3, rank: 1)]) }
    #expect(throws: AdapterError.self) {
      try net.attachAdapters([
        AdapterPlacement(form: .lora, denseIndex: 0, rank: 1), AdapterPlacement(form: .svfit, denseIndex: 0, rank: 1),
      ])
    }
    #expect(throws: AdapterError.self) { try net.attachAdapters([AdapterPlacement(form: .svfit, denseIndex: 2, rank: 3)]) }
  }

  /// PiSSA and SVFit split W into a frozen residual and the adapter's principal part, so the network computes
  /// the same function at init; LoRA-gaussian and EVA start with B = 0, so do they.
  @Test(arguments: ["pissa", "svfit", "gaussian", "zeros"]) func initKeepsTheFunction(_ rule: String) throws {
    let net = try network()
    let x = GradientCheckTests.inputs(4 * 5, seed: 9)
    let before = outputs(net, x, batch: 5)
    let weight0 = net.denseLayers[0].weight.value.array
    if rule == "svfit" {
      try net.attachAdapters([AdapterPlacement(form: .svfit, denseIndex: 0, rank: 3)])
      try AdapterInitialization.svfit(site(net, 0))
    } else {
      try net.attachAdapters([AdapterPlacement(form: .lora, denseIndex: 0, rank: 3, scale: 2)])
      var stream = RandomStream(seed: 1, path: ["lora"])
      let start: AdapterInit = rule == "pissa" ? .pissa : rule == "zeros" ? .zeros : .gaussian
      try AdapterInitialization.lora(site(net, 0), rule: start, stream: &stream)
    }
    let after = outputs(net, x, batch: 5)
    for (a, b) in zip(before, after) { #expect(abs(a - b) < 1e-5) }
    let adapter = try #require(net.denseLayers[0].adapter)
    if rule == "pissa" || rule == "svfit" {
      // The adapter holds the top-3 singular part: the residual's largest singular value is W's fourth.
      let w = DenseMatrix(rows: 6, cols: 4, floats: weight0).svd().s
      let residual = DenseMatrix(rows: 6, cols: 4, floats: net.denseLayers[0].weight.value.array).svd().s
      #expect(abs(residual[0] - w[3]) < 1e-5)
      let delta = adapter.delta.svd().s
      for k in 0..<3 { #expect(abs(delta[k] - w[k]) < 1e-4) }
    }
    if rule == "gaussian" {
      let bound: Float = 0.5  // 1/√in with in = 4
      #expect(adapter.down.value.array.allSatisfy { abs($0) <= bound } && adapter.down.value.array.contains { $0 != 0 })
      #expect(adapter.up.value.array.allSatisfy { $0 == 0 })
    }
  }

  @Test func mergingFoldsTheAdapterIntoTheWeight() throws {
    let net = try network()
    try net.attachAdapters([
      AdapterPlacement(form: .lora, denseIndex: 1, rank: 2, scale: 1.5), AdapterPlacement(form: .svfit, denseIndex: 2, rank: 2),
    ])
    perturbAdapters(net)
    let x = GradientCheckTests.inputs(4 * 3, seed: 4)
    let adapted = outputs(net, x, batch: 3)
    var tensors: [String: StageTensor] = [:]
    for p in net.parameters + net.buffers { tensors[p.name] = StageTensor(shape: p.shape, values: p.value.array) }
    let merged = try AdapterMerge.merged(tensors)
    #expect(!merged.keys.contains { $0.contains("lora") || $0.contains("svfit") })
    let plain = try network()
    for p in plain.parameters { for (i, v) in try #require(merged[p.name]).values.enumerated() { p.value[i] = v } }
    for (a, b) in zip(adapted, outputs(plain, x, batch: 3)) { #expect(abs(a - b) < 1e-5) }
    tensors["layers.2.lora_B"] = StageTensor(shape: [9, 9], values: [Float](repeating: 0, count: 81))
    #expect(throws: AdapterError.self) { try AdapterMerge.merged(tensors) }
  }

  @Test func evaFindsThePrincipalDirectionsAndRedistributesRank() throws {
    // Inputs that vary along one direction only: the first layer's top component is that direction.
    let net = try network(maxBatch: 16)
    let direction: [Float] = [0.6, 0, 0.8, 0]
    var rng = LayerTestRandom(3)
    var features: [Float] = []
    for _ in 0..<40 {
      let t = rng.uniform(-2, 2)
      features += direction.map { $0 * t + 0.01 * rng.uniform() }
    }
    let components = try EVA.components(
      of: net, sites: [AdapterSiteID(layer: 0), AdapterSiteID(layer: 1)], features: features, rows: 40, keep: 3)
    let first = try #require(components[AdapterSiteID(layer: 0)])
    let top = (0..<4).map { first.directions[0, $0] }
    let dot = zip(top, direction).reduce(0.0) { $0 + $1.0 * Double($1.1) }
    #expect(abs(abs(dot) - 1) < 1e-3)
    #expect(first.ratios[0] > 0.99)
    // Layer 0's variance is all in one direction, so it needs one component; layer 1 wins the rest.
    let ranks = EVA.allocate(components, budget: 4)
    #expect(ranks.values.reduce(0, +) == 4)
    #expect(ranks[AdapterSiteID(layer: 0)] == 1 && ranks[AdapterSiteID(layer: 1)] == 3)
  }
}
