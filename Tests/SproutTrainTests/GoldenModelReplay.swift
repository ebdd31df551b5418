import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// A whole small model PyTorch recorded (bench/golden/golden_record.py, used by make_conv_fixtures.py,
/// make_rnn_fixtures.py, make_transformer_fixtures.py and make_adapter_fixtures.py): one batch through it, its output,
/// loss, every gradient, the input gradient, and the parameters after each of three SGD-with-momentum steps. The
/// fields every fixture has are one `GoldenRecord`; each suite decodes its own `Parts` (the input shape, the layer
/// list) from the same JSON object and says how to read them; the replay is shared.
@dynamicMemberLookup
struct GoldenModel<Parts: GoldenModelParts>: Decodable, Sendable {
  let record: GoldenRecord
  let parts: Parts

  init(from decoder: any Decoder) throws {
    record = try GoldenRecord(from: decoder)
    parts = try Parts(from: decoder)
  }

  subscript<T>(dynamicMember path: KeyPath<GoldenRecord, T>) -> T { record[keyPath: path] }
  subscript<T>(dynamicMember path: KeyPath<Parts, T>) -> T { parts[keyPath: path] }
}

/// What PyTorch recorded, common to every golden model fixture.
struct GoldenRecord: Decodable, Sendable {
  let name: String
  let batch: Int
  let output_width: Int
  let input: [Float]
  let target: [Float]
  let parameters: [String: [Float]]
  let output: [Float]
  let loss_value: Float
  let gradients: [String: [Float]]
  /// Empty when the input is token ids (no gradient flows into them).
  let input_gradient: [Float]
  let lr: Float
  let momentum: Double
  let losses: [Float]
  let steps: [[String: [Float]]]
}

/// A suite's own fields of its fixtures and how to read them in Sprout's terms.
protocol GoldenModelParts: Decodable, Sendable {
  /// The model's input shape.
  var shape: TensorShape { get }
  /// The model's layers, in Sprout's terms.
  var layerConfigs: [LayerConfig] { get }
  /// The loss PyTorch computed.
  var lossConfig: LossConfig { get }
  /// Fine-tuning adapters on the model (their base weights frozen), if any.
  var adapterPlacements: [AdapterPlacement] { get }
}

extension GoldenModelParts {
  var lossConfig: LossConfig { .mse }
  var adapterPlacements: [AdapterPlacement] { [] }
}

/// The replay of a `GoldenModel` on one backend: build the model with PyTorch's parameters, then compare.
enum GoldenModelReplay {
  /// The fixture's model on `backend`, every parameter set to PyTorch's values (and the same names on both sides).
  static func network(_ f: GoldenModel<some GoldenModelParts>, _ backend: any Backend) throws -> Network {
    let net = try Network(shape: f.shape, layers: f.layerConfigs, backend: backend, maxBatch: 4)
    try net.attachAdapters(f.adapterPlacements)
    #expect(Set((net.parameters + net.buffers).map(\.name)) == Set(f.parameters.keys), "\(f.name)")
    for p in net.parameters + net.buffers {
      let values = try #require(f.parameters[p.name], "fixture lacks \(p.name)")
      try #require(values.count == p.value.count, "\(p.name): \(p.value.count) values, torch has \(values.count)")
      for i in 0..<values.count { p.value[i] = values[i] }
    }
    return net
  }

  /// One forward and backward pass: the output, the loss, every parameter's gradient and (for a non-token input)
  /// the input gradient against PyTorch's.
  static func checkForwardAndGradients(
    _ f: GoldenModel<some GoldenModelParts>, backendName: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
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
    let name = f.name
    GoldenTests.expectClose(output, f.output, "\(name) output", sourceLocation: sourceLocation)
    GoldenTests.expectClose([value], [f.loss_value], "\(name) loss", sourceLocation: sourceLocation)
    for p in net.parameters {
      GoldenTests.expectClose(
        p.grad.array, f.gradients[p.name] ?? [], "\(name) grad \(p.name)", sourceLocation: sourceLocation)
    }
    if !f.input_gradient.isEmpty {
      GoldenTests.expectClose(
        Array(UnsafeBufferPointer(start: net.inputGradient!, count: f.input.count)), f.input_gradient,
        "\(name) input grad", sourceLocation: sourceLocation)
    }
  }

  /// Three SGD steps with momentum (PyTorch's torch.optim.SGD): each step's loss and every parameter after it.
  static func checkThreeSGDSteps(
    _ f: GoldenModel<some GoldenModelParts>, backendName: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let be = try layerTestBackend(named: backendName)
    let net = try network(f, be)
    let rule = UpdateRule.sgd(momentum: f.momentum, dampening: 0, nesterov: false, weightDecay: 0)
    let step = TrainStep(
      network: net, loss: f.lossConfig, optimizer: rule.make(parameters: net.parameters, backend: be), baseLR: f.lr)
    #expect(f.steps.count == 3 && f.losses.count == 3, "\(f.name)", sourceLocation: sourceLocation)
    for (k, expected) in f.steps.enumerated() {
      let loss = f.input.withUnsafeBufferPointer { step.run(input: $0.baseAddress!, target: f.target, batch: f.batch) }
      GoldenTests.expectClose([loss], [f.losses[k]], "\(f.name) step \(k) loss", sourceLocation: sourceLocation)
      for p in net.parameters {
        let values = try #require(expected[p.name], "\(f.name) step \(k) lacks \(p.name)")
        GoldenTests.expectClose(
          p.value.array, values, "\(f.name) step \(k) \(p.name)", sourceLocation: sourceLocation)
      }
    }
  }
}

/// A fixture file: the PyTorch version that wrote it and its fixtures.
struct GoldenModelFile<Parts: GoldenModelParts>: Decodable {
  let torch: String
  let fixtures: [GoldenModel<Parts>]
}
