import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Token models at lint: embeddings read token ids, attention and transformer blocks need a sequence whose width
/// their heads divide, and cross-entropy over token targets needs `[L, vocab]` logits; each error at its layer's line
/// with the shapes named.
@Suite struct TransformerShapeTests {
  /// An induction task (length 8, vocab 6) and a model with these layer lines (the first at line 10).
  func spec(_ layers: [String], input: String = "{tokens: 8, vocab: 6}", loss: String = "cross_entropy") -> String {
    """
    sprout: 1
    name: tokens
    seed: 7
    datasets:
      induction: {kind: induction, samples: 32, length: 8, vocab: 6}
    models:
      net:
        input: \(input)
        layers:
    \(layers.map { "      - \($0)" }.joined(separator: "\n"))
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train:
        kind: train
        model: net
        init: he
        data: induction
        loss: \(loss)
        optimizer: {kind: adam, lr: 0.001}
        steps: 2
    """
  }

  func message(_ d: Diagnostics, _ id: DiagnosticID = GraphDiagnostics.shapeMismatch) -> String? {
    d.all.first { $0.id == id }?.message
  }

  @Test func aTinyTransformerLintsClean() throws {
    let (graph, d) = buildGraph(
      spec([
        "embedding: {vocab: 6, dim: 8, positional: sinusoidal}", "transformer_block: {heads: 2, mlp: 16, causal: true}",
        "attention: {heads: 4}", "dense: 6",
      ]))
    #expect(d.all.filter { $0.severity == .error }.isEmpty, "\(d.all.map(\.message))")
    let model = try #require(graph?.spec.models.first)
    var problems: [CheckProblem] = []
    let shape = try #require(ModelShape.infer(model, resolve: .literal, problems: &problems))
    #expect(shape.output?.dimensions == [8, 6])
    // The embedding, each attention (the block's too), the block's MLP (two dense layers) and the head are the weight
    // layers.
    let projections = "8×8, 8×8, 8×8, 8×8"
    #expect(shape.weights.map(\.text) == ["6×8", projections, "16×8", "8×16", projections, "6×8"])
  }

  @Test func headsMustDivideTheWidth() {
    let (_, d) = buildGraph(spec(["embedding: {vocab: 6, dim: 10}", "attention: {heads: 4}", "dense: 6"]))
    #expect(graphFindings(d) == ["graph.shape-mismatch@11"])
    #expect(
      message(d)
        == "attention splits the 10 features of a sequence [8, 10] into 4 heads, but 10 is not divisible by 4")
    #expect(d.all.first { $0.id == GraphDiagnostics.shapeMismatch }?.help?.contains("e.g. 2") ?? false)
  }

  @Test func attentionNeedsASequence() {
    let (_, d) = buildGraph(spec(["attention: 2", "dense: 6"], input: "16"))
    #expect(graphFindings(d).first == "graph.shape-mismatch@10")
    #expect(message(d) == "attention needs a sequence [length, features], but it gets a vector [16]")
  }

  @Test func aBlockOnTokenIdsNeedsAnEmbedding() {
    let (_, d) = buildGraph(spec(["transformer_block: {mlp: 8}", "dense: 6"]))
    #expect(graphFindings(d).first == "graph.shape-mismatch@10")
    #expect(message(d) == "transformer_block needs a sequence [length, features], but it gets token ids [8] of 6")
    #expect(d.all.first { $0.id == GraphDiagnostics.shapeMismatch }?.help?.contains("embed") ?? false)
  }

  @Test func anEmbeddingReadsTokenIds() {
    let (_, d) = buildGraph(
      spec(["embedding: {vocab: 6, dim: 4}", "dense: 6"], input: "{sequence: [8, 4]}"))
    #expect(graphFindings(d).first == "graph.shape-mismatch@10")
    #expect(message(d) == "embedding reads token ids, but it gets a sequence [8, 4]")
  }

  @Test func anEmbeddingMustCoverTheVocabulary() {
    let (_, d) = buildGraph(spec(["embedding: {vocab: 4, dim: 4}", "dense: 6"]))
    #expect(graphFindings(d) == ["graph.shape-mismatch@10"])
    #expect(message(d) == "embedding has 4 rows, but its input has token ids up to 5 (token ids [8] of 6)")
  }

  @Test func tokenTargetsNeedLogitsPerPosition() {
    let (_, d) = buildGraph(spec(["embedding: {vocab: 6, dim: 4}", "flatten", "dense: 6"]))
    #expect(
      message(d, GraphDiagnostics.lossTarget)
        == "cross_entropy over token ids [8] of 6 needs logits [8, 6] sequence, but the model outputs a vector [6]")
    let (_, mse) = buildGraph(spec(["embedding: {vocab: 6, dim: 4}", "dense: 6"], loss: "mse"))
    #expect(message(mse, GraphDiagnostics.lossTarget) == "'induction' has token-id targets, which only cross_entropy reads")
  }
}
