import Foundation
import SproutConfig

extension Schedule {
  /// The learning rate of step `t` (0-based) for the optimizer's base rate, in a stage of `totalSteps` steps (the
  /// length a cosine decays over).
  ///
  /// - constant: `base`.
  /// - step: `base · gamma^⌊t / stepSize⌋` (PyTorch `StepLR`).
  /// - cosine: `base·(t + 1)/W` for t < W warmup steps, then over the remaining `T = max(totalSteps − W, 1)`
  ///   steps `min + (base − min)·(1 + cos(π·t'/T))/2` with `t' = t − W`, and `min` once `t' ≥ T` (PyTorch
  ///   `CosineAnnealingLR`'s closed form, without restarts).
  /// - linear_warmup: `base·(s + (1 − s)·t/W)` for t < W, then `base` (PyTorch `LinearLR` with end factor 1).
  public func learningRate(base: Float, step t: Int, totalSteps: Int) -> Float {
    switch self {
    case .constant:
      return base
    case .step(let stepSize, let gamma):
      return base * Float(Foundation.pow(Double(Float(gamma)), Double(t / max(stepSize, 1))))
    case .cosine(let minLR, let warmup):
      if t < warmup { return base * Float(t + 1) / Float(warmup) }
      let total = max(totalSteps - warmup, 1)
      let u = t - warmup
      let m = Float(minLR)
      guard u < total else { return m }
      let c = (1 + Foundation.cos(Double.pi * Double(u) / Double(total))) / 2
      return Float(Double(m) + (Double(base) - Double(m)) * c)
    case .linearWarmup(let warmup, let startFactor):
      guard t < warmup else { return base }
      let s = Double(startFactor)
      return Float(Double(base) * (s + (1 - s) * Double(t) / Double(warmup)))
    }
  }
}
