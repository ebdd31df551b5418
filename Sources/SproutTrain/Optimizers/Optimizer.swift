import SproutConfig
import SproutTensor

/// Updates parameters from their gradients. State (momentum, moments, step count) is planned at init for a
/// fixed parameter list and exposed as named tensors for checkpoints.
///
/// `step` skips parameters whose `trainable` is false and allocates nothing.
public protocol Optimizer: AnyObject {
  /// `sgd`, `adam` or `adamw`.
  var kind: String { get }
  /// Steps taken so far (Adam's bias correction uses it; restored from checkpoints).
  var stepCount: Int { get set }
  /// Applies one update with learning rate `lr` to `parameters` — the same list, in the same order, that the
  /// optimizer was created with.
  func step(parameters: [Parameter], lr: Float)
  /// State tensors named `optimizer.<parameter>.<slot>` (`momentum`, `exp_avg`, `exp_avg_sq`), plus
  /// `optimizer.step` (shape [1], the step count as a float, exact below 2²⁴).
  func stateTensors() -> [(name: String, tensor: Tensor)]
  /// Copies state back from tensors produced by `stateTensors()` (by name).
  /// - Throws: `OptimizerStateError` when a tensor is missing or has the wrong size.
  func restore(from state: [String: [Float]]) throws
}

/// A checkpoint's optimizer state does not match the optimizer being restored.
public struct OptimizerStateError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The state tensor's name.
  public let name: String
  /// What is wrong.
  public let message: String
  /// `name: message`.
  public var description: String { "\(name): \(message)" }
}

extension UpdateRule {
  /// Builds the optimizer with state for `parameters`, updating on `backend` (by default a one-thread cpu
  /// backend: the update kernels are elementwise, so every backend gives the same bits).
  public func make(parameters: [Parameter], backend: any Backend = UpdateRule.defaultBackend) -> any Optimizer {
    switch self {
    case .sgd(let momentum, let dampening, let nesterov, let weightDecay):
      return SGD(
        parameters: parameters, backend: backend, momentum: Float(momentum), dampening: Float(dampening),
        nesterov: nesterov, weightDecay: Float(weightDecay))
    case .adam(let beta1, let beta2, let eps, let weightDecay):
      return Adam(
        parameters: parameters, backend: backend, beta1: Float(beta1), beta2: Float(beta2), eps: Float(eps),
        weightDecay: Float(weightDecay), decoupled: false)
    case .adamw(let beta1, let beta2, let eps, let weightDecay):
      return Adam(
        parameters: parameters, backend: backend, beta1: Float(beta1), beta2: Float(beta2), eps: Float(eps),
        weightDecay: Float(weightDecay), decoupled: true)
    }
  }

  /// The backend optimizers update on when none is given.
  public static let defaultBackend: any Backend = CPUBackend(threads: 1)
}

/// Shared restore logic: copy `values` into `tensor` after checking the name and size.
func restoreSlot(_ tensor: Tensor, name: String, from state: [String: [Float]]) throws {
  guard let values = state[name] else {
    throw OptimizerStateError(name: name, message: "missing from the checkpoint's optimizer state")
  }
  guard values.count == tensor.count else {
    throw OptimizerStateError(name: name, message: "has \(values.count) values, expected \(tensor.count)")
  }
  for i in 0..<values.count { tensor[i] = values[i] }
}

/// Restores `optimizer.step`.
func restoreStep(from state: [String: [Float]]) throws -> Int {
  guard let v = state["optimizer.step"], v.count == 1, v[0] >= 0, v[0] == v[0].rounded() else {
    throw OptimizerStateError(name: "optimizer.step", message: "missing or not a non-negative integer")
  }
  return Int(v[0])
}
