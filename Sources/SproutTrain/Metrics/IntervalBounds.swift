import SproutTensor

/// Interval bound propagation (IBP; Gowal et al. 2018, as analysed by Shi et al., NeurIPS 2021; docs/metrics.md):
/// the box `[x − ε, x + ε]` around each probe input is pushed through the network in evaluation mode as a
/// centre c and a radius r,
///
///     dense                    c' = c Wᵀ + b,   r' = r |W|ᵀ
///     monotone activation f    l = c − r, u = c + r  →  c' = (f(l) + f(u)) / 2,  r' = (f(u) − f(l)) / 2
///     dropout                  unchanged (evaluation mode)
///
/// which bounds every unit's pre-activation over the whole box. For each dense layer the metric reports the
/// mean radius of its output and its growth: that radius over the previous dense layer's output radius (over ε
/// for the first). Shi et al.'s analysis: through a ReLU layer the radius grows by fan_in·E|w|/2, which is
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

  /// The bounds of every dense layer for a box of radius `eps` around `rows` rows of `probe`.
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
    let backend = network.backend
    var width = network.inputWidth
    var centre = Array(probe.prefix(rows * width))
    var radius = [Float](repeating: eps, count: rows * width)
    var previous = Double(eps)
    var result: [LayerBound] = []
    for (index, layer) in network.layers.enumerated() {
      if let dense = layer as? DenseLayer {
        let out = dense.outputWidth
        let w = dense.effectiveWeight
        let absW = w.map(abs)
        var c = [Float](repeating: 0, count: rows * out)
        var r = [Float](repeating: 0, count: rows * out)
        w.withUnsafeBufferPointer { wp in
          backend.gemm(
            transA: false, transB: true, m: rows, n: out, k: width, alpha: 1, a: centre, lda: width,
            b: wp.baseAddress!, ldb: width, beta: 0, c: &c, ldc: out)
        }
        absW.withUnsafeBufferPointer { wp in
          backend.gemm(
            transA: false, transB: true, m: rows, n: out, k: width, alpha: 1, a: radius, lda: width,
            b: wp.baseAddress!, ldb: width, beta: 0, c: &r, ldc: out)
        }
        if let bias = dense.bias {
          for i in 0..<rows { for j in 0..<out { c[i * out + j] += bias.value[j] } }
        }
        let mean = r.reduce(0.0) { $0 + Double($1) } / Double(max(r.count, 1))
        result.append(LayerBound(name: dense.weight.name, radius: mean, growth: previous > 0 ? mean / previous : .nan))
        previous = mean
        (centre, radius, width) = (c, r, out)
      } else if let activation = layer as? ActivationLayer, isMonotone(activation.function) {
        var lower = zip(centre, radius).map { $0 - $1 }
        var upper = zip(centre, radius).map { $0 + $1 }
        var fl = [Float](repeating: 0, count: lower.count)
        var fu = [Float](repeating: 0, count: upper.count)
        backend.activationForward(activation.function, &lower, &fl, count: lower.count)
        backend.activationForward(activation.function, &upper, &fu, count: upper.count)
        lower = []
        upper = []
        centre = zip(fl, fu).map { ($0 + $1) / 2 }
        radius = zip(fl, fu).map { ($1 - $0) / 2 }
      } else if layer.kind == "dropout" {
        continue
      } else {
        throw TrainingError.unavailableMetric(
          "interval_bounds",
          "layer \(index) (\(layer.kind)) cannot be bounded by intervals here: interval_bounds supports dense "
            + "layers, dropout and monotone activations (identity, relu, leaky_relu, elu, selu, tanh, sigmoid, softplus)")
      }
    }
    return (result, centre, radius)
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
