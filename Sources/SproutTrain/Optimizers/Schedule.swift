import Foundation

/// A learning-rate schedule: a pure function of the 0-based step index, so a resumed run needs only the step.
public indirect enum Schedule: Hashable, Sendable {
  /// `lr(t) = base`.
  case constant
  /// `lr(t) = base · gamma^⌊t / stepSize⌋` (PyTorch `StepLR`).
  case step(stepSize: Int, gamma: Float)
  /// `lr(t) = min + (base − min)·(1 + cos(π·t/T))/2` for t ≤ T, then `min` (PyTorch `CosineAnnealingLR`'s
  /// closed form, without restarts).
  case cosine(totalSteps: Int, minLR: Float)
  /// `lr(t) = base·(t + 1)/W` for t < W, then `then` evaluated at `t − W`.
  case linearWarmup(steps: Int, then: Schedule)

  /// The learning rate for step `t` (0-based) given the optimizer's base rate.
  public func learningRate(base: Float, step t: Int) -> Float {
    switch self {
    case .constant:
      return base
    case .step(let stepSize, let gamma):
      return base * Float(Foundation.pow(Double(gamma), Double(t / max(stepSize, 1))))
    case .cosine(let total, let minLR):
      guard total > 0, t < total else { return total > 0 ? minLR : base }
      let c = (1 + Foundation.cos(Double.pi * Double(t) / Double(total))) / 2
      return Float(Double(minLR) + (Double(base) - Double(minLR)) * c)
    case .linearWarmup(let warm, let then):
      if t < warm { return base * Float(t + 1) / Float(warm) }
      return then.learningRate(base: base, step: t - warm)
    }
  }
}
