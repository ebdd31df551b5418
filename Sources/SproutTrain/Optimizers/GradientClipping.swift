import SproutConfig

/// Gradient clipping: by global L2 norm (`torch.nn.utils.clip_grad_norm_`) or by value
/// (`torch.nn.utils.clip_grad_value_`).
public enum GradientClipping {
  /// Applies `clip` to every trainable gradient; returns the pre-clip global norm when clipping by norm.
  @discardableResult
  public static func apply(_ clip: ClipConfig, to parameters: [Parameter]) -> Float? {
    switch clip {
    case .norm(let maxNorm): return self.clip(parameters, maxNorm: Float(maxNorm))
    case .value(let max):
      clamp(parameters, max: Float(max))
      return nil
    }
  }

  /// Clamps every gradient entry to [−max, max].
  public static func clamp(_ parameters: [Parameter], max: Float) {
    for p in parameters where p.trainable {
      let g = p.grad.mutablePointer
      for i in 0..<p.grad.count { g[i] = Swift.min(Swift.max(g[i], -max), max) }
    }
  }

  /// The L2 norm of every trainable parameter's gradient taken together, accumulated in Float64.
  ///
  /// Each tensor is summed in 8 interleaved Float64 lanes (element i into lane i mod 8), the lanes added in a
  /// fixed order: the result does not depend on threads or backend, and the independent lanes keep a
  /// million-element sum from being one long dependency chain.
  public static func globalNorm(_ parameters: [Parameter]) -> Float {
    var total = 0.0
    for p in parameters where p.trainable { total += sumOfSquares(p.grad.pointer, count: p.grad.count) }
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

  static func sumOfSquares(_ x: UnsafePointer<Float>, count n: Int) -> Double {
    var lanes = SIMD8<Double>(repeating: 0)
    var i = 0
    while i + 8 <= n {
      let v = SIMD8<Double>(
        Double(x[i]), Double(x[i + 1]), Double(x[i + 2]), Double(x[i + 3]), Double(x[i + 4]), Double(x[i + 5]),
        Double(x[i + 6]), Double(x[i + 7]))
      lanes += v * v
      i += 8
    }
    var tail = 0.0
    while i < n {
      tail += Double(x[i]) * Double(x[i])
      i += 1
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])) + tail
  }
}
