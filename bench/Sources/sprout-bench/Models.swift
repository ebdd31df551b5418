import SproutConfig
import SproutDiagnostics
import SproutTensor
import SproutTrain

/// The five MLPs of issue 3 and issue 12's CNN, identical in every system (sprout-cpu, sprout-blas, PyTorch,
/// NumPy for the MLPs; the Python peers in bench/train/peers.py define the same list).
struct BenchModel {
  let name: String
  let widths: [Int]
  let activation: ActivationConfig
  let batch: Int
  let loss: LossConfig
  /// A model that is not an MLP of `widths`: its sample shape and layers (`widths` then holds only the input
  /// and output widths).
  var custom: (shape: TensorShape, layers: [LayerConfig])? = nil

  static let all: [BenchModel] = [
    BenchModel(name: "tiny", widths: [2, 64, 64, 1], activation: .tanh, batch: 32, loss: .mse),
    BenchModel(name: "small", widths: [32, 256, 256, 1], activation: .relu, batch: 64, loss: .mse),
    BenchModel(name: "mnist", widths: [784, 512, 512, 10], activation: .relu, batch: 128, loss: .crossEntropy(labelSmoothing: 0)),
    BenchModel(name: "wide", widths: [1024, 2048, 2048, 1024], activation: .relu, batch: 256, loss: .mse),
    BenchModel(name: "siren", widths: [2, 256, 256, 256, 1], activation: .sine(omega: 30), batch: 4096, loss: .mse),
    // examples/cnn-digits.yaml's network on 1×8×8 images: conv 3×3 (8) → relu → max pool 2 → conv 3×3 (16) →
    // relu → max pool 2 → flatten → dense 10.
    BenchModel(
      name: "cnn", widths: [64, 10], activation: .relu, batch: 32, loss: .crossEntropy(labelSmoothing: 0),
      custom: (
        .image(channels: 1, height: 8, width: 8),
        [
          .conv2d(filters: 8, kernel: 3, stride: 1, padding: 1, bias: true), .activation(.relu),
          .maxPool2d(size: 2, stride: 2),
          .conv2d(filters: 16, kernel: 3, stride: 1, padding: 1, bias: true), .activation(.relu),
          .maxPool2d(size: 2, stride: 2), .flatten, .dense(units: 10, bias: true),
        ]
      )),
  ]

  static func named(_ name: String) -> BenchModel? { all.first { $0.name == name } }

  /// Weights and biases.
  var parameterCount: Int { zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 } }

  /// Dense layers with the activation between them, none after the last.
  var layers: [LayerConfig] {
    var out: [LayerConfig] = []
    for (i, units) in widths.dropFirst().enumerated() {
      out.append(.dense(units: units, bias: true))
      if i < widths.count - 2 { out.append(.activation(activation)) }
    }
    return out
  }
}

/// A ready-to-run training step of one model on one backend, with its data (fixed, uniform inputs).
final class BenchTrainer {
  let model: BenchModel
  let step: TrainStep
  let input: Tensor
  let target: Tensor

  init(model: BenchModel, backend: any Backend) throws {
    self.model = model
    var rng = BenchRandom(seed: 42)
    let network: Network
    if let custom = model.custom {
      network = try Network(shape: custom.shape, layers: custom.layers, backend: backend, maxBatch: model.batch)
      // PyTorch's default range U(±1/√fan_in), fan_in = the weight's elements per output (C·k·k for a
      // convolution); a bias takes its weight's.
      var bound: Float = 1
      for p in network.parameters {
        if p.role == .weight { bound = 1 / Float(p.value.count / p.shape[0]).squareRoot() }
        for i in 0..<p.value.count { p.value[i] = rng.uniform(-bound, bound) }
      }
    } else {
      network = try Network(input: model.widths[0], layers: model.layers, backend: backend, maxBatch: model.batch)
      // PyTorch's nn.Linear default range U(±1/√fan_in) (SIREN's own init is not what is being timed).
      for dense in network.denseLayers {
        let bound = 1 / Float(dense.inputWidth).squareRoot()
        for p in dense.parameters {
          for i in 0..<p.value.count { p.value[i] = rng.uniform(-bound, bound) }
        }
      }
    }
    step = TrainStep(
      network: network, loss: model.loss, optimizer: SGD(parameters: network.parameters), baseLR: 1e-3)
    input = Tensor(zeros: [model.batch, model.widths[0]])
    for i in 0..<input.count { input[i] = rng.uniform(-1, 1) }
    let classes = model.widths.last!
    let targetWidth = model.loss.targetWidth(outputWidth: classes)
    target = Tensor(zeros: [model.batch, targetWidth])
    for i in 0..<target.count {
      target[i] = model.loss.readsClassIndices ? Float(Int(rng.next() % UInt64(classes))) : rng.uniform(-1, 1)
    }
  }

  /// One training step (forward, loss, backward, SGD update).
  @inline(__always)
  func run() -> Float { step.run(input: input.pointer, target: target.pointer, batch: model.batch) }
}

/// The benchmark's weights and data, from the shared SplitMix64.
struct BenchRandom {
  var rng: SplitMix64
  init(seed: UInt64) { rng = SplitMix64(seed: seed) }
  mutating func next() -> UInt64 { rng.next() }
  mutating func uniform(_ lo: Float, _ hi: Float) -> Float { rng.float(lo, hi) }
}
