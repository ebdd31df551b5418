import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// Optimizer steps against hand-computed values, state round trips, schedules, clipping and TrAct.
struct OptimizerTests {
  /// One scalar parameter p = 1 with gradient 0.5.
  func scalar(_ value: Float = 1, grad: Float = 0.5) -> Parameter {
    let p = Parameter(name: "layers.0.weight", role: .weight, layerIndex: 0, denseIndex: 0, shape: [1])
    p.value[0] = value
    p.grad[0] = grad
    return p
  }

  @Test func sgdPlainMomentumNesterovWeightDecay() {
    let be = layerTestBackend()
    var p = scalar()
    SGD(parameters: [p], backend: be).step(parameters: [p], lr: 0.1)
    #expect(abs(p.value[0] - 0.95) < 1e-7)

    p = scalar()
    let momentum = SGD(parameters: [p], backend: be, momentum: 0.9)
    momentum.step(parameters: [p], lr: 0.1)  // buf = 0.5, p = 0.95
    momentum.step(parameters: [p], lr: 0.1)  // buf = 0.9·0.5 + 0.5 = 0.95, p = 0.855
    #expect(abs(p.value[0] - 0.855) < 1e-6)

    p = scalar()
    SGD(parameters: [p], backend: be, momentum: 0.9, nesterov: true).step(parameters: [p], lr: 0.1)
    #expect(abs(p.value[0] - 0.905) < 1e-6)  // d = 0.5 + 0.9·0.5

    p = scalar()
    SGD(parameters: [p], backend: be, weightDecay: 0.1).step(parameters: [p], lr: 0.1)
    #expect(abs(p.value[0] - 0.94) < 1e-6)  // g = 0.5 + 0.1·1
  }

  @Test func adamAndAdamWFirstStep() {
    let be = layerTestBackend()
    // Step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr.
    var p = scalar()
    Adam(parameters: [p], backend: be).step(parameters: [p], lr: 0.1)
    #expect(abs(p.value[0] - 0.9) < 1e-6)
    // Adam's weight decay is L2 on the gradient: g = 0.6, update still ≈ lr.
    p = scalar()
    Adam(parameters: [p], backend: be, weightDecay: 0.1).step(parameters: [p], lr: 0.1)
    #expect(abs(p.value[0] - 0.9) < 1e-6)
    // AdamW shrinks first: 1·(1 − 0.1·0.1) − 0.1.
    p = scalar()
    Adam(parameters: [p], backend: be, weightDecay: 0.1, decoupled: true).step(parameters: [p], lr: 0.1)
    #expect(abs(p.value[0] - 0.89) < 1e-6)
    // Step 2 with g = −0.5 after g = 0.5: m = 0.09·0.5·(−1)+…; check against the formula in Float64.
    p = scalar()
    let adam = Adam(parameters: [p], backend: be)
    adam.step(parameters: [p], lr: 0.1)
    p.grad[0] = -0.5
    adam.step(parameters: [p], lr: 0.1)
    let m = 0.9 * 0.05 + 0.1 * -0.5, v = 0.999 * 0.00025 + 0.001 * 0.25
    let expected =
      Double(Float(1 - 0.1 / (0.5 + 1e-8) * 0.5)) - 0.1 / (1 - 0.81) * m / ((v / (1 - 0.998001)).squareRoot() + 1e-8)
    #expect(abs(Double(p.value[0]) - expected) < 1e-6)
  }

  @Test func frozenParametersDoNotMove() {
    let p = scalar()
    p.trainable = false
    Adam(parameters: [p], backend: layerTestBackend()).step(parameters: [p], lr: 0.1)
    #expect(p.value[0] == 1)
  }

