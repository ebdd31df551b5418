import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// Initializer rules on embeddings, attention projections and transformer blocks: by default PyTorch's own start
/// (N(0, 1) tables, xavier_uniform over the packed `in_proj_weight` with fans E and 3E, U(±1/√E) out), and a
/// per-layer rule, by kind or index and optionally one tensor, replaces exactly the tensors it names, each query,
/// key and value block drawn as the E×E matrix it is.
@Suite struct InitializerAttentionTests {
  static let width = 64

  /// embedding (vocab 96, learned positions) → attention (4 heads) → a pre-norm block (MLP 128) → dense 96.
  func network() throws -> Network {
    try Network(
      shape: .tokens(length: 8, vocab: 96),
      layers: [
        .embedding(vocab: 96, dim: Self.width, positional: .learned), .attention(heads: 4, causal: false),
        .transformerBlock(heads: 4, mlp: 128, causal: true, norm: .pre, activation: .relu),
        .dense(units: 96, bias: true),
      ], backend: layerTestBackend(), maxBatch: 2)
  }

  func values(_ net: Network, _ name: String) throws -> [Float] {
    try #require(net.parameter(named: name), "no \(name)").value.array
  }

  /// Rows `block` (0 query, 1 key, 2 value) of a packed `[3E, E]` projection.
  func block(_ w: [Float], _ t: Int) -> [Float] {
    let n = Self.width * Self.width
    return Array(w[(t * n)..<((t + 1) * n)])
  }

