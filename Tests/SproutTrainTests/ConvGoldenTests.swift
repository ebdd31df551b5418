import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Convolution and pooling against PyTorch (bench/golden/make_conv_fixtures.py): whole small CNNs, their output,
/// loss, every gradient, the input gradient, and three SGD-with-momentum steps, on both backends.
struct ConvGoldenTests {
  struct Fixture: GoldenModelParts {
    let image: [Int]
    let layers: [[String: GoldenTests.Value]]

    var shape: TensorShape { .image(channels: image[0], height: image[1], width: image[2]) }
    var layerConfigs: [LayerConfig] { layers.map(ConvGoldenTests.layer) }
  }

  static let fixtures: [GoldenModel<Fixture>] =
    (try? GoldenTests.load("conv", as: GoldenModelFile<Fixture>.self).fixtures) ?? []

  static func layer(_ d: [String: GoldenTests.Value]) -> LayerConfig {
    func int(_ key: String) -> Int { Int(d[key]!.double) }
    switch d["kind"]?.text ?? "" {
    case "conv2d":
      return .conv2d(
        filters: int("filters"), kernel: int("kernel"), stride: int("stride"), padding: int("padding"),
        bias: d["bias"]!.number != 0)
    case "max_pool2d": return .maxPool2d(size: int("size"), stride: int("stride"))
    case "avg_pool2d": return .avgPool2d(size: int("size"), stride: int("stride"))
    case "flatten": return .flatten
    case "global_avg_pool": return .globalAvgPool
    case "relu": return .activation(.relu)
    case "tanh": return .activation(.tanh)
    case "dense": return .dense(units: int("units"), bias: true)
    default: preconditionFailure("unknown fixture layer \(d)")
    }
  }

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count >= 5)
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
