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
  struct File: Decodable { let torch: String; let fixtures: [Fixture] }
  struct Fixture: Decodable {
    let name: String
    let input_shape: [String: Int]
    let layers: [[String: GoldenTests.Value]]
    let batch: Int
    let output_width: Int
    let input: [Float]
    let target: [Float]
    let parameters: [String: [Float]]
    let output: [Float]
    let loss: String
    let loss_value: Float
    let gradients: [String: [Float]]
    let input_gradient: [Float]
    let lr: Float
    let momentum: Double
    let losses: [Float]
    let steps: [[String: [Float]]]

    var shape: TensorShape {
      let length = input_shape["length"]!
      if let vocab = input_shape["vocab"] { return .tokens(length: length, vocab: vocab) }
      return .sequence(length: length, features: input_shape["features"]!)
    }
    var lossConfig: LossConfig { loss == "mse" ? .mse : .crossEntropy(labelSmoothing: 0) }
  }

  static let fixtures: [Fixture] = (try? GoldenTests.load("transformer", as: File.self).fixtures) ?? []

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

  func network(_ f: Fixture, _ backend: any Backend) throws -> Network {
    let net = try Network(shape: f.shape, layers: f.layers.map(Self.layer), backend: backend, maxBatch: 4)
    #expect(Set(net.parameters.map(\.name)) == Set(f.parameters.keys))
    for p in net.parameters {
      let values = try #require(f.parameters[p.name], "fixture lacks \(p.name)")
      try #require(values.count == p.value.count, "\(p.name): \(p.value.count) values, torch has \(values.count)")
      for i in 0..<values.count { p.value[i] = values[i] }
    }
    return net
  }

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count >= 8)
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
      let value = f.lossConfig.evaluate(
        output: y, target: f.target, batch: f.batch * net.lossPositions, width: net.lossWidth, gradient: &grad)
      net.backward(outputGradient: grad, batch: f.batch)
      return (Array(UnsafeBufferPointer(start: y, count: f.batch * f.output_width)), value)
    }
    GoldenTests.expectClose(output, f.output, "\(name) output")
    GoldenTests.expectClose([value], [f.loss_value], "\(name) loss")
    for p in net.parameters {
      GoldenTests.expectClose(p.grad.array, f.gradients[p.name] ?? [], "\(name) grad \(p.name)")
    }
    if !f.input_gradient.isEmpty {
      GoldenTests.expectClose(
        Array(UnsafeBufferPointer(start: net.inputGradient!, count: f.input.count)), f.input_gradient,
        "\(name) input grad")
    }
  }

  @Test(arguments: fixtures.map(\.name), ["cpu", "blas"])
  func threeSGDSteps(_ name: String, backendName: String) throws {
    let f = try #require(Self.fixtures.first { $0.name == name })
    let be = try layerTestBackend(named: backendName)
    let net = try network(f, be)
    let rule = UpdateRule.sgd(momentum: f.momentum, dampening: 0, nesterov: false, weightDecay: 0)
    let step = TrainStep(
      network: net, loss: f.lossConfig, optimizer: rule.make(parameters: net.parameters, backend: be), baseLR: f.lr)
    for (k, expected) in f.steps.enumerated() {
      let loss = f.input.withUnsafeBufferPointer { step.run(input: $0.baseAddress!, target: f.target, batch: f.batch) }
      GoldenTests.expectClose([loss], [f.losses[k]], "\(name) step \(k) loss")
      for p in net.parameters {
        GoldenTests.expectClose(p.value.array, expected[p.name]!, "\(name) step \(k) \(p.name)")
      }
    }
  }
}