  func variance(_ x: [Float]) -> Double {
    let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
    return x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count)
  }

  static let attention = "layers.1.in_proj_weight"
  static let blockAttention = "layers.2.layers.0.layers.1.in_proj_weight"

  @Test func theTokenLayersAreWeightLayers() throws {
    let net = try network()
    #expect(net.weightLayers.map(\.kind) == [.embedding, .attention, .attention, .dense, .dense, .dense])
    #expect(net.weightLayers.map(\.inBlock) == [false, false, true, true, true, false])
    #expect(net.weightLayers[0].weights.map(\.name) == ["layers.0.weight", "layers.0.position"])
    #expect(net.weightLayers[1].weights.map(\.name) == [Self.attention, "layers.1.out_proj.weight"])
    #expect(net.parameter(named: "layers.2.layers.1.layers.1.weight")?.tensorWord == "linear1")
    #expect(net.parameter(named: "layers.2.layers.1.layers.3.weight")?.tensorWord == "linear2")
  }

  /// Without a rule of their own, embeddings and attention start as PyTorch's, whatever the main rule, and from the
  /// streams they always used (bit for bit).
  @Test func withoutARuleTheyStartAsPyTorchs() throws {
    let net = try network()
    try Initialization.apply(InitConfig(rule: .orthogonal(gain: 1)), to: net, seed: 11, path: ["t"])
    let e = Self.width
    func stream(_ name: String) -> RandomStream { RandomStream(seed: 11, path: ["t", name]) }
    var s = stream(Self.attention)
    #expect(try values(net, Self.attention) == InitRule.xavierUniform(gain: 1).draw(shape: [3 * e, e], stream: &s))
    let bound = Float((6.0 / Double(4 * e)).squareRoot())  // packed fans E and 3E
    #expect(try values(net, Self.attention).allSatisfy { abs($0) <= bound })
    #expect(try values(net, Self.attention).contains { abs($0) > 0.9 * bound })
    s = stream("layers.1.out_proj.weight")
    #expect(try values(net, "layers.1.out_proj.weight") == InitRule.pytorchDefault.draw(shape: [e, e], stream: &s))
    s = stream("layers.0.weight")
    #expect(try values(net, "layers.0.weight") == InitRule.normal(mean: 0, std: 1).draw(shape: [96, e], stream: &s))
    #expect(try values(net, "layers.1.in_proj_bias").allSatisfy { $0 == 0 })
  }

  @Test func aRuleOnOneProjectionDrawsThatBlockAsAnExEMatrix() throws {
    let net = try network()
    let plain = try network()
    let rules = [InitConfig.LayerRule(.kind(.attention), .xavierUniform(gain: 1), tensor: "query")]
    try Initialization.apply(InitConfig(rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu)), to: plain, seed: 5, path: ["t"])
    try Initialization.apply(
      InitConfig(rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu), layerRules: rules), to: net, seed: 5,
      path: ["t"])
    let e = Double(Self.width)
    for name in [Self.attention, Self.blockAttention] {
      let w = try values(net, name)
      // query: xavier over an E×E matrix, b = √(6/2E); key and value keep PyTorch's packed b = √(6/4E).
      let q = block(w, 0)
      let qBound = (6 / (2 * e)).squareRoot()
      #expect(q.allSatisfy { abs(Double($0)) <= qBound } && q.contains { abs(Double($0)) > 0.95 * qBound })
      #expect(abs(variance(q) / (qBound * qBound / 3) - 1) < 0.05, "\(variance(q))")
      for t in [1, 2] {
        let kv = block(w, t)
        let packed = (6 / (4 * e)).squareRoot()
        #expect(kv.allSatisfy { abs(Double($0)) <= packed } && kv.contains { abs(Double($0)) > 0.95 * packed })
        #expect(abs(variance(kv) / (packed * packed / 3) - 1) < 0.05)
      }
      #expect(try values(plain, name) != w)
    }
    // The output projection is not named: unchanged.
    #expect(try values(net, "layers.1.out_proj.weight") == values(plain, "layers.1.out_proj.weight"))
  }

  @Test func fansArePerMatrix() throws {
    let net = try network()
    let plan = InitConfig(
      rule: .zeros,
      layerRules: [
        .init(.kind(.attention), .kaimingNormal(mode: .fanIn, nonlinearity: .relu)),
        .init(.kind(.embedding), .kaimingNormal(mode: .fanIn, nonlinearity: .linear), tensor: "token"),
      ])
    try Initialization.apply(plan, to: net, seed: 9, path: ["t"])
    let e = Double(Self.width)
    let w = try values(net, Self.attention)
    for t in 0..<3 {
      #expect(abs(variance(block(w, t)) / (2 / e) - 1) < 0.06, "block \(t): \(variance(block(w, t)))")
    }
    #expect(abs(variance(try values(net, "layers.1.out_proj.weight")) / (2 / e) - 1) < 0.06)
    // PyTorch's fans of a [vocab, dim] table: fan_in = dim.
    #expect(abs(variance(try values(net, "layers.0.weight")) / (1 / e) - 1) < 0.06)
    // The position table is not named: N(0, 1) still.
    #expect(abs(variance(try values(net, "layers.0.position")) - 1) < 0.15)
    // The main rule (zeros) reaches the dense layers only.
    #expect(try values(net, "layers.3.weight").allSatisfy { $0 == 0 })
  }

  @Test func aBlockRuleReachesItsMLPByName() throws {
    let net = try network()
    let plan = InitConfig(
      rule: .constant(0.5),
      layerRules: [
        .init(.kind(.transformerBlock), .orthogonal(gain: 1), tensor: "linear1"),
        .init(.kind(.transformerBlock), .identity(gain: 1), tensor: "key"),
        .init(.indices([1]), .lowRank(rank: 3, base: .kaimingNormal(mode: .fanIn, nonlinearity: .linear), matchNorm: true), tensor: "value"),
      ])
    try Initialization.apply(plan, to: net, seed: 2, path: ["t"])
    let w1 = try values(net, "layers.2.layers.1.layers.1.weight")  // [128, 64]: WᵀW = I
    var gram = 0.0
    for r in 0..<128 { gram += Double(w1[r * 64]) * Double(w1[r * 64]) }
    #expect(abs(gram - 1) < 1e-4)
    #expect(try values(net, "layers.2.layers.1.layers.3.weight").allSatisfy { $0 == 0.5 })
    let key = block(try values(net, Self.blockAttention), 1)
    #expect(key == (0..<(64 * 64)).map { $0 % 65 == 0 ? 1 : 0 })
    // The standalone attention (index 1) is not in a block: its key keeps PyTorch's start; its value has rank 3.
    #expect(block(try values(net, Self.attention), 1) != key)
    let value = DenseMatrix(rows: 64, cols: 64, floats: block(try values(net, Self.attention), 2))
    let s = value.singularValuesByBidiagonalization()
    #expect(s[2] > 1e-3 * s[0] && s[3] < 1e-5 * s[0], "\(s.prefix(5))")
  }

  @Test func lsuvAndIBPAreRefusedOnTheseTensors() throws {
    let net = try network()
    let plan = InitConfig(rule: .zeros, layerRules: [.init(.kind(.embedding), .ibp)])
    #expect(throws: InitError.self) { try Initialization.apply(plan, to: net, seed: 1, path: ["t"]) }
  }
}
