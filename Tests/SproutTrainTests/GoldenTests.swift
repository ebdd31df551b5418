import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// Compares Sprout against PyTorch golden values written by bench/golden/make_fixtures.py (committed JSON;
/// PyTorch is not needed to run these tests).
struct GoldenTests {
  struct LayerFile: Decodable { let torch: String; let fixtures: [LayerFixture] }
  struct LayerFixture: Decodable {
    let name: String
    let layer: [String: Value]
    let batch: Int
    let input_width: Int
    let hidden: Int
    let output_width: Int
    let loss: String
    let input: [Float]
    let target: [Float]
    let parameters: [String: [Float]]
    let output: [Float]
    let loss_value: Float
    let gradients: [String: [Float]]
    let input_gradient: [Float]
    let buffers: [String: [Float]]
  }
  enum Value: Decodable {
    case number(Double), text(String)
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let b = try? c.decode(Bool.self) {
        self = .number(b ? 1 : 0)
      } else if let d = try? c.decode(Double.self) {
        self = .number(d)
      } else {
        self = .text(try c.decode(String.self))
      }
    }
    var number: Float { if case .number(let d) = self { return Float(d) } else { return .nan } }
    var double: Double { if case .number(let d) = self { return d } else { return .nan } }
    var text: String { if case .text(let s) = self { return s } else { return "" } }
  }
  struct OptimizerFile: Decodable { let fixtures: [OptimizerFixture] }
  struct OptimizerFixture: Decodable {
    let optimizer: String
    let config: [String: Value]
    let lr: Float
    let input: [Float]
    let target: [Float]
    let parameters: [String: [Float]]
    let losses: [Float]
    let steps: [[String: [Float]]]
  }

  static func load<T: Decodable>(_ name: String, as: T.Type) throws -> T {
    let url = try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures/torch/\(name).json"))
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
  }

  static func layerConfig(_ d: [String: Value]) -> LayerConfig {
    switch d["kind"]?.text ?? "" {
    case "identity": return .activation(.identity)
    case "relu": return .activation(.relu)
    case "leaky_relu": return .activation(.leakyRelu(slope: d["slope"]!.double))
    case "elu": return .activation(.elu(alpha: d["alpha"]!.double))
    case "selu": return .activation(.selu)
    case "gelu": return .activation(.gelu(approximate: .none))
    case "gelu_tanh": return .activation(.gelu(approximate: .tanh))
    case "silu": return .activation(.silu)
    case "tanh": return .activation(.tanh)
    case "sigmoid": return .activation(.sigmoid)
    case "softplus":
      return .activation(.softplus(beta: d["beta"]!.double, threshold: d["threshold"]!.double))
    case "sine": return .activation(.sine(omega: d["omega"]!.double))
    case "crrelu": return .activation(.crrelu(epsilon: d["epsilon"]!.double, learnable: true))
    case "rational":
      return .activation(.rational(groups: Int(d["groups"]!.double), numerator: 5, denominator: 4, initialization: .swish))
    case "dice": return .activation(.dice(form: .paper, alpha: d["alpha"]!.double, eps: d["eps"]!.double, momentum: 0.1))
    case "layer_norm": return .layerNorm(eps: d["eps"]!.double, affine: d["affine"].map { $0.number != 0 } ?? true)
    case "residual_tanh":
      return .residual([.dense(units: 6, bias: true), .activation(.tanh), .dense(units: 6, bias: true)])
    case "fourier_features":
      return .fourierFeatures(features: Int(d["features"]!.double), sigma: d["sigma"]!.double, trainable: false, includeInput: true)
    default: preconditionFailure("unknown fixture layer \(d)")
    }
  }

  static func expectClose(
    _ actual: [Float], _ expected: [Float], _ what: String, atol: Float = 2e-5, rtol: Float = 1e-3,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(
      actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) values",
      sourceLocation: sourceLocation)
    var worst: (Int, Float, Float)?
    for (i, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > atol + rtol * abs(e) {
      if worst == nil { worst = (i, a, e) }
    }
    #expect(
      worst == nil, "\(what)[\(worst?.0 ?? -1)]: sprout \(worst?.1 ?? 0) torch \(worst?.2 ?? 0)",
      sourceLocation: sourceLocation)
  }

  static let layerFixtures: [LayerFixture] = (try? load("layers", as: LayerFile.self).fixtures) ?? []

  @Test func fixturesArePresent() {
    #expect(Self.layerFixtures.count >= 20)
  }

  @Test(arguments: layerFixtures.map(\.name), ["cpu", "blas"])
  func layer(_ name: String, backendName: String) throws {
    let f = try #require(Self.layerFixtures.first { $0.name == name })
    let net = try Network(
      input: f.input_width,
      layers: [
        .dense(units: f.hidden, bias: true), Self.layerConfig(f.layer), .dense(units: f.output_width, bias: true),
      ],
      backend: layerTestBackend(named: backendName), maxBatch: 8)
    // Frozen tensors (the Fourier projection) are buffers on the PyTorch side.
    for p in net.parameters {
      let values = try #require(f.parameters[p.name] ?? f.buffers[p.name], "fixture lacks \(p.name)")
      try #require(values.count == p.value.count)
      for i in 0..<values.count { p.value[i] = values[i] }
    }
    #expect(Set(net.parameters.filter(\.trainable).map(\.name)) == Set(f.parameters.keys))
    net.computesInputGradient = true
    net.zeroGradients()
    let loss: LossConfig =
      switch f.loss {
      case "cross_entropy": .crossEntropy(labelSmoothing: 0)
      case "bce_with_logits": .bceWithLogits(posWeight: 1)
      default: .mse
      }
    var grad = [Float](repeating: 0, count: f.batch * f.output_width)
    let (output, value): ([Float], Float) = f.input.withUnsafeBufferPointer { x in
      let y = net.forward(x.baseAddress!, batch: f.batch, training: true)
      let value = loss.evaluate(output: y, target: f.target, batch: f.batch, width: f.output_width, gradient: &grad)
      net.backward(outputGradient: grad, batch: f.batch)
      return (Array(UnsafeBufferPointer(start: y, count: f.batch * f.output_width)), value)
    }
    Self.expectClose(output, f.output, "\(name) output")
    Self.expectClose([value], [f.loss_value], "\(name) loss")
    for p in net.parameters where p.trainable {
      Self.expectClose(p.grad.array, f.gradients[p.name] ?? [], "\(name) grad \(p.name)")
    }
    Self.expectClose(
      Array(UnsafeBufferPointer(start: net.inputGradient!, count: f.batch * f.input_width)), f.input_gradient,
      "\(name) input grad")
    for b in net.buffers { Self.expectClose(b.value.array, f.buffers[b.name] ?? [], "\(name) buffer \(b.name)") }
  }

  @Test(arguments: ["cpu", "blas"]) func optimizers(_ backendName: String) throws {
    let file = try Self.load("optimizers", as: OptimizerFile.self)
    let be = try layerTestBackend(named: backendName)
    for f in file.fixtures {
      let net = try Network(
        input: 3, layers: [.dense(units: 4, bias: true), .activation(.tanh), .dense(units: 2, bias: true)],
        backend: be, maxBatch: 6)
      for p in net.parameters { for (i, v) in f.parameters[p.name]!.enumerated() { p.value[i] = v } }
      let wd = f.config["weight_decay"]?.double ?? 0
      let config: UpdateRule
      switch f.optimizer {
      case "sgd":
        config = .sgd(
          momentum: f.config["momentum"]?.double ?? 0, dampening: 0,
          nesterov: f.config["nesterov"].map { $0.number != 0 } ?? false, weightDecay: wd)
      case "adam": config = .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: wd)
      default: config = .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: wd)
      }
      let step = TrainStep(
        network: net, loss: .mse, optimizer: config.make(parameters: net.parameters, backend: be), baseLR: f.lr)
      for (k, expected) in f.steps.enumerated() {
        let loss = f.input.withUnsafeBufferPointer { step.run(input: $0.baseAddress!, target: f.target, batch: 6) }
        let what = "\(f.optimizer) \(f.config.keys.sorted()) step \(k)"
        Self.expectClose([loss], [f.losses[k]], "\(what) loss")
        for p in net.parameters { Self.expectClose(p.value.array, expected[p.name]!, "\(what) \(p.name)") }
      }
    }
  }
}
