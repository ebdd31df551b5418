import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// Finite-difference checks of every layer, activation and loss: central differences in Float32 with step
/// h = 1e-2 against the analytic backward, error measured as |a − n| / max(1, |n|) and required below 2e-3
/// (Float32 rounding at this step size is ~1e-5·|L|, truncation O(h²·f‴)).
struct GradientCheckTests {
  static let tolerance = 2e-3

  /// Inputs in [−2, 2] kept at least 0.05 away from 0, so no central difference straddles a ReLU kink.
  static func inputs(_ n: Int, seed: UInt64) -> [Float] {
    var rng = LayerTestRandom(seed)
    return (0..<n).map { _ in
      let v = rng.uniform(-2, 2)
      return abs(v) < 0.05 ? (v < 0 ? -0.05 : 0.05) + v : v
    }
  }

  func check(
    _ layers: [LayerConfig], input: Int = 4, batch: Int = 3, training: Bool = true, weightScale: Float = 0.5,
    configure: (Network) -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let net = try Network(input: input, layers: layers, backend: layerTestBackend(), maxBatch: 8, seed: 5)
    layerTestRandomizeWeights(net, seed: 11, scale: weightScale)
    configure(net)
    let result = layerTestCheckGradients(net, x: Self.inputs(batch * input, seed: 3), batch: batch, training: training)
    #expect(result.worst < Self.tolerance, "\(result.worstName)", sourceLocation: sourceLocation)
  }

  @Test func dense() throws {
    try check([.dense(units: 5, bias: true), .dense(units: 3, bias: false)])
  }

  static let stateless: [ActivationConfig] = [
    .identity, .relu, .leakyRelu(slope: 0.1), .elu(alpha: 1), .selu, .gelu(approximate: .none),
    .gelu(approximate: .tanh), .silu, .tanh, .sigmoid, .softplus(beta: 1, threshold: 20), .sine(omega: 3),
  ]

  @Test(arguments: stateless) func statelessActivation(_ f: ActivationConfig) throws {
    // The activation sees the raw, kink-free inputs; a dense layer after it checks the chain.
    try check([.activation(f), .dense(units: 5, bias: true)], weightScale: 0.3)
  }

  /// The smooth ones: a dense layer's outputs can sit at a kink, where central differences straddle it. The
  /// kinked ones are held to the bits of their unfused layers (FusedLayerTests), checked above.
  static let smooth: [ActivationConfig] = stateless.filter {
    switch $0 {
    case .relu, .leakyRelu, .selu: return false
    default: return true
    }
  }

  @Test(arguments: smooth) func activationBetweenDenseLayers(_ f: ActivationConfig) throws {
    // Dense → f → dense: the forward runs f in the first product's epilogue and the backward runs f' in the
    // second layer's input-gradient product (LayerStack's fused paths).
    try check([.dense(units: 6, bias: true), .activation(f), .dense(units: 3, bias: true)], weightScale: 0.4)
  }

  @Test func crrelu() throws {
    try check([.dense(units: 5, bias: true), .activation(.crrelu(epsilon: 0.3, learnable: true))]) { net in
      #expect(net.parameters.contains { $0.name == "layers.1.epsilon" })
    }
  }

  @Test(arguments: RationalInitialization.allCases) func rational(_ initial: RationalInitialization) throws {
    try check([.activation(.rational(groups: 2, numerator: 5, denominator: 4, initialization: initial)), .dense(units: 3, bias: true)]) { net in
      // Move the coefficients off their fits so every term (and both signs of bᵢ) is exercised; keep each
      // |bᵢ| ≥ 0.05 so no central difference crosses the kink of |bᵢ|.
      var rng = LayerTestRandom(21)
      for p in net.parameters where p.role == .activation {
        for i in 0..<p.value.count {
          let v = p.value[i] + rng.uniform(-0.2, 0.2)
          p.value[i] = abs(v) < 0.05 ? (v < 0 ? -0.05 : 0.05) : v
        }
      }
    }
  }

  /// Rationals of other degrees than KAT's [5, 4] take the general path.
  @Test(arguments: [(3, 2), (6, 1), (2, 0)]) func rationalOfOtherDegrees(_ degrees: (Int, Int)) throws {
    try check([
      .activation(.rational(groups: 2, numerator: degrees.0, denominator: degrees.1, initialization: .swish)),
      .dense(units: 3, bias: true),
    ]) { net in
      var rng = LayerTestRandom(22)
      for p in net.parameters where p.role == .activation {
        for i in 0..<p.value.count {
          let v = p.value[i] + rng.uniform(-0.2, 0.2)
          p.value[i] = abs(v) < 0.05 ? (v < 0 ? -0.05 : 0.05) : v
        }
      }
    }
  }