  @Test(arguments: ["sgd", "adam", "adamw"]) func stateRoundTripIsBitExact(_ kind: String) throws {
    let be = layerTestBackend()
    let config: UpdateRule =
      kind == "sgd"
      ? .sgd(momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.01)
      : kind == "adam"
        ? .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
        : .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
    func makeNet() throws -> Network {
      let net = try Network(
        input: 3, layers: [.dense(units: 4, bias: true), .activation(.tanh), .dense(units: 1, bias: true)],
        backend: be, maxBatch: 4)
      layerTestRandomizeWeights(net, seed: 1)
      return net
    }
    var rng = LayerTestRandom(2)
    let x = rng.array(12), t = rng.array(4)
    let a = try makeNet()
    let stepA = TrainStep(
      network: a, loss: .mse, optimizer: config.make(parameters: a.parameters, backend: be), baseLR: 0.05)
    for _ in 0..<3 { stepA.run(input: x, target: t, batch: 4) }
    // "Checkpoint": parameters and optimizer state by name.
    let saved = Dictionary(uniqueKeysWithValues: stepA.optimizer.stateTensors().map { ($0.name, $0.tensor.array) })
    #expect(saved["optimizer.step"] == [3])
    #expect(
      saved.keys.contains(kind == "sgd" ? "optimizer.layers.0.weight.momentum" : "optimizer.layers.0.weight.exp_avg"))
    let b = try makeNet()
    for (pa, pb) in zip(a.parameters, b.parameters) { for i in 0..<pa.value.count { pb.value[i] = pa.value[i] } }
    let optB = config.make(parameters: b.parameters, backend: be)
    try optB.restore(from: saved)
    let stepB = TrainStep(network: b, loss: .mse, optimizer: optB, baseLR: 0.05)
    stepB.step = 3
    for _ in 0..<2 {
      stepA.run(input: x, target: t, batch: 4)
      stepB.run(input: x, target: t, batch: 4)
    }
    for (pa, pb) in zip(a.parameters, b.parameters) { #expect(pa.value.array == pb.value.array, "\(pa.name)") }

    var broken = saved
    broken.removeValue(
      forKey: kind == "sgd" ? "optimizer.layers.2.bias.momentum" : "optimizer.layers.2.bias.exp_avg_sq")
    #expect(throws: OptimizerStateError.self) {
      try config.make(parameters: b.parameters, backend: be).restore(from: broken)
    }
  }

  struct ScheduleFile: Decodable { let base_lr: Float; let step: [Float]; let cosine: [Float] }

  @Test func schedulesMatchPyTorch() throws {
    let f = try GoldenTests.load("schedules", as: ScheduleFile.self)
    for (t, lr) in f.step.enumerated() {
      #expect(
        abs(Schedule.step(stepSize: 3, gamma: 0.5).learningRate(base: f.base_lr, step: t, totalSteps: 20) - lr) < 1e-7)
    }
    // PyTorch's CosineAnnealingLR climbs again after T_max; Sprout holds min_lr, so compare t ≤ T.
    let cosine = Schedule.cosine(minLR: 0.01, warmup: 0)
    for (t, lr) in f.cosine.enumerated() where t <= 10 {
      #expect(abs(cosine.learningRate(base: f.base_lr, step: t, totalSteps: 10) - lr) < 1e-7)
    }
    #expect(cosine.learningRate(base: 0.1, step: 50, totalSteps: 10) == 0.01)
  }

  /// linear_warmup is PyTorch's LinearLR: start_factor·lr at step 0, rising linearly to lr at step `warmup`.
  @Test func warmupAndConstant() {
    let s = Schedule.linearWarmup(steps: 4, startFactor: 0.5)
    let lrs = (0..<7).map { s.learningRate(base: 0.1, step: $0, totalSteps: 100) }
    let expected: [Float] = [0.05, 0.0625, 0.075, 0.0875, 0.1, 0.1, 0.1]
    for (a, e) in zip(lrs, expected) { #expect(abs(a - e) < 1e-7, "\(lrs)") }
    // cosine's own warmup climbs as lr·(t + 1)/W, then decays over the remaining steps.
    let c = Schedule.cosine(minLR: 0, warmup: 4)
    let warm = (0..<4).map { c.learningRate(base: 1, step: $0, totalSteps: 14) }
    #expect(warm == [0.25, 0.5, 0.75, 1])
    #expect(abs(c.learningRate(base: 1, step: 9, totalSteps: 14) - 0.5) < 1e-6)
    #expect(Schedule.constant.learningRate(base: 0.3, step: 1000, totalSteps: 10) == 0.3)
  }

  struct ClipFile: Decodable {
    let max_norm: Float
    let before: [String: [Float]]
    let after: [String: [Float]]
    let norm: Float
  }

  @Test func clippingMatchesPyTorch() throws {
    let f = try GoldenTests.load("clipping", as: ClipFile.self)
    let params = f.before.keys.sorted().map { name -> Parameter in
      let values = f.before[name]!
      let p = Parameter(name: name, role: .weight, layerIndex: 0, denseIndex: 0, shape: [values.count])
      for (i, v) in values.enumerated() { p.grad[i] = v }
      return p
    }
    let norm = GradientClipping.clip(params, maxNorm: f.max_norm)
    #expect(abs(norm - f.norm) < 1e-5 * f.norm)
    for p in params {
      GoldenTests.expectClose(p.grad.array, f.after[p.name]!, "clipped \(p.name)", atol: 1e-7, rtol: 1e-5)
    }
    // Below the threshold nothing changes.
    let before = params.map(\.grad.array)
    #expect(abs(GradientClipping.clip(params, maxNorm: 100) - f.max_norm) < 1e-4)
    #expect(params.map(\.grad.array) == before)
  }

  /// clip: {value: m} is `clip_grad_value_`: every entry clamped to [−m, m], the rest untouched.
  @Test func clippingByValueClampsEachEntry() {
    let p = Parameter(name: "w", role: .weight, layerIndex: 0, denseIndex: 0, shape: [5])
    for (i, v) in [Float(-3), -0.05, 0, 0.2, 7].enumerated() { p.grad[i] = v }
    let frozen = Parameter(name: "f", role: .weight, layerIndex: 1, denseIndex: 1, shape: [1], trainable: false)
    frozen.grad[0] = 9
    #expect(GradientClipping.apply(.value(max: 0.1), to: [p, frozen]) == nil)
    #expect(p.grad.array == [-0.1, -0.05, 0, 0.1, 0.1])
    #expect(frozen.grad[0] == 9)
  }

  /// TrAct's weight gradient against a direct Float64 evaluation of `Gᵀ X (XᵀX/b + λI)⁻¹`, for batches above
  /// the input width (the n×n solve) and below it (the Woodbury b×b solve).
  @Test(arguments: [(batch: 9, inputs: 4), (batch: 3, inputs: 7), (batch: 7, inputs: 7)])
  func tractMatchesDirectFormula(_ shape: (batch: Int, inputs: Int)) throws {
    let (b, n, m) = (shape.batch, shape.inputs, 5)
    let lambda = 0.1
    let net = try Network(input: n, layers: [.dense(units: m, bias: true)], backend: layerTestBackend(), maxBatch: 9)
    layerTestRandomizeWeights(net, seed: 4)
    #expect(net.setTrAct(lambda: lambda))
    var rng = LayerTestRandom(17)
    let x = rng.array(b * n, scale: 2), g = rng.array(b * m)
    net.zeroGradients()
    net.forward(x, batch: b, training: true)
    net.backward(outputGradient: g, batch: b)
    // Direct: M = XᵀX/b + λI (n×n), R = GᵀX (m×n), grad = R M⁻¹ by Gauss–Jordan in Float64.
    var mat = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n {
        var s = 0.0
        for r in 0..<b { s += Double(x[r * n + i]) * Double(x[r * n + j]) }
        mat[i * n + j] = s / Double(b) + (i == j ? lambda : 0)
      }
    }
    let inv = invert(mat, n)
    let grad = net.parameters[0].grad.array
    var worst = 0.0, scale = 0.0
    for o in 0..<m {
      for j in 0..<n {
        var e = 0.0
        for k in 0..<n {
          var rk = 0.0
          for r in 0..<b { rk += Double(g[r * m + o]) * Double(x[r * n + k]) }
          e += rk * inv[k * n + j]
        }
        worst = max(worst, abs(Double(grad[o * n + j]) - e))
        scale = max(scale, abs(e))
      }
    }
    #expect(worst <= 1e-4 * max(scale, 1), "max error \(worst) at scale \(scale)")
    // Bias gradient is unchanged: column sums of G.
    for o in 0..<m {
      let s = (0..<b).reduce(Float(0)) { $0 + g[$1 * m + o] }
      #expect(abs(net.parameters[1].grad[o] - s) < 1e-5)
    }
  }

  func invert(_ a: [Double], _ n: Int) -> [Double] {
    var m = a, inv = [Double](repeating: 0, count: n * n)
    for i in 0..<n { inv[i * n + i] = 1 }
    for c in 0..<n {
      let pivot = (c..<n).max { abs(m[$0 * n + c]) < abs(m[$1 * n + c]) }!
      for j in 0..<n {
        m.swapAt(c * n + j, pivot * n + j)
        inv.swapAt(c * n + j, pivot * n + j)
      }
      let d = m[c * n + c]
      for j in 0..<n { m[c * n + j] /= d; inv[c * n + j] /= d }
      for r in 0..<n where r != c {
        let f = m[r * n + c]
        for j in 0..<n { m[r * n + j] -= f * m[c * n + j]; inv[r * n + j] -= f * inv[c * n + j] }
      }
    }
    return inv
  }
}

