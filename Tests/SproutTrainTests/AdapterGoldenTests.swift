import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// LoRA on attention projections against PyTorch (bench/golden/make_adapter_fixtures.py): multi-head self-attention
/// (nn.MultiheadAttention's computation) with adapters on its query, key, value or output projection and a frozen
/// position-wise head; the output, the MSE loss, every gradient (0 for the frozen base), the input gradient and three
/// SGD-with-momentum steps that move only A and B, on both backends.
struct AdapterGoldenTests {
  struct Fixture: GoldenModelParts {
    let input_shape: [String: Int]
    let layers: [[String: GoldenTests.Value]]
    let adapters: [[String: GoldenTests.Value]]

    var shape: TensorShape { .sequence(length: input_shape["length"]!, features: input_shape["features"]!) }
    var layerConfigs: [LayerConfig] { layers.map(TransformerGoldenTests.layer) }
    var adapterPlacements: [AdapterPlacement] {
      adapters.map {
        AdapterPlacement(
          form: .lora, denseIndex: Int($0["layer"]!.double), projection: AttentionProjection(rawValue: $0["projection"]!.text),
          rank: Int($0["rank"]!.double), scale: $0["scale"]!.number)
      }
    }
  }

  static let fixtures: [GoldenModel<Fixture>] = (try? GoldenTests.load("adapters", as: GoldenModelFile<Fixture>.self).fixtures) ?? []

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count == 3)
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
