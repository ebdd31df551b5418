import SproutConfig
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
  let backend: any Backend
  private let names: [String]
  private let expAvg: [Tensor]
  private let expAvgSq: [Tensor]

  /// Plans the two moment tensors per parameter; updates run on `backend`'s `adamStep`.
  public init(
    parameters: [Parameter], backend: any Backend = UpdateRule.defaultBackend, beta1: Float = 0.9,
    beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false
  ) {
    self.backend = backend
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
    let hyper = AdamHyperparameters(
      lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: decoupled)
    for (k, param) in parameters.enumerated() where param.trainable {
      backend.adamStep(
        parameters: param.value.mutablePointer, gradients: param.grad.pointer, m: expAvg[k].mutablePointer,
        v: expAvgSq[k].mutablePointer, count: param.value.count, hyper: hyper, step: stepCount)
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
