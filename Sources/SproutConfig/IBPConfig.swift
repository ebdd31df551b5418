import Foundation

/// Certified training by interval bound propagation (Gowal et al. 2018) with the warm-up of Shi et al. (NeurIPS
/// 2021): the box `[x − ε_t, x + ε_t]` is pushed through the network, the worst-case logits it allows (the upper bound
/// for every wrong class, the lower bound for the label) give the robust cross-entropy, and the objective is
///
///     L = κ_t · CE(clean) + (1 − κ_t) · CE(worst case at ε_t) + λ_t · (L_tightness + L_relu)
///
/// with ε_t following the smoothed ramp of auto_LiRPA's `SmoothedScheduler` (0 for `rampStart` steps, then a
/// polynomial of degree `rampBeta` up to `rampMid` of the ramp and a line with the same slope to `eps`), κ_t moving
/// linearly from `kappaStart` to `kappaEnd` over the ramp, and the regularizers weighted by
/// λ_t = `regLambda` · (1 − ε_t/ε) while ε_t < ε (Shi et al.'s `compute_reg`).
public struct IBPConfig: Hashable, Sendable, Codable {
  /// The ℓ∞ radius trained for.
  public var eps: Double
  /// Steps at ε = 0 (ordinary training) before the ramp.
  public var rampStart: Int
  /// Steps over which ε grows from 0 to `eps` (0: `eps` from the first step after `rampStart`).
  public var rampLength: Int
  /// Where, as a fraction of the ramp, the polynomial part ends.
  public var rampMid: Double
  /// The degree of the polynomial part.
  public var rampBeta: Double
  /// κ at the start of the ramp.
  public var kappaStart: Double
  /// κ at its end (and after).
  public var kappaEnd: Double
  /// The warm-up regularizers applied while ε_t < ε.
  public var regularizers: [IBPRegularizer]
  /// Their weight λ at ε_t = 0.
  public var regLambda: Double
  /// Their tolerance τ.
  public var tolerance: Double

  /// Creates a configuration.
  public init(
    eps: Double, rampStart: Int = 0, rampLength: Int = 0, rampMid: Double = 0.25, rampBeta: Double = 4,
    kappaStart: Double = 0, kappaEnd: Double = 0, regularizers: [IBPRegularizer] = [], regLambda: Double = 0.5,
    tolerance: Double = 0.5
  ) {
    self.eps = eps
    self.rampStart = rampStart
    self.rampLength = rampLength
    self.rampMid = rampMid
    self.rampBeta = rampBeta
    self.kappaStart = kappaStart
    self.kappaEnd = kappaEnd
    self.regularizers = regularizers
    self.regLambda = regLambda
    self.tolerance = tolerance
  }

  /// ε_t for the update with 0-based index `t`.
  public func epsilon(atStep t: Int) -> Double {
    guard t >= rampStart else { return 0 }
    guard rampLength > 0 else { return eps }
    let initStep = Double(rampStart), finalStep = Double(rampStart + rampLength)
    let midStep = (Double(rampLength) * rampMid).rounded(.down) + initStep
    let step = Double(t)
    if step >= finalStep { return eps }
    guard midStep > initStep else { return eps * (step - initStep) / (finalStep - initStep) }
    // The polynomial's slope at midStep equals the line's from there to finalStep.
    let alpha = eps / ((finalStep - midStep) * rampBeta / (midStep - initStep) + 1)
    if step <= midStep { return alpha * Foundation.pow((step - initStep) / (midStep - initStep), rampBeta) }
    return Swift.min(alpha + (eps - alpha) * (step - midStep) / (finalStep - midStep), eps)
  }

  /// κ_t: linear from `kappaStart` (at the ramp's start) to `kappaEnd` (at its end).
  public func kappa(atStep t: Int) -> Double {
    guard t > rampStart else { return kappaStart }
    guard rampLength > 0, t < rampStart + rampLength else { return kappaEnd }
    return kappaStart + (kappaEnd - kappaStart) * Double(t - rampStart) / Double(rampLength)
  }

  /// λ_t: the regularizers' weight for update `t` (0 once ε_t = ε, and while ε_t = 0, when there are no bounds).
  public func regularizerWeight(atStep t: Int) -> Double {
    let e = epsilon(atStep: t)
    guard !regularizers.isEmpty, e > 0, e < eps else { return 0 }
    return regLambda * (1 - e / eps)
  }
}

/// Shi et al.'s warm-up regularizers (`regularization.py`, `compute_reg`).
public enum IBPRegularizer: String, Hashable, Sendable, Codable, CaseIterable {
  /// Mean over activation layers of ReLU(τ − r̄₀/r̄ₗ)/τ: keeps the mean pre-activation radius r̄ₗ from growing past
  /// the input's r̄₀ / τ.
  case tightness
  /// Mean over activation layers of [ReLU(τ − min(m, 1/m)) + ReLU(τ − min(v, 1/v))]/τ, m and v the ratios of the
  /// active to the inactive units' mean and variance of the pre-activation centres: balances active and dead units.
  case relu
}
