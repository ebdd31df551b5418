import SproutConfig
import SproutTensor

/// One training step, straight-line and allocation-free once built:
///
///     zero grads → forward(training) → loss + dL/dy → backward → clip (optional) → optimizer.step(lr(t))
///
/// The benchmark and the trainer loop call `run`. `step` is the 0-based index of the next step; it drives the
/// schedule and is what a checkpoint restores (with the optimizer state and the network's clock).
public final class TrainStep {
  /// The model.
  public let network: Network
  /// The objective.
  public let loss: LossConfig
  /// The update rule.
  public let optimizer: any Optimizer
  /// The optimizer's base learning rate.
  public let baseLR: Float
  /// Learning rate as a function of the step.
  public let schedule: Schedule
  /// The stage's length in steps (the span a cosine schedule decays over).
  public let totalSteps: Int
  /// Gradient clipping, or nil for none.
  public let clip: ClipConfig?
  /// Index of the next step.
  public var step = 0
  /// Pre-clip global gradient norm of the last step (computed only when clipping by norm).
  public private(set) var lastGradientNorm: Float?
  /// Learning rate used by the last step.
  public private(set) var lastLR: Float = 0
  /// The robust half of an `ibp` objective (nil for the other losses).
  public let interval: IntervalTraining?
  /// The clean loss of the last step's batch: what the `loss` metric reports (for `ibp`, the clean cross-entropy,
  /// while `run` returns the whole objective).
  public private(set) var lastCleanLoss: Float = 0
  /// The parts of the last `ibp` step's objective.
  public private(set) var lastTerms: IntervalTraining.Terms?
  private let outputGrad: Tensor

  /// Plans the loss-gradient buffer. TrAct, when wanted, is switched on the network (`setTrAct(lambda:)`).
  public init(
    network: Network, loss: LossConfig, optimizer: any Optimizer, baseLR: Float, schedule: Schedule = .constant,
    totalSteps: Int = 0, clip: ClipConfig? = nil, interval: IntervalTraining? = nil
  ) {
    self.interval = interval
    self.network = network
    self.loss = loss
    self.optimizer = optimizer
    self.baseLR = baseLR
    self.schedule = schedule
    self.totalSteps = totalSteps
    self.clip = clip
    outputGrad = Tensor(zeros: [network.maxBatch, network.outputWidth])
  }

  /// Trains on one batch: `input` is `batch × inputWidth`, `target` is `batch × loss.targetWidth(...)`.
  /// Returns the batch loss (before the update).
  @discardableResult
  public func run(input: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int) -> Float {
    network.zeroGradients()
    let y = network.forward(input, batch: batch, training: true)
    var value = loss.evaluate(
      output: y, target: target, batch: batch * network.lossPositions, width: network.lossWidth,
      gradient: outputGrad.mutablePointer)
    lastCleanLoss = value
    if case .ibp(let c) = loss, let interval {
      // κ·CE(clean) + (1 − κ)·CE(worst case at ε_t) + λ_t·regularizers (IBPConfig).
      let kappa = c.kappa(atStep: step)
      if kappa > 0 {
        network.backend.scale(outputGrad.mutablePointer, by: Float(kappa), count: batch * network.outputWidth)
        network.backward(outputGradient: outputGrad.pointer, batch: batch)
      }
      let lambda = c.regularizerWeight(atStep: step)
      let terms = interval.accumulate(
        input, labels: target, batch: batch, eps: c.epsilon(atStep: step), weight: 1 - kappa, regWeight: lambda)
      lastTerms = terms
      value = Float(kappa * Double(value) + (1 - kappa) * terms.robust + lambda * terms.regularizer)
    } else {
      network.backward(outputGradient: outputGrad.pointer, batch: batch)
    }
    if let clip { lastGradientNorm = GradientClipping.apply(clip, to: network.parameters) }
    lastLR = schedule.learningRate(base: baseLR, step: step, totalSteps: totalSteps)
    optimizer.step(parameters: network.parameters, lr: lastLR)
    step += 1
    return value
  }
}
