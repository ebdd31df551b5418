/// An optimizer as a stage gives it: the update rule with its base learning rate, the schedule, gradient clipping
/// and TrAct on the first dense layer.
public struct OptimizerConfig: Hashable, Sendable, Codable {
  /// The update rule and its hyper-parameters.
  public var rule: UpdateRule
  /// The base learning rate.
  public var lr: Double
  /// How the learning rate changes with the step.
  public var schedule: Schedule
  /// Gradient clipping before the update, if any.
  public var clip: ClipConfig?
  /// TrAct's ridge λ for the first dense layer (Petersen et al., NeurIPS 2024), if on.
  public var tract: Double?

  /// Creates an optimizer configuration.
  public init(rule: UpdateRule, lr: Double, schedule: Schedule = .constant, clip: ClipConfig? = nil, tract: Double? = nil)
  {
    self.rule = rule
    self.lr = lr
    self.schedule = schedule
    self.clip = clip
    self.tract = tract
  }
}

/// The update rules.
public enum UpdateRule: Hashable, Sendable, Codable {
  /// `torch.optim.SGD`.
  case sgd(momentum: Double, dampening: Double, nesterov: Bool, weightDecay: Double)
  /// `torch.optim.Adam` (L2 weight decay added to the gradient).
  case adam(beta1: Double, beta2: Double, eps: Double, weightDecay: Double)
  /// `torch.optim.AdamW` (decoupled weight decay).
  case adamw(beta1: Double, beta2: Double, eps: Double, weightDecay: Double)
}

/// A learning-rate schedule: a pure function of the 0-based step, so a resumed run needs only the step.
public indirect enum Schedule: Hashable, Sendable, Codable {
  /// `lr(t) = base`.
  case constant
  /// `lr(t) = base · gamma^⌊t / stepSize⌋` (PyTorch `StepLR`).
  case step(stepSize: Int, gamma: Double)
  /// Cosine decay from `base` to `minLR` over the stage's steps after `warmup` steps, during which
  /// `lr(t) = base·(t + 1)/warmup` (PyTorch `CosineAnnealingLR`'s closed form, without restarts).
  case cosine(minLR: Double, warmup: Int)
  /// `lr(t) = base·(s + (1 − s)·t/W)` for t < W, then `base` (PyTorch `LinearLR` with end factor 1).
  case linearWarmup(steps: Int, startFactor: Double)
}

/// Gradient clipping.
public enum ClipConfig: Hashable, Sendable, Codable {
  /// Rescale the whole gradient so its global L2 norm is at most `maxNorm` (`clip_grad_norm_`).
  case norm(maxNorm: Double)
  /// Clamp every gradient entry to [−max, max] (`clip_grad_value_`).
  case value(max: Double)
}

/// The training objectives.
public enum LossConfig: Hashable, Sendable, Codable {
  /// `mean((y − t)²)`.
  case mse
  /// Softmax cross-entropy on class indices, with PyTorch's label smoothing ε.
  case crossEntropy(labelSmoothing: Double)
  /// Binary cross-entropy on logits, positive targets weighted by `posWeight` (PyTorch's `pos_weight`).
  case bceWithLogits(posWeight: Double)
  /// Certified training: cross-entropy of the clean logits mixed with that of the worst-case logits interval bound
  /// propagation allows in an ℓ∞ box (``IBPConfig``). Evaluated without a box (evaluate stages, whole-data records)
  /// it is the clean cross-entropy.
  case ibp(IBPConfig)

  /// True for cross-entropy (plain or certified), which reads class indices.
  public var readsClassIndices: Bool {
    switch self {
    case .crossEntropy, .ibp: true
    case .mse, .bceWithLogits: false
    }
  }
}
