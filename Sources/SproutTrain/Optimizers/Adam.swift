import Foundation
import SproutTensor

/// Adam (Kingma & Ba 2015) with PyTorch's `torch.optim.Adam` / `AdamW` update order:
///
///     adamw:  p *= 1 − lr·wd                      adam: g = grad + wd·p
///     m = lerp(m, g, 1 − β₁)   v = β₂·v + (1 − β₂)·g²   t += 1
///     p -= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
public final class Adam: Optimizer {
  /// β₁.
  public let beta1: Float
  /// β₂.
  public let beta2: Float
  /// Added to the denominator (1e-8 by default).
  public let eps: Float
  /// Weight decay: L2 (adam) or decoupled (adamw).
  public let weightDecay: Float
  /// True for AdamW.
  public let decoupled: Bool
  /// Steps taken.
  public var stepCount = 0
  private let names: [String]
  private let expAvg: [Tensor]
  private let expAvgSq: [Tensor]

  /// Plans the two moment tensors per parameter.
  public init(parameters: [Parameter], beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8,
              weightDecay: Float = 0, decoupled: Bool = false) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    self.decoupled = decoupled
    names = parameters.map(\.name)
    expAvg = parameters.map { Tensor(zeros: $0.shape) }
    expAvgSq = parameters.map { Tensor(zeros: $0.shape) }
  }

  /// `adam` or `adamw`.
  public var kind: String { decoupled ? "adamw" : "adam" }

  /// One Adam/AdamW update.
  public func step(parameters: [Parameter], lr: Float) {
    precondition(parameters.count == names.count, "Adam planned for \(names.count) parameters")
    stepCount += 1
    let t = Double(stepCount)
    let bc1 = 1 - Foundation.pow(Double(beta1), t)
    let bc2Sqrt = (1 - Foundation.pow(Double(beta2), t)).squareRoot()
    let stepSize = Float(Double(lr) / bc1)
    let bc2s = Float(bc2Sqrt)
    let b1 = beta1, b2 = beta2, wd = weightDecay, e = eps
    let decay: Float = decoupled ? 1 - lr * wd : 1
    for (k, param) in parameters.enumerated() where param.trainable {
      let p = param.value.mutablePointer, g = param.grad.pointer
      let m = expAvg[k].mutablePointer, v = expAvgSq[k].mutablePointer
      for i in 0..<param.value.count {
        var d = g[i]
        if decoupled { p[i] *= decay } else { d += wd * p[i] }
        m[i] += (d - m[i]) * (1 - b1)
        v[i] = v[i] * b2 + (1 - b2) * d * d
        p[i] -= stepSize * (m[i] / (v[i].squareRoot() / bc2s + e))
      }
    }
  }

  /// `optimizer.<name>.exp_avg`, `optimizer.<name>.exp_avg_sq` per parameter and `optimizer.step`.
  public func stateTensors() -> [(name: String, tensor: Tensor)] {
    var out: [(name: String, tensor: Tensor)] = []
    for (k, name) in names.enumerated() {
      out.append((name: "optimizer.\(name).exp_avg", tensor: expAvg[k]))
      out.append((name: "optimizer.\(name).exp_avg_sq", tensor: expAvgSq[k]))
    }
    out.append((name: "optimizer.step", tensor: Tensor(shape: [1], values: [Float(stepCount)])))
    return out
  }

  /// Restores both moments and the step count.
  public func restore(from state: [String: [Float]]) throws {
    for (k, name) in names.enumerated() {
      try restoreSlot(expAvg[k], name: "optimizer.\(name).exp_avg", from: state)
      try restoreSlot(expAvgSq[k], name: "optimizer.\(name).exp_avg_sq", from: state)
    }
    stepCount = try restoreStep(from: state)
  }
}
