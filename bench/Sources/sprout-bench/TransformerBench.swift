import SproutConfig
import SproutTensor
import SproutTrain

/// Something whose training step the benchmark times.
protocol BenchStepping: AnyObject {
  /// One training step (forward, loss, backward, SGD update); the loss.
  func run() -> Float
}

extension BenchTrainer: BenchStepping {}

/// The transformer of issue 12's benchmark, identical in bench/transformer/peer.py: token ids [32] of a
/// vocabulary of 64 → embedding 64 with learned positions → 2 causal pre-norm transformer blocks (4 heads, MLP 256,
/// relu, no dropout) → dense 64 per position; cross-entropy per position, batch 32, SGD (lr 1e-3).
final class TransformerBenchTrainer: BenchStepping {
  static let (length, vocab, width, heads, mlp, blocks, batch) = (32, 64, 64, 4, 256, 2, 32)

  let step: TrainStep
  let input: Tensor
  let target: Tensor

  init(backend: any Backend) throws {
    let s = Self.self
    let block = LayerConfig.transformerBlock(heads: s.heads, mlp: s.mlp, causal: true, norm: .pre, activation: .relu)
    let layers: [LayerConfig] =
      [.embedding(vocab: s.vocab, dim: s.width, positional: .learned)] + Array(repeating: block, count: s.blocks)
      + [.dense(units: s.vocab, bias: true)]
    let network = try Network(
      shape: .tokens(length: s.length, vocab: s.vocab), layers: layers, backend: backend, maxBatch: s.batch)
    try Initialization.apply(
      InitConfig(rule: .pytorchDefault, bias: .pytorchDefault), to: network, seed: 42, path: ["bench"])
    step = TrainStep(
      network: network, loss: .crossEntropy(labelSmoothing: 0), optimizer: SGD(parameters: network.parameters),
      baseLR: 1e-3)
    var rng = BenchRandom(seed: 42)
    input = Tensor(zeros: [s.batch, s.length])
    target = Tensor(zeros: [s.batch, s.length])
    for i in 0..<input.count {
      input[i] = Float(Int(rng.next() % UInt64(s.vocab)))
      target[i] = Float(Int(rng.next() % UInt64(s.vocab)))
    }
  }

  @inline(__always)
  func run() -> Float { step.run(input: input.pointer, target: target.pointer, batch: Self.batch) }
}
