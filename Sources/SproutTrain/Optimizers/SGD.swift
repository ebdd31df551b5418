import SproutConfig
import SproutTensor

/// Stochastic gradient descent with PyTorch's `torch.optim.SGD` semantics:
///
///     g = grad + wd·p
///     if momentum ≠ 0:  buf = g (first step) else buf = μ·buf + (1 − dampening)·g
///                       g = nesterov ? g + μ·buf : buf
///     p -= lr·g
public final class SGD: Optimizer {
  /// μ.
  public let momentum: Float
  /// Dampening of the momentum update (0 in the language's defaults).
  public let dampening: Float
  /// Nesterov momentum.
  public let nesterov: Bool
  /// L2 penalty added to the gradient.
  public let weightDecay: Float
  /// Steps taken.
  public var stepCount = 0
  let backend: any Backend
  private let names: [String]
  private let buffers: [Tensor]

  /// Plans momentum buffers for `parameters` (none when momentum is 0); updates run on `backend`'s `sgdStep`.
  public init(
    parameters: [Parameter], backend: any Backend = UpdateRule.defaultBackend, momentum: Float = 0,
    dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0
  ) {
    self.backend = backend
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
    self.weightDecay = weightDecay
    names = parameters.map(\.name)
    buffers = momentum != 0 ? parameters.map { Tensor(zeros: $0.shape) } : []
  }

  /// `sgd`.
  public var kind: String { "sgd" }

  /// One SGD update.
  public func step(parameters: [Parameter], lr: Float) {
    precondition(parameters.count == names.count, "SGD planned for \(names.count) parameters")
    let hyper = SGDHyperparameters(
      lr: lr, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: weightDecay)
    for (k, param) in parameters.enumerated() where param.trainable {
      backend.sgdStep(
        parameters: param.value.mutablePointer, gradients: param.grad.pointer,
        velocity: momentum != 0 ? buffers[k].mutablePointer : nil, count: param.value.count, hyper: hyper,
        firstStep: stepCount == 0)
    }
    stepCount += 1
  }

  /// `optimizer.<name>.momentum` per parameter (when momentum ≠ 0) and `optimizer.step`.
  public func stateTensors() -> [(name: String, tensor: Tensor)] {
    var out = zip(names, buffers).map { (name: "optimizer.\($0).momentum", tensor: $1) }
    out.append((name: "optimizer.step", tensor: Tensor(shape: [1], values: [Float(stepCount)])))
    return out
  }

  /// Restores momentum buffers and the step count.
  public func restore(from state: [String: [Float]]) throws {
    for (name, buf) in zip(names, buffers) { try restoreSlot(buf, name: "optimizer.\(name).momentum", from: state) }
    stepCount = try restoreStep(from: state)
  }
}
