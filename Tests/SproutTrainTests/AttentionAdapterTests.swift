import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Adapters on attention projections (LoRA on W_q and W_v, Hu et al. ICLR 2022, §7.1; PiSSA, EVA and SVFit on any
/// projection): gradients on both backends, the function-preserving inits acting on their own row block of
/// `in_proj_weight`, EVA's shared input, and folding into the packed weight.
struct AttentionAdapterTests {
  static let backends = ["cpu", "blas"]
  /// Weight layers: 0 embedding, 1 attention, 2 linear1, 3 linear2, 4 head.
  static let layers: [LayerConfig] = [
    .embedding(vocab: 5, dim: 4, positional: .learned),
    .transformerBlock(heads: 2, mlp: 6, causal: true, norm: .pre, activation: .gelu), .dense(units: 5, bias: true),
  ]
  static let shape = TensorShape.tokens(length: 4, vocab: 5)

  func network(_ backend: String = "cpu", maxBatch: Int = 3) throws -> Network {
    let net = try Network(
      shape: Self.shape, layers: Self.layers, backend: layerTestBackend(named: backend), maxBatch: maxBatch, seed: 5)
    var rng = LayerTestRandom(11)
    for p in net.parameters {
      for i in 0..<p.value.count { p.value[i] = p.role == .gain ? 1 + 0.2 * rng.normal() : 0.5 * rng.normal() }
    }
    return net
  }

  func tokens(_ batch: Int, seed: UInt64 = 3) -> [Float] {
    var rng = LayerTestRandom(seed)
    return (0..<(batch * 4)).map { _ in Float(rng.next() % 5) }
  }

  func outputs(_ net: Network, _ x: [Float], batch: Int) -> [Float] {
    x.withUnsafeBufferPointer {
      Array(
        UnsafeBufferPointer(start: net.forward($0.baseAddress!, batch: batch, training: false), count: batch * net.outputWidth))
    }
  }

  func site(_ net: Network, _ layer: Int, _ projection: AttentionProjection? = nil) throws -> AdapterSite {
    try #require(net.adapterSites.first { $0.id == AdapterSiteID(layer: layer, projection: projection) })
  }

  func perturbAdapters(_ net: Network) {
    var rng = LayerTestRandom(7)
    for p in net.parameters + net.buffers where p.role == .adapter && !p.name.hasSuffix("lora_scale") {
      for i in 0..<p.value.count { p.value[i] = rng.uniform(-0.6, 0.6) }
    }
  }

  /// LoRA on all four projections and on the block's first MLP layer (position-wise): only the adapters train, and
  /// their gradients match central differences.
  @Test(arguments: backends) func loraGradients(_ backend: String) throws {
    let net = try network(backend)
    try net.attachAdapters(
      AttentionProjection.allCases.map { AdapterPlacement(form: .lora, denseIndex: 1, projection: $0, rank: 2, scale: 1.5) }
        + [AdapterPlacement(form: .lora, denseIndex: 2, rank: 2, scale: 0.5)])
    perturbAdapters(net)
    let block = "layers.1.layers.0.layers.1"
    #expect(
      net.parameters.filter(\.trainable).map(\.name) == [
        "\(block).query.lora_A", "\(block).query.lora_B", "\(block).key.lora_A", "\(block).key.lora_B",
        "\(block).value.lora_A", "\(block).value.lora_B", "\(block).out_proj.lora_A", "\(block).out_proj.lora_B",
        "layers.1.layers.1.layers.1.lora_A", "layers.1.layers.1.layers.1.lora_B",
      ])
    let result = layerTestCheckGradients(net, x: tokens(2), batch: 2, training: true, checkInput: false)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)")
  }

  /// SVFit on query and output of an attention layer over a float sequence, input gradient included.
  @Test(arguments: backends) func svfitGradients(_ backend: String) throws {
    let net = try Network(
      shape: .sequence(length: 5, features: 6), layers: [.attention(heads: 2, causal: false), .dense(units: 2, bias: true)],
      backend: layerTestBackend(named: backend), maxBatch: 3, seed: 5)
    layerTestRandomizeWeights(net, seed: 11)
    var rng = LayerTestRandom(4)
    for p in net.parameters where p.role == .attentionInput || p.role == .attentionOutput {
      for i in 0..<p.value.count { p.value[i] = 0.5 * rng.normal() }
    }
    try net.attachAdapters([
      AdapterPlacement(form: .svfit, denseIndex: 0, projection: .query, rank: 3),
      AdapterPlacement(form: .svfit, denseIndex: 0, projection: .output, rank: 2),
    ])
    perturbAdapters(net)
    #expect(net.parameters.filter(\.trainable).map(\.name) == ["layers.0.query.svfit_sigma", "layers.0.out_proj.svfit_sigma"])
    let result = layerTestCheckGradients(
      net, x: GradientCheckTests.inputs(2 * 30, seed: 3), batch: 2, training: true)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)")
  }

  @Test func attachingRefusesWhatTakesNoAdapter() throws {
    let net = try network()
    // The embedding takes none; attention needs a projection; a dense layer has none; one adapter per projection.
    #expect(throws: AdapterError.self) { try net.attachAdapters([AdapterPlacement(form: .lora, denseIndex: 0, rank: 1)]) }
    #expect(throws: AdapterError.self) { try net.attachAdapters([AdapterPlacement(form: .lora, denseIndex: 1, rank: 1)]) }
    #expect(throws: AdapterError.self) {
      try net.attachAdapters([AdapterPlacement(form: .lora, denseIndex: 2, projection: .query, rank: 1)])
    }
    #expect(throws: AdapterError.self) {
      try net.attachAdapters([
        AdapterPlacement(form: .lora, denseIndex: 1, projection: .key, rank: 1),
        AdapterPlacement(form: .svfit, denseIndex: 1, projection: .key, rank: 1),
      ])
    }
    #expect(throws: AdapterError.self) {
      try net.attachAdapters([AdapterPlacement(form: .lora, denseIndex: 1, projection: .value, rank: 5)])
    }
  }

  /// PiSSA and SVFit move the projection's top singular part into the adapter and leave the residual in its own rows
  /// of `in_proj_weight` (the other projections' rows untouched); every init keeps the network's function.
  @Test(arguments: ["pissa", "svfit", "gaussian"]) func initKeepsTheFunction(_ rule: String) throws {
    let net = try network()
    let x = tokens(3, seed: 8)
    let before = outputs(net, x, batch: 3)
    let attention = try #require(net.weightLayers[1].layer as? AttentionLayer)
    let packed0 = attention.inWeight.value.array
    let output0 = attention.outWeight.value.array
    let form: DenseAdapter.Form = rule == "svfit" ? .svfit : .lora
    try net.attachAdapters([
      AdapterPlacement(form: form, denseIndex: 1, projection: .key, rank: 3, scale: 2),
      AdapterPlacement(form: form, denseIndex: 1, projection: .output, rank: 2, scale: 2),
    ])
    for projection in [AttentionProjection.key, .output] {
      let s = try site(net, 1, projection)
      if rule == "svfit" {
        try AdapterInitialization.svfit(s)
      } else {
        var stream = RandomStream(seed: 1, path: [s.adapter.down.name])
        try AdapterInitialization.lora(s, rule: rule == "pissa" ? .pissa : .gaussian, stream: &stream)
      }
    }
    for (a, b) in zip(before, outputs(net, x, batch: 3)) { #expect(abs(a - b) < 1e-5) }
    let packed = attention.inWeight.value.array
    // Query (rows 0..<4) and value (rows 8..<12) rows are untouched; only the key's block changed.
    #expect(Array(packed[0..<16]) == Array(packed0[0..<16]) && Array(packed[32..<48]) == Array(packed0[32..<48]))
    if rule == "gaussian" {
      #expect(packed == packed0 && attention.outWeight.value.array == output0)
    } else {
      let key = DenseMatrix(rows: 4, cols: 4, floats: Array(packed0[16..<32])).svd().s
      let residual = DenseMatrix(rows: 4, cols: 4, floats: Array(packed[16..<32])).svd().s
      #expect(abs(residual[0] - key[3]) < 1e-5)
      let delta = try site(net, 1, .key).adapter.delta.svd().s
      for k in 0..<3 { #expect(abs(delta[k] - key[k]) < 1e-4) }
    }
  }

  /// Query, key and value read the same input, so EVA gives them one set of components (PEFT shares one SVD); the
  /// output projection reads the concatenated heads, which have their own.
  @Test func evaReadsEachProjectionsInput() throws {
    let net = try network(maxBatch: 4)
    let x = tokens(10, seed: 2)
    let sites = [AttentionProjection.query, .value, .output].map { AdapterSiteID(layer: 1, projection: $0) }
      + [AdapterSiteID(layer: 2)]
    let components = try EVA.components(of: net, sites: sites, features: x, rows: 10, keep: 3)
    let q = try #require(components[sites[0]])
    let v = try #require(components[sites[1]])
    let o = try #require(components[sites[2]])
    #expect(q.directions.values == v.directions.values && q.ratios == v.ratios)
    #expect(q.directions.values != o.directions.values)
    // 40 rows (10 samples × 4 positions) of width 4: three ratios, descending, summing to at most 1.
    #expect(q.ratios.count == 3 && q.ratios[0] >= q.ratios[1] && q.ratios.reduce(0, +) <= 1 + 1e-9)
    let ranks = EVA.allocate(components, budget: 8)
    #expect(ranks.values.reduce(0, +) == 8 && abs((ranks[sites[0]] ?? 0) - (ranks[sites[1]] ?? 0)) <= 1)
  }

  /// Folding query, value and output adapters into `in_proj_weight` and `out_proj.weight` gives a plain network that
  /// computes what the adapted one does.
  @Test func mergingFoldsIntoThePackedWeight() throws {
    let net = try network()
    try net.attachAdapters([
      AdapterPlacement(form: .lora, denseIndex: 1, projection: .query, rank: 2, scale: 1.5),
      AdapterPlacement(form: .svfit, denseIndex: 1, projection: .value, rank: 2),
      AdapterPlacement(form: .lora, denseIndex: 1, projection: .output, rank: 3, scale: 0.5),
    ])
    perturbAdapters(net)
    let x = tokens(3, seed: 4)
    let adapted = outputs(net, x, batch: 3)
    var tensors: [String: StageTensor] = [:]
    for p in net.parameters + net.buffers { tensors[p.name] = StageTensor(shape: p.shape, values: p.value.array) }
    let merged = try AdapterMerge.merged(tensors)
    #expect(!merged.keys.contains { $0.contains("lora") || $0.contains("svfit") })
    let plain = try network()
    for p in plain.parameters + plain.buffers {
      for (i, v) in try #require(merged[p.name]).values.enumerated() { p.value[i] = v }
    }
    for (a, b) in zip(adapted, outputs(plain, x, batch: 3)) { #expect(abs(a - b) < 1e-5) }
    // The metrics read the same folded weight (W + ΔW in the adapted rows).
    let attention = try #require(net.weightLayers[1].layer as? AttentionLayer)
    let folded = try #require(merged[attention.inWeight.name]).values
    for (a, b) in zip(attention.effectiveValues(of: attention.inWeight), folded) { #expect(abs(a - b) < 1e-6) }
  }
}
