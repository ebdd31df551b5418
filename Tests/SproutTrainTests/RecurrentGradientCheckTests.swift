import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Central-difference checks of backpropagation through time (same method and tolerance as `GradientCheckTests`), on
/// both backends: every weight and bias gradient of rnn (tanh, relu) and gru and the input gradient, returning the last
/// state or every state, alone and stacked.
struct RecurrentGradientCheckTests {
  static let backends = ["cpu", "blas"]

  func check(
    _ layers: [LayerConfig], length: Int = 5, features: Int = 3, backend: String, batch: Int = 3,
    scale: Float = 0.5, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let shape = TensorShape.sequence(length: length, features: features)
    let net = try Network(
      shape: shape, layers: layers, backend: layerTestBackend(named: backend), maxBatch: 4, seed: 5)
    layerTestRandomizeWeights(net, seed: 11, scale: scale)
    let x = GradientCheckTests.inputs(batch * shape.elementCount, seed: 3)
    let result = layerTestCheckGradients(net, x: x, batch: batch, training: true)
    #expect(result.worst < GradientCheckTests.tolerance, "\(result.worstName)", sourceLocation: sourceLocation)
  }

  @Test(arguments: backends) func tanhLastState(_ backend: String) throws {
    try check([.rnn(units: 4, nonlinearity: .tanh, sequence: false), .dense(units: 2, bias: true)], backend: backend)
  }

  @Test(arguments: backends) func tanhSequence(_ backend: String) throws {
    try check([.rnn(units: 4, nonlinearity: .tanh, sequence: true)], backend: backend)
  }

  @Test(arguments: backends) func reluSequenceThenLastState(_ backend: String) throws {
    // Small weights keep the pre-activations away from the kink for the ±h steps (checked by the tolerance).
    try check(
      [.rnn(units: 3, nonlinearity: .relu, sequence: true), .rnn(units: 4, nonlinearity: .relu, sequence: false)],
      backend: backend, scale: 0.3)
  }

  @Test(arguments: backends) func gruLastState(_ backend: String) throws {
    try check([.gru(units: 4, sequence: false), .dense(units: 2, bias: true)], backend: backend)
  }

  @Test(arguments: backends) func gruSequenceIntoPositionwiseDense(_ backend: String) throws {
    try check([.gru(units: 3, sequence: true), .dense(units: 2, bias: true), .gru(units: 2, sequence: false)],
      length: 4, backend: backend)
  }

  @Test func singleStep() throws {
    try check([.gru(units: 2, sequence: true)], length: 1, backend: "cpu")
    try check([.rnn(units: 2, nonlinearity: .tanh, sequence: false)], length: 1, backend: "cpu")
  }

  /// PyTorch's tensors and shapes; the layer is one weight layer; pytorch_default draws from U(±1/√units).
  @Test func parametersFollowPyTorch() throws {
    let net = try Network(
      shape: .sequence(length: 6, features: 5), layers: [.gru(units: 16, sequence: false)],
      backend: layerTestBackend(), maxBatch: 2)
    #expect(net.parameters.map(\.name) == ["layers.0.weight_ih", "layers.0.weight_hh", "layers.0.bias_ih",
      "layers.0.bias_hh"])
    #expect(net.parameters.map(\.shape) == [[48, 5], [48, 16], [48], [48]])
    #expect(net.weightLayers.map(\.kind) == [.gru])
    #expect(net.outputShape == .vector(features: 16))
    try Initialization.apply(InitConfig(rule: .pytorchDefault, bias: .pytorchDefault), to: net, seed: 1, path: ["t"])
    for p in net.parameters {
      let bound = p.value.array.map { abs($0) }.max() ?? 0
      #expect(bound <= 0.25 && bound > 0.2, "\(p.name): max |w| = \(bound), PyTorch's bound is 1/√16")
    }
  }

  /// Per-layer rules reach one weight of a recurrent layer, by kind or by index (IRNN: identity recurrent weight).
  @Test func initializerRulesAddressTheRecurrentWeight() throws {
    let net = try Network(
      shape: .sequence(length: 3, features: 2),
      layers: [.rnn(units: 4, nonlinearity: .relu, sequence: true), .rnn(units: 4, nonlinearity: .relu, sequence: false)],
      backend: layerTestBackend(), maxBatch: 2)
    let plan = InitConfig(
      rule: .constant(0.5),
      layerRules: [
        .init(.kind(.rnn), .identity(gain: 1), tensor: "recurrent"),
        .init(.indices([1]), .orthogonal(gain: 1), tensor: "input"),
      ])
    try Initialization.apply(plan, to: net, seed: 3, path: ["t"])
    let hh0 = try #require(net.parameter(named: "layers.0.weight_hh")).value.array
    let hh1 = try #require(net.parameter(named: "layers.1.weight_hh")).value.array
    let eye: [Float] = (0..<16).map { $0 % 5 == 0 ? 1 : 0 }
    #expect(hh0 == eye)
    #expect(hh1 == eye)
    #expect(try #require(net.parameter(named: "layers.0.weight_ih")).value.array.allSatisfy { $0 == 0.5 })
    let ih1 = try #require(net.parameter(named: "layers.1.weight_ih")).value.array
    // A 4×4 orthogonal matrix: rows of unit norm.
    let norm: Double = ih1[0..<4].map { Double($0) * Double($0) }.reduce(0, +)
    #expect(abs(norm - 1) < 1e-5)
    #expect(try #require(net.parameter(named: "layers.0.bias_hh")).value.array.allSatisfy { $0 == 0 })
  }
}
