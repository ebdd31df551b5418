import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Convolution and pooling against PyTorch (bench/golden/make_conv_fixtures.py): whole small CNNs, their output,
/// loss, every gradient, the input gradient, and three SGD-with-momentum steps, on both backends.
struct ConvGoldenTests {
  struct File: Decodable { let torch: String; let fixtures: [Fixture] }
  struct Fixture: Decodable {
    let name: String
    let image: [Int]
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

  static let fixtures: [Fixture] = (try? GoldenTests.load("conv", as: File.self).fixtures) ?? []

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

  func network(_ f: Fixture, _ backend: any Backend) throws -> Network {
    let net = try Network(
      shape: .image(channels: f.image[0], height: f.image[1], width: f.image[2]), layers: f.layers.map(Self.layer),
      backend: backend, maxBatch: 4)
    #expect(Set(net.parameters.map(\.name)) == Set(f.parameters.keys))
    for p in net.parameters {
      let values = try #require(f.parameters[p.name], "fixture lacks \(p.name)")
      try #require(values.count == p.value.count, "\(p.name): \(p.value.count) values, torch has \(values.count)")
      for i in 0..<values.count { p.value[i] = values[i] }
    }
    return net
  }

  @Test func fixturesArePresent() {
    #expect(Self.fixtures.count >= 5)
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
