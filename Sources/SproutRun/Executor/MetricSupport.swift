import SproutPlanner
import SproutTensor
import SproutTrain

/// Metrics of a network state other than loss, accuracy and lr (which the task loops compute themselves).
enum MetricSupport {
  /// The value of metric `name`, or `RunError(.invalidTask)` when the executor does not compute it.
  static func value(_ name: String, network: Network, trainer: TrainStep?, context: TaskContext) throws -> JSONValue {
    switch name {
    case "weight_norm":
      // Global L2 norm of the trainable weights, summed in Float64 in parameter order.
      var total = 0.0
      for p in network.parameters where p.trainable && p.role == .weight {
        for i in 0..<p.value.count { total += Double(p.value[i]) * Double(p.value[i]) }
      }
      return .double(total.squareRoot())
    case "grad_norm":
      // Global L2 norm of the last step's gradients (before clipping); 0 before the first step.
      var total = 0.0
      for p in network.parameters where p.trainable {
        for i in 0..<p.grad.count { total += Double(p.grad[i]) * Double(p.grad[i]) }
      }
      return .double(total.squareRoot())
    default:
      throw context.error(
        .invalidTask, "metric '\(name)' is not computed by the executor yet (supported: loss, accuracy, lr, weight_norm, grad_norm)")
    }
  }
}
