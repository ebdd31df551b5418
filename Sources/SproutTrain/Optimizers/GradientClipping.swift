import Foundation

/// Gradient clipping by global L2 norm, as `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
  /// The L2 norm of every trainable parameter's gradient taken together (summed in Float64, in order).
  public static func globalNorm(_ parameters: [Parameter]) -> Float {
    var total = 0.0
    for p in parameters where p.trainable {
      let g = p.grad.pointer
      for i in 0..<p.grad.count { total += Double(g[i]) * Double(g[i]) }
    }
    return Float(total.squareRoot())
  }

  /// Scales all gradients by `maxNorm / (norm + 1e-6)` when that is below 1; returns the pre-clip norm.
  @discardableResult
  public static func clip(_ parameters: [Parameter], maxNorm: Float) -> Float {
    let norm = globalNorm(parameters)
    let coefficient = maxNorm / (norm + 1e-6)
    guard coefficient < 1 else { return norm }
    for p in parameters where p.trainable {
      let g = p.grad.mutablePointer
      for i in 0..<p.grad.count { g[i] *= coefficient }
    }
    return norm
  }
}
