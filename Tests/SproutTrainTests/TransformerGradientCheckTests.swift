import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Central-difference checks of the embedding, attention and transformer-block layers (same method and tolerance as
/// `GradientCheckTests`), on both backends: every parameter's gradient, and the input gradient of a sequence input.
struct TransformerGradientCheckTests {
  static let backends = ["cpu", "blas"]

  func check(
    _ layers: [LayerConfig], input shape: TensorShape, backend: String, batch: Int = 2,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let net = try Network(shape: shape, layers: layers, backend: layerTestBackend(named: backend), maxBatch: 3, seed: 5)
    var rng = LayerTestRandom(11)
    for p in net.parameters {
      // Gains near 1 keep layer norms well conditioned; everything else N(0, 0.5²).
      for i in 0..<p.value.count { p.value[i] = p.role == .gain ? 1 + 0.2 * rng.normal() : 0.5 * rng.normal() }
    }
    let x: [Float]
    if let vocab = shape.vocab {
      x = (0..<(batch * shape.elementCount)).map { _ in Float(rng.next() % UInt64(vocab)) }
    } else {
      x = GradientCheckTests.inputs(batch * shape.elementCount, seed: 3)
    }
    let result = layerTestCheckGradients(net, x: x, batch: batch, training: true, checkInput: shape.vocab == nil)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)", sourceLocation: sourceLocation)
  }

  @Test(arguments: backends) func embeddings(_ backend: String) throws {
    for positional in PositionalEncoding.allCases {
      try check(
        [.embedding(vocab: 6, dim: 4, positional: positional), .activation(.tanh), .dense(units: 3, bias: true)],
        input: .tokens(length: 5, vocab: 6), backend: backend)
    }
  }

  @Test(arguments: backends, [false, true]) func attention(_ backend: String, causal: Bool) throws {
    try check(
      [.attention(heads: 2, causal: causal), .dense(units: 2, bias: true)], input: .sequence(length: 5, features: 6),
      backend: backend)
  }

  @Test(arguments: backends, BlockNorm.allCases) func transformerBlock(_ backend: String, norm: BlockNorm) throws {
    try check(
      [.transformerBlock(heads: 2, mlp: 6, causal: norm == .pre, norm: norm, activation: .gelu),
       .dense(units: 2, bias: true)],
      input: .sequence(length: 4, features: 4), backend: backend)
  }

  @Test(arguments: backends) func tokenTransformer(_ backend: String) throws {
    try check(
      [.embedding(vocab: 5, dim: 4, positional: .learned),
       .transformerBlock(heads: 2, mlp: 8, causal: true, norm: .pre, activation: .gelu), .dense(units: 5, bias: true)],
      input: .tokens(length: 4, vocab: 5), backend: backend)
  }
}
