import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Embedding, attention and transformer blocks against PyTorch (bench/golden/make_transformer_fixtures.py): small
/// models of nn.Embedding, nn.MultiheadAttention and nn.TransformerEncoderLayer, their output, loss (cross-entropy
/// per position over token targets with ignored positions, or MSE), every gradient, the input gradient of a sequence
/// input, and three SGD-with-momentum steps, on both backends.
struct TransformerGoldenTests {
  struct Fixture: GoldenModelParts {
    let input_shape: [String: Int]
    let layers: [[String: GoldenTests.Value]]
    let loss: String

    var shape: TensorShape {
      let length = input_shape["length"]!
      if let vocab = input_shape["vocab"] { return .tokens(length: length, vocab: vocab) }
      return .sequence(length: length, features: input_shape["features"]!)
    }
    var lossConfig: LossConfig { loss == "mse" ? .mse : .crossEntropy(labelSmoothing: 0) }
    var layerConfigs: [LayerConfig] { layers.map(TransformerGoldenTests.layer) }
  }

  static let fixtures: [GoldenModel<Fixture>] =
    (try? GoldenTests.load("transformer", as: GoldenModelFile<Fixture>.self).fixtures) ?? []

  static func layer(_ d: [String: GoldenTests.Value]) -> LayerConfig {
    func int(_ key: String) -> Int { Int(d[key]!.double) }
    func flag(_ key: String) -> Bool { d[key]!.number != 0 }
    switch d["kind"]?.text ?? "" {
    case "embedding":
      return .embedding(
        vocab: int("vocab"), dim: int("dim"), positional: PositionalEncoding(rawValue: d["positional"]!.text)!)
    case "attention": return .attention(heads: int("heads"), causal: flag("causal"))
    case "transformer_block":
      return .transformerBlock(
        heads: int("heads"), mlp: int("mlp"), causal: flag("causal"), norm: BlockNorm(rawValue: d["norm"]!.text)!,
        activation: BlockActivation(rawValue: d["activation"]!.text)!)
    case "dense": return .dense(units: int("units"), bias: true)
    default: preconditionFailure("unknown fixture layer \(d)")
    }
  }

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count >= 8)
  }

  @Test(arguments: fixtures.map(\.name), ["cpu", "blas"])
  func forwardAndGradients(_ name: String, backendName: String) throws {
    try GoldenModelReplay.checkForwardAndGradients(
      try #require(Self.fixtures.first { $0.name == name }), backendName: backendName)
  }

  @Test(arguments: fixtures.map(\.name), ["cpu", "blas"])
  func threeSGDSteps(_ name: String, backendName: String) throws {
    try GoldenModelReplay.checkThreeSGDSteps(
      try #require(Self.fixtures.first { $0.name == name }), backendName: backendName)
  }
}