  @Test(arguments: DiceForm.allCases) func diceTraining(_ form: DiceForm) throws {
    let dice = ActivationConfig.dice(form: form, alpha: 0.25, eps: 1e-5, momentum: 0.1)
    try check([.dense(units: 5, bias: true), .activation(dice)], batch: 5) { net in
      let alpha = net.parameter(named: "layers.1.alpha")!
      for j in 0..<alpha.value.count { alpha.value[j] = 0.1 * Float(j) - 0.2 }
      if let beta = net.parameter(named: "layers.1.beta") {
        // Off its start of 0, so the statistics' path carries gradient.
        for j in 0..<beta.value.count { beta.value[j] = 0.3 * Float(j) - 0.5 }
      }
    }
  }

  @Test func diceEval() throws {
    try check([.dense(units: 5, bias: true), .activation(.dice(form: .paper, alpha: 0.25, eps: 1e-5, momentum: 0.1))], training: false) { net in
      let mean = net.parameter(named: "layers.1.running_mean")!,
        variance = net.parameter(named: "layers.1.running_var")!
      for j in 0..<mean.value.count {
        mean.value[j] = 0.1 * Float(j)
        variance.value[j] = 0.5 + 0.2 * Float(j)
      }
    }
  }

  @Test(arguments: [true, false]) func layerNorm(_ affine: Bool) throws {
    try check([.dense(units: 6, bias: true), .layerNorm(eps: 1e-5, affine: affine), .dense(units: 3, bias: true)]) {
      net in
      if affine {
        var rng = LayerTestRandom(8)
        for p in net.parameters where p.role == .gain {
          for i in 0..<p.value.count { p.value[i] = 1 + rng.uniform(-0.3, 0.3) }
        }
      }
    }
  }

  @Test func dropout() throws {
    try check([.dense(units: 8, bias: true), .dropout(rate: 0.4), .dense(units: 3, bias: true)], batch: 4)
  }

  @Test(arguments: [true, false]) func fourierFeatures(_ includeInput: Bool) throws {
    try check(
      [
        .fourierFeatures(features: 3, sigma: 0.3, trainable: true, includeInput: includeInput),
        .dense(units: 2, bias: true),
      ],
      input: 2, weightScale: 0.1
    ) { net in
      #expect(net.parameter(named: "layers.0.projection")!.trainable)
    }
  }

  @Test func residual() throws {
    try check([
      .dense(units: 5, bias: true),
      .residual([.dense(units: 6, bias: true), .activation(.tanh), .dense(units: 5, bias: true)]),
      .residual([]),
      .dense(units: 2, bias: true),
    ])
  }

  static let losses: [LossConfig] = [
    .mse, .crossEntropy(labelSmoothing: 0), .crossEntropy(labelSmoothing: 0.2), .bceWithLogits(posWeight: 1),
    .bceWithLogits(posWeight: 3),
  ]

  @Test(arguments: losses) func loss(_ loss: LossConfig) {
    var rng = LayerTestRandom(4)
    let batch = 4, width = 3
    var y = rng.array(batch * width, scale: 2)
    let t: [Float]
    switch loss {
    case .mse: t = rng.array(batch * width)
    case .crossEntropy, .ibp: t = [0, 2, 1, 2]
    case .bceWithLogits: t = (0..<(batch * width)).map { _ in rng.uniform(0, 1) }
    }
    var g = [Float](repeating: 0, count: batch * width)
    _ = loss.evaluate(output: y, target: t, batch: batch, width: width, gradient: &g)
    var scratch = g
    let h: Float = 1e-2
    for i in 0..<y.count {
      let saved = y[i]
      y[i] = saved + h
      let up = Double(loss.value(output: y, target: t, batch: batch, width: width, scratch: &scratch))
      y[i] = saved - h
      let down = Double(loss.value(output: y, target: t, batch: batch, width: width, scratch: &scratch))
      y[i] = saved
      let numeric = (up - down) / Double(2 * h)
      #expect(abs(Double(g[i]) - numeric) < 1e-4, "\(loss) output[\(i)]: \(g[i]) vs \(numeric)")
    }
  }
}
