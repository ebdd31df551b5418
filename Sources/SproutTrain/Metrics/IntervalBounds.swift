import SproutConfig
import SproutTensor

/// Interval bound propagation (IBP; Gowal et al. 2018, as analysed by Shi et al., NeurIPS 2021; docs/metrics.md):
/// the box `[x − ε, x + ε]` around each probe input is pushed through the network in evaluation mode as a
/// centre c and a radius r,
///
///     dense, conv2d            c' = c Wᵀ + b,   r' = r |W|ᵀ   (the convolution with W and with |W|)
///     monotone activation f    l = c − r, u = c + r  →  c' = (f(l) + f(u)) / 2,  r' = (f(u) − f(l)) / 2
///     max pooling              the same, max pooling as f
///     average pooling          c' = pool(c),   r' = pool(r)
///     flatten, dropout         unchanged (evaluation mode)
///
/// which bounds every unit's pre-activation over the whole box (the layers' ``IntervalLayer`` steps, shared with
/// certified training). For each dense or conv2d layer the metric reports the mean radius of its output and its
/// growth: that radius over the previous weight layer's output radius (over ε for the first). Shi et al.'s analysis: through a ReLU layer the radius grows by fan_in·E|w|/2, which is
/// √(fan_in/π) under Kaiming's N(0, 2/fan_in) (≈ 9 at width 256) and 1 under IBP init's N(0, 2π/fan_in²).
public enum IntervalBounds {
  /// One dense layer's bounds.
  public struct LayerBound: Sendable, Hashable {
    /// The weight's name (`layers.2.weight`).
    public var name: String
    /// Mean radius of the layer's output interval over the probe rows and units.
    public var radius: Double
    /// `radius` over the previous dense layer's (ε for the first).
    public var growth: Double
  }

  /// The bounds of every dense and conv2d layer for a box of radius `eps` around `rows` rows of `probe`.
  /// - Throws: `TrainingError.unavailableMetric` for a layer IBP cannot bound this way (non-monotone
  ///   activations such as GELU, SiLU, sine and rational; residual blocks, layer norm, Fourier features, Dice).
  public static func compute(network: Network, probe: [Float], rows: Int, eps: Float) throws -> [LayerBound] {
    try propagate(network: network, probe: probe, rows: rows, eps: eps).bounds
  }

  /// The per-layer bounds and the output interval (centre, radius; `rows × outputWidth`).
  static func propagate(
    network: Network, probe: [Float], rows: Int, eps: Float
  ) throws -> (bounds: [LayerBound], centre: [Float], radius: [Float]) {
    precondition(probe.count >= rows * network.inputWidth, "probe has \(probe.count) values for \(rows) rows")
    let intervals: IntervalTraining
    do {
      intervals = try IntervalTraining(network: network, config: IBPConfig(eps: Double(eps)), batch: max(rows, 1))
    } catch {
      throw TrainingError.unavailableMetric(
        "interval_bounds",
        "\(error): interval bounds pass dense and conv2d layers, pooling, flatten, dropout and monotone activations "
          + "(identity, relu, leaky_relu, elu, selu, tanh, sigmoid, softplus)")
    }
    probe.withUnsafeBufferPointer { intervals.propagate($0.baseAddress!, batch: rows, eps: eps) }
    var previous = Double(eps)
    var result: [LayerBound] = []
    for (index, layer) in network.layers.enumerated() {
      let weight: Parameter
      switch layer {
      case let d as DenseLayer: weight = d.weight
      case let c as Conv2DLayer: weight = c.weight
      default: continue
      }
      let r = intervals.bounds(after: index).radius
      let count = rows * layer.outputWidth
      var sum = 0.0
      for k in 0..<count { sum += Double(r[k]) }
      let mean = sum / Double(max(count, 1))
      result.append(LayerBound(name: weight.name, radius: mean, growth: previous > 0 ? mean / previous : .nan))
      previous = mean
    }
    let (c, r) = intervals.outputBounds
    let n = rows * network.outputWidth
    return (result, Array(UnsafeBufferPointer(start: c, count: n)), Array(UnsafeBufferPointer(start: r, count: n)))
  }

  /// Whether `f` is non-decreasing, so that `[f(l), f(u)]` bounds `f` over `[l, u]`.
  static func isMonotone(_ f: Activation) -> Bool {
    switch f {
    case .identity, .relu, .selu, .tanh, .sigmoid, .softplus: return true
    case .leakyRelu(let slope): return slope >= 0
    case .elu(let alpha): return alpha >= 0
    case .gelu, .silu, .sine: return false
    }
  }
}
