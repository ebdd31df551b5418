import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// rnn and gru against PyTorch's nn.RNN and nn.GRU (bench/golden/make_rnn_fixtures.py): small models over a sequence,
/// their output, loss, every gradient, the input gradient, and three SGD-with-momentum steps, on both backends. The
/// parameters are PyTorch's default initialisation, U(±1/√units).
struct RecurrentGoldenTests {
  struct File: Decodable { let torch: String; let fixtures: [Fixture] }
  struct Fixture: Decodable {
    let name: String
    let length: Int
    let features: Int
    let layers: [[String: GoldenTests.Value]]
    let batch: Int
    let output_width: Int
    let input: [Float]
    let target: [Float]
    let parameters: [String: [Float]]
    let output: [Float]
    let loss_value: Float
    let gradients: [String: [Float]]
    let input_gradient: [Float]
    let lr: Float
    let momentum: Double
    let losses: [Float]
    let steps: [[String: [Float]]]
  }

  static let fixtures: [Fixture] = (try? GoldenTests.load("rnn", as: File.self).fixtures) ?? []

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

  func network(_ f: Fixture, _ backend: any Backend) throws -> Network {
    let net = try Network(
      shape: .sequence(length: f.length, features: f.features), layers: f.layers.map(Self.layer), backend: backend,
      maxBatch: 4)
    #expect(Set(net.parameters.map(\.name)) == Set(f.parameters.keys))
    for p in net.parameters {
      let values = try #require(f.parameters[p.name], "fixture lacks \(p.name)")
      try #require(values.count == p.value.count, "\(p.name): \(p.value.count) values, torch has \(values.count)")
      for i in 0..<values.count { p.value[i] = values[i] }
    }
    return net
  }

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count >= 7)
    let kinds = Set(Self.fixtures.flatMap { $0.layers.compactMap { $0["kind"]?.text } })
    #expect(kinds.isSuperset(of: ["rnn", "gru"]))
  }

  @Test(arguments: fixtures.map(\.name), ["cpu", "blas"])
  func forwardAndGradients(_ name: String, backendName: String) throws {
    let f = try #require(Self.fixtures.first { $0.name == name })
    let net = try network(f, layerTestBackend(named: backendName))
    net.computesInputGradient = true
    net.zeroGradients()
    var grad = [Float](repeating: 0, count: f.batch * f.output_width)
    let (output, value): ([Float], Float) = f.input.withUnsafeBufferPointer { x in
      let y = net.forward(x.baseAddress!, batch: f.batch, training: true)
      let value = LossConfig.mse.evaluate(
        output: y, target: f.target, batch: f.batch, width: f.output_width, gradient: &grad)
      net.backward(outputGradient: grad, batch: f.batch)
      return (Array(UnsafeBufferPointer(start: y, count: f.batch * f.output_width)), value)
    }
    GoldenTests.expectClose(output, f.output, "\(name) output")
    GoldenTests.expectClose([value], [f.loss_value], "\(name) loss")
    for p in net.parameters {
      GoldenTests.expectClose(p.grad.array, f.gradients[p.name] ?? [], "\(name) grad \(p.name)")
    }
    GoldenTests.expectClose(
      Array(UnsafeBufferPointer(start: net.inputGradient!, count: f.input.count)), f.input_gradient,
      "\(name) input grad")
  }

  @Test(arguments: fixtures.map(\.name), ["cpu", "blas"])
  func threeSGDSteps(_ name: String, backendName: String) throws {
    let f = try #require(Self.fixtures.first { $0.name == name })
    let be = try layerTestBackend(named: backendName)
    let net = try network(f, be)
    let rule = UpdateRule.sgd(momentum: f.momentum, dampening: 0, nesterov: false, weightDecay: 0)
    let step = TrainStep(
      network: net, loss: .mse, optimizer: rule.make(parameters: net.parameters, backend: be), baseLR: f.lr)
    for (k, expected) in f.steps.enumerated() {
      let loss = f.input.withUnsafeBufferPointer { step.run(input: $0.baseAddress!, target: f.target, batch: f.batch) }
      GoldenTests.expectClose([loss], [f.losses[k]], "\(name) step \(k) loss")
      for p in net.parameters { GoldenTests.expectClose(p.value.array, expected[p.name]!, "\(name) step \(k) \(p.name)") }
    }
  }
}
