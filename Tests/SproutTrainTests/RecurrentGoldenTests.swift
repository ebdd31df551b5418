import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// rnn and gru against PyTorch's nn.RNN and nn.GRU (bench/golden/make_rnn_fixtures.py): small models over a sequence,
/// their output, loss, every gradient, the input gradient, and three SGD-with-momentum steps, on both backends. The
/// parameters are PyTorch's default initialisation, U(±1/√units).
struct RecurrentGoldenTests {
  struct Fixture: GoldenModelParts {
    let length: Int
    let features: Int
    let layers: [[String: GoldenTests.Value]]

    var shape: TensorShape { .sequence(length: length, features: features) }
    var layerConfigs: [LayerConfig] { layers.map(RecurrentGoldenTests.layer) }
  }

  static let fixtures: [GoldenModel<Fixture>] =
    (try? GoldenTests.load("rnn", as: GoldenModelFile<Fixture>.self).fixtures) ?? []

  static func layer(_ d: [String: GoldenTests.Value]) -> LayerConfig {
    let units = Int(d["units"]?.double ?? 0)
    let sequence = (d["sequence"]?.number ?? 0) != 0
    switch d["kind"]?.text ?? "" {
    case "rnn":
      return .rnn(
        units: units, nonlinearity: RNNNonlinearity(rawValue: d["nonlinearity"]?.text ?? "") ?? .tanh,
        sequence: sequence)
    case "gru": return .gru(units: units, sequence: sequence)
    case "dense": return .dense(units: units, bias: true)
    case "tanh": return .activation(.tanh)
    default: preconditionFailure("unknown fixture layer \(d)")
    }
  }

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count >= 7)
    let kinds = Set(Self.fixtures.flatMap { $0.layers.compactMap { $0["kind"]?.text } })
    #expect(kinds.isSuperset(of: ["rnn", "gru"]))
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