/// A checkpoint of (parameters, buffers, optimizer state, network clock, step) is everything a bit-exact resume
/// needs, with dropout, Dice running statistics and a schedule in the model.
struct ResumeTests {
  static let layers: [LayerConfig] = [
    .dense(units: 12, bias: true), .activation(.dice(form: .paper, alpha: 0, eps: 1e-8, momentum: 0.1)), .dropout(rate: 0.25),
    .residual([.dense(units: 12, bias: true), .activation(.crrelu(epsilon: 0.01, learnable: true))]),
    .activation(.rational(groups: 3, numerator: 5, denominator: 4, initialization: .swish)), .dense(units: 2, bias: true),
  ]

  func make() throws -> TrainStep {
    let be = layerTestBackend()
    let net = try Network(input: 5, layers: Self.layers, backend: be, maxBatch: 8, seed: 42)
    layerTestRandomizeWeights(net, seed: 3, scale: 0.4)
    net.setTrAct(lambda: 0.1)
    let opt = UpdateRule.adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01)
      .make(parameters: net.parameters, backend: be)
    return TrainStep(
      network: net, loss: .bceWithLogits(posWeight: 1), optimizer: opt, baseLR: 1e-2,
      schedule: .cosine(minLR: 1e-4, warmup: 2), totalSteps: 12, clip: .norm(maxNorm: 0.5))
  }

  @Test func resumeFromCheckpointIsBitExact() throws {
    var rng = LayerTestRandom(9)
    let x = rng.array(8 * 5), t = (0..<16).map { _ in rng.uniform(0, 1) }
    let straight = try make()
    for _ in 0..<6 { straight.run(input: x, target: t, batch: 8) }

    let first = try make()
    for _ in 0..<3 { first.run(input: x, target: t, batch: 8) }
    let tensors = (first.network.parameters + first.network.buffers).map { ($0.name, $0.value.array) }
    let optimizerState = Dictionary(
      uniqueKeysWithValues: first.optimizer.stateTensors().map { ($0.name, $0.tensor.array) })
    let (clock, step) = (first.network.clock.count, first.step)

    let resumed = try make()
    for (name, values) in tensors {
      let p = try #require(resumed.network.parameter(named: name))
      for i in 0..<values.count { p.value[i] = values[i] }
    }
    try resumed.optimizer.restore(from: optimizerState)
    resumed.network.clock.count = clock
    resumed.step = step
    for _ in 0..<3 { resumed.run(input: x, target: t, batch: 8) }

    for (a, b) in zip(
      straight.network.parameters + straight.network.buffers,
      resumed.network.parameters + resumed.network.buffers)
    {
      #expect(a.value.array == b.value.array, "\(a.name)")
    }
  }
}
