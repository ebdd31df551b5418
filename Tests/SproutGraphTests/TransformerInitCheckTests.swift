import SproutConfig
import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Per-layer initializer rules on embeddings, attention and transformer blocks at lint: they address the layers by
/// index and kind and their tensors after a dot (`attention.query`, `embedding.token`, `transformer_block.linear1`),
/// and the rules a tensor cannot honour are errors at the rule with a suggestion.
@Suite struct TransformerInitCheckTests {
  /// An induction task (length 8, vocab 6) and a token model (embedding 6×8 with learned positions, a post-norm
  /// block with 2 heads and MLP 16, a dense head); the initializer `i` is `rule`, written at line 14.
  func spec(_ rule: String, layers: [String]? = nil) -> String {
    let list =
      layers ?? [
        "embedding: {vocab: 6, dim: 8, positional: learned}", "transformer_block: {heads: 2, mlp: 16}", "dense: 6",
      ]
    return """
      sprout: 1
      name: tokens
      seed: 7
      datasets:
        induction: {kind: induction, samples: 32, length: 8, vocab: 6}
      models:
        net:
          input: {tokens: 8, vocab: 6}
          layers:
      \(list.map { "      - \($0)" }.joined(separator: "\n"))
      initializers:
        i: \(rule)
      stages:
        train:
          kind: train
          model: net
          init: i
          data: induction
          loss: cross_entropy
          optimizer: {kind: adam, lr: 0.001}
          steps: 2
      """
  }

  func errors(_ d: Diagnostics) -> [Diagnostic] { d.all.filter { $0.severity == .error } }

  @Test func theTokenLayersAreWeightLayersWithNamedTensors() throws {
    let (graph, d) = buildGraph(spec("{kind: kaiming_normal}"))
    #expect(errors(d).isEmpty, "\(d.all.map(\.message))")
    let model = try #require(graph?.spec.models.first)
    var problems: [CheckProblem] = []
    let shape = try #require(ModelShape.infer(model, resolve: .literal, problems: &problems))
    #expect(shape.weightKinds == [.embedding, .attention, .dense, .dense, .dense])
    #expect(shape.weights.map { $0.tensors.map(\.name) } == [
      ["token", "position"], ["query", "key", "value", "output"], ["linear1"], ["linear2"], ["weight"],
    ])
    #expect(shape.weights.map(\.text) == ["6×8, 8×8", "8×8, 8×8, 8×8, 8×8", "16×8", "8×16", "6×8"])
    #expect(shape.weights.map(\.inBlock) == [false, true, true, true, false])
    #expect(LayerSelector.kind(.transformerBlock).resolve(tags: shape.weightTags) == [1, 2, 3])
    #expect(LayerSelector.kind(.dense).resolve(tags: shape.weightTags) == [2, 3, 4])
  }

  @Test func rulesAddressTheTokenLayersByKindIndexAndTensor() {
    for rule in [
      "{kind: kaiming_normal, layers: {attention: xavier_uniform, embedding.token: {kind: normal, std: 0.02}}}",
      "{kind: kaiming_normal, layers: {1.query: {kind: low_rank, rank: 2}, 1.output: orthogonal}}",
      "{kind: kaiming_normal, layers: {transformer_block.linear1: orthogonal, transformer_block.key: identity}}",
      "{kind: kaiming_normal, layers: {transformer_block: xavier_normal, 0: {kind: normal, std: 0.02}}}",
      "{kind: kaiming_normal, layers: {embedding.position: zeros, attention.value: {kind: kaiming_uniform}}}",
    ] {
      let (_, d) = buildGraph(spec(rule))
      #expect(d.all.isEmpty, "\(rule): \(d.all.map(\.message))")
    }
  }

  @Test func lsuvAndIBPAreNotDefinedOnAttentionOrEmbeddings() throws {
    let (_, d) = buildGraph(spec("{kind: kaiming_normal, layers: {attention: {kind: lsuv, data: induction}}}"))
    let e = try #require(errors(d).first, "\(d.all.map(\.message))")
    #expect(e.id == GraphDiagnostics.initShape)
    #expect(e.message.hasPrefix("lsuv is not defined for the query projection of the attention layer"))
    #expect(e.range.start.line == 14)
    #expect(e.help?.contains("dense: lsuv") == true)
    let (_, ibp) = buildGraph(spec("{kind: kaiming_normal, layers: {embedding: ibp}}"))
    #expect(errors(ibp).first?.message.hasPrefix("ibp is not defined for the token table of the embedding") == true)
    let (_, siren) = buildGraph(spec("{kind: kaiming_normal, layers: {transformer_block: {kind: siren}}}"))
    #expect(errors(siren).contains { $0.message.hasPrefix("siren is not defined for the query projection") })
    // lsuv on the block's MLP only is a dense layer's lsuv.
    let (_, mlp) = buildGraph(
      spec("{kind: kaiming_normal, layers: {transformer_block.linear1: {kind: lsuv, data: induction}}}"))
    #expect(errors(mlp).isEmpty, "\(mlp.all.map(\.message))")
  }

  @Test func identityNeedsASquareTable() throws {
    let (_, d) = buildGraph(spec("{kind: kaiming_normal, layers: {embedding.token: identity}}"))
    let e = try #require(errors(d).first)
    #expect(e.message == "identity needs a square matrix, but the token table of the embedding layer "
      + "models.net.layers[0] is 6×8")
    #expect(e.help?.contains("orthogonal") == true)
    let (_, square) = buildGraph(spec("{kind: kaiming_normal, layers: {attention: identity}}"))
    #expect(square.all.isEmpty, "\(square.all.map(\.message))")
  }

  @Test func lowRankAboveAProjectionsRankIsAnError() throws {
    let (_, d) = buildGraph(spec("{kind: kaiming_normal, layers: {attention.query: {kind: low_rank, rank: 9}}}"))
    let e = try #require(errors(d).first)
    #expect(e.id == GraphDiagnostics.initRank)
    #expect(e.message == "rank 9 is larger than min(rows, columns) = 8 of the 8×8 query projection of "
      + "models.net.layers[1]")
  }

  @Test func aTensorTheLayerDoesNotHaveIsAnError() throws {
    let (_, d) = buildGraph(spec("{kind: kaiming_normal, layers: {embedding.query: orthogonal}}"))
    let e = try #require(errors(d).first)
    #expect(e.message == "the selector 'embedding.query' names the query weight, but layer models.net.layers[0] "
      + "(embedding) has the weights `token`, `position`")
    let (_, recurrent) = buildGraph(spec("{kind: kaiming_normal, layers: {attention.recurrent: orthogonal}}"))
    #expect(errors(recurrent).first?.message.contains("`query`, `key`, `value`, `output`") == true)
  }

  @Test func aMisspelledTensorIsSuggested() throws {
    let (_, d) = buildGraph(spec("{kind: kaiming_normal, layers: {attention.querry: orthogonal}}"))
    let e = try #require(d.all.first { $0.id.rawValue == "spec.invalid-selector" }, "\(d.all.map(\.message))")
    #expect(e.help == "did you mean 'query'?")
  }

  @Test func aBlockSelectorOnAModelWithoutBlocksMatchesNothing() throws {
    let (_, d) = buildGraph(
      spec(
        "{kind: kaiming_normal, layers: {transformer_block: orthogonal}}",
        layers: ["embedding: {vocab: 6, dim: 8}", "attention: 2", "dense: 6"]))
    #expect(d.all.first?.message.contains("'transformer_block' matches none") == true, "\(d.all.map(\.message))")
  }
}
