import Foundation
import SproutConfig
import SproutTensor
import Testing

@testable import SproutTrain

/// Certified training (`ibp`): the bounds hold every point of the box, the gradient of the robust objective and of
/// the warm-up regularizers matches central differences, the ε ramp has the shape of auto_LiRPA's SmoothedScheduler,
/// and verified error is the clean error at ε = 0.
@Suite struct IntervalTrainingTests {
  static func network(_ activations: [ActivationConfig], seed: UInt64, batch: Int = 6) throws -> Network {
    var layers: [LayerConfig] = []
    for a in activations { layers += [.dense(units: 5, bias: true), .activation(a)] }
    layers.append(.dense(units: 3, bias: true))
    let net = try Network(input: 4, layers: layers, backend: layerTestBackend(), maxBatch: batch)
    layerTestRandomizeWeights(net, seed: seed, scale: 0.6)
    return net
  }

  @Test(arguments: [ActivationConfig.relu, .tanh, .softplus(beta: 1, threshold: 20), .leakyRelu(slope: 0.1)])
  func boundsHoldEveryPointOfTheBox(_ activation: ActivationConfig) throws {
    let net = try Self.network([activation, activation], seed: 3)
    let training = try IntervalTraining(network: net, config: IBPConfig(eps: 0.3))
    var rng = LayerTestRandom(5)
    let rows = 6
    let x = rng.array(rows * 4)
    training.propagate(x, batch: rows, eps: 0.3)
    let (c, r) = training.outputBounds
    let centre = Array(UnsafeBufferPointer(start: c, count: rows * 3))
    let radius = Array(UnsafeBufferPointer(start: r, count: rows * 3))
    for trial in 0..<300 {
      // Corners half the time, interior points otherwise.
      let point = x.map { v -> Float in
        trial % 2 == 0 ? v + (rng.next() % 2 == 0 ? -0.3 : 0.3) : v + rng.uniform(-0.3, 0.3)
      }
      let y = Array(UnsafeBufferPointer(start: net.forward(point, batch: rows, training: false), count: rows * 3))
      for i in y.indices {
        #expect(
          y[i] >= centre[i] - radius[i] - 1e-5 && y[i] <= centre[i] + radius[i] + 1e-5,
          "\(activation): output \(i) = \(y[i]) outside [\(centre[i] - radius[i]), \(centre[i] + radius[i])]")
      }
    }
  }

  /// The objective IntervalTraining differentiates, recomputed from scratch.
  static func objective(
    _ training: IntervalTraining, x: [Float], labels: [Float], eps: Double, lambda: Double
  )
    -> Double
  {
    let terms = training.accumulate(x, labels: labels, batch: labels.count, eps: eps, weight: 1, regWeight: lambda)
    return terms.robust + lambda * terms.regularizer
  }

  @Test(arguments: [[IBPRegularizer](), [.tightness], [.relu], [.tightness, .relu]])
  func gradientsMatchCentralDifferences(_ regularizers: [IBPRegularizer]) throws {
    // Smooth activations, so the differences see no kinks; tolerance τ = 3 keeps both regularizers active.
    let net = try Self.network([.tanh, .softplus(beta: 1, threshold: 20)], seed: 8)
    let config = IBPConfig(eps: 0.2, rampLength: 10, regularizers: regularizers, regLambda: 1, tolerance: 3)
    let training = try IntervalTraining(network: net, config: config)
    var rng = LayerTestRandom(9)
    let x = rng.array(6 * 4)
    let labels: [Float] = [0, 1, 2, 2, 1, 0]
    let lambda = regularizers.isEmpty ? 0.0 : 0.7
    net.zeroGradients()
    let value = Self.objective(training, x: x, labels: labels, eps: 0.2, lambda: lambda)
    #expect(value.isFinite)
    let analytic = net.parameters.map { $0.grad.array }
    var check = LayerGradientCheck()
    let h: Float = 1e-2
    for (p, grads) in zip(net.parameters, analytic) {
      // |W| has a kink at 0 that the differences would straddle.
      for i in 0..<p.value.count where p.role != .weight || abs(p.value[i]) > 3 * h {
        let saved = p.value[i]
        p.value[i] = saved + h
        let up = Self.objective(training, x: x, labels: labels, eps: 0.2, lambda: lambda)
        p.value[i] = saved - h
        let down = Self.objective(training, x: x, labels: labels, eps: 0.2, lambda: lambda)
        p.value[i] = saved
        check.record(Double(grads[i]), (up - down) / Double(2 * h), "\(p.name)[\(i)]")
      }
    }
    #expect(check.worst < 2e-3, "\(regularizers): \(check.worstName)")
  }

  /// The whole training step of an `ibp` loss in the middle of its ramp (ε_t, κ_t and λ_t all strictly between
  /// their ends): the value it reports is κ·CE(clean) + (1 − κ)·CE(worst case) + λ·regularizers, and the gradient it
  /// leaves on the parameters (an SGD step at learning rate 0 changes nothing) matches central differences of that
  /// value recomputed from scratch.
  @Test func trainStepMixesCleanAndRobustLossByKappa() throws {
    let net = try Self.network([.tanh, .softplus(beta: 1, threshold: 20)], seed: 12)
    let config = IBPConfig(
      eps: 0.2, rampLength: 10, kappaStart: 1, kappaEnd: 0.5, regularizers: [.tightness, .relu], regLambda: 1,
      tolerance: 3)
    let training = try IntervalTraining(network: net, config: config)
    let loss = LossConfig.ibp(config)
    let step = TrainStep(
      network: net, loss: loss, optimizer: SGD(parameters: net.parameters), baseLR: 0, interval: training)
    step.step = 4
    let (eps, kappa, lambda) = (config.epsilon(atStep: 4), config.kappa(atStep: 4), config.regularizerWeight(atStep: 4))
    #expect(eps > 0 && eps < 0.2 && kappa > 0.5 && kappa < 1 && lambda > 0)
    var rng = LayerTestRandom(13)
    let x = rng.array(6 * 4)
    let labels: [Float] = [2, 0, 1, 1, 0, 2]
    // The objective from its parts: the clean loss of a plain forward pass, the interval terms at ε_t.
    let gradient = Tensor(zeros: [6 * 3])
    func objective() -> Double {
      let y = net.forward(x, batch: 6, training: false)
      let clean = loss.evaluate(output: y, target: labels, batch: 6, width: 3, gradient: gradient.mutablePointer)
      let terms = training.accumulate(x, labels: labels, batch: 6, eps: eps, weight: 1, regWeight: lambda)
      return kappa * Double(clean) + (1 - kappa) * terms.robust + lambda * terms.regularizer
    }
    let reported = step.run(input: x, target: labels, batch: 6)
    let analytic = net.parameters.map { $0.grad.array }
    let expected = objective()
    #expect(abs(Double(reported) - expected) < 1e-5 * max(1, abs(expected)), "\(reported) vs \(expected)")
    var check = LayerGradientCheck()
    let h: Float = 1e-2
    for (p, grads) in zip(net.parameters, analytic) {
      for i in 0..<p.value.count where p.role != .weight || abs(p.value[i]) > 3 * h {
        let saved = p.value[i]
        p.value[i] = saved + h
        let up = objective()
        p.value[i] = saved - h
        let down = objective()
        p.value[i] = saved
        check.record(Double(grads[i]), (up - down) / Double(2 * h), "\(p.name)[\(i)]")
      }
    }
    #expect(check.worst < 2e-3, "\(check.worstName)")
  }

  @Test func regularizersAreZeroOnceEpsIsReached() {
    let c = IBPConfig(eps: 0.1, rampStart: 5, rampLength: 20, regularizers: [.tightness], regLambda: 0.5)
    #expect(c.regularizerWeight(atStep: 0) == 0)  // ε = 0: no bounds
    #expect(c.regularizerWeight(atStep: 10) > 0)
    #expect(c.regularizerWeight(atStep: 25) == 0)
    #expect(abs(c.regularizerWeight(atStep: 15) - 0.5 * (1 - c.epsilon(atStep: 15) / 0.1)) < 1e-12)
  }

  /// auto_LiRPA's SmoothedScheduler: 0 before the ramp, a degree-β polynomial to `mid`, then a line reaching ε, with
  /// value and slope continuous where they meet.
  @Test func epsilonRampIsSmooth() {
    let c = IBPConfig(eps: 0.4, rampStart: 10, rampLength: 100_000, rampMid: 0.25, rampBeta: 4)
    #expect(c.epsilon(atStep: 0) == 0)
    #expect(c.epsilon(atStep: 10) == 0)
    #expect(c.epsilon(atStep: 100_010) == 0.4)
    #expect(c.epsilon(atStep: 500_000) == 0.4)
    let mid = 25_010  // 10 + ⌊100,000 · 0.25⌋
    let slopeBefore = c.epsilon(atStep: mid) - c.epsilon(atStep: mid - 1)
    let slopeAfter = c.epsilon(atStep: mid + 1) - c.epsilon(atStep: mid)
    #expect(abs(slopeBefore - slopeAfter) < 0.002 * slopeAfter, "\(slopeBefore) vs \(slopeAfter)")
    var previous = 0.0
    for t in stride(from: 0, through: 100_100, by: 97) {
      let e = c.epsilon(atStep: t)
      #expect(e >= previous)
      previous = e
    }
    #expect(c.kappa(atStep: 0) == c.kappaStart)
  }

  @Test func verifiedErrorAtZeroEpsIsTheCleanError() throws {
    let net = try Self.network([.relu], seed: 4, batch: 32)
    var rng = LayerTestRandom(2)
    let features = rng.array(32 * 4)
    let labels = (0..<32).map { Float($0 % 3) }
    let data = try Dataset(
      features: features, targets: labels, count: 32, featureCount: 4, target: .classes(count: 3))
    let atZero = try MetricsRecorder.verifiedError(network: net, data: data, rows: 32, eps: 0)
    let y = net.forward(features, batch: 32, training: false)
    let counts = Metrics.accuracyCounts(
      outputs: y, targets: labels, rows: 32, width: 3, loss: .crossEntropy(labelSmoothing: 0))
    #expect(abs(atZero - (1 - Double(counts.correct) / 32)) < 1e-12)
    let wide = try MetricsRecorder.verifiedError(network: net, data: data, rows: 32, eps: 10)
    #expect(wide == 1)
    #expect(try MetricsRecorder.verifiedError(network: net, data: data, rows: 32, eps: 0.05) >= atZero)
  }
  /// A small CNN on `[1, 6, 6]` images: conv (padded) → f → max pool → conv → f → `tail` → dense 3.
  static func cnn(
    _ f: ActivationConfig, tail: [LayerConfig], seed: UInt64, batch: Int = 4,
    pool: LayerConfig = .maxPool2d(size: 2, stride: 2)
  ) throws -> Network {
    let layers: [LayerConfig] =
      [
        .conv2d(filters: 2, kernel: 3, stride: 1, padding: 1, bias: true), .activation(f),
        pool, .conv2d(filters: 3, kernel: 2, stride: 1, padding: 0, bias: false),
        .activation(f),
      ] + tail + [.dense(units: 3, bias: true)]
    let net = try Network(
      shape: .image(channels: 1, height: 6, width: 6), layers: layers, backend: layerTestBackend(), maxBatch: batch)
    layerTestRandomizeWeights(net, seed: seed, scale: 0.6)
    return net
  }

  static let cnnTails: [[LayerConfig]] = [
    [.avgPool2d(size: 2, stride: 2), .flatten], [.globalAvgPool], [.flatten, .dropout(rate: 0.5)],
  ]

  /// Convolutions, pooling and flatten: every point of the box maps inside the bounds.
  @Test(arguments: [0, 1, 2])
  func boundsOfACNNHoldEveryPointOfTheBox(_ tail: Int) throws {
    let rows = 4
    let net = try Self.cnn(.relu, tail: Self.cnnTails[tail], seed: 21)
    let training = try IntervalTraining(network: net, config: IBPConfig(eps: 0.2))
    var rng = LayerTestRandom(22)
    let x = rng.array(rows * 36)
    training.propagate(x, batch: rows, eps: 0.2)
    let (c, r) = training.outputBounds
    let centre = Array(UnsafeBufferPointer(start: c, count: rows * 3))
    let radius = Array(UnsafeBufferPointer(start: r, count: rows * 3))
    #expect(radius.allSatisfy { $0 > 0 })
    for trial in 0..<200 {
      let point = x.map { v -> Float in
        trial % 2 == 0 ? v + (rng.next() % 2 == 0 ? -0.2 : 0.2) : v + rng.uniform(-0.2, 0.2)
      }
      let y = Array(UnsafeBufferPointer(start: net.forward(point, batch: rows, training: false), count: rows * 3))
      for i in y.indices {
        #expect(
          y[i] >= centre[i] - radius[i] - 1e-5 && y[i] <= centre[i] + radius[i] + 1e-5,
          "output \(i) = \(y[i]) outside [\(centre[i] - radius[i]), \(centre[i] + radius[i])]")
      }
    }
    // At ε = 0 the interval is the point: the centre is the network's output.
    training.propagate(x, batch: rows, eps: 0)
    let y = Array(UnsafeBufferPointer(start: net.forward(x, batch: rows, training: false), count: rows * 3))
    for i in y.indices { #expect(abs(training.outputBounds.centre[i] - y[i]) < 1e-5) }
    // The metric reports both convolutions and the dense layer.
    let bounds = try IntervalBounds.compute(network: net, probe: x, rows: rows, eps: 0.2)
    #expect(bounds.map(\.name) == ["layers.0.weight", "layers.3.weight", "layers.\(5 + Self.cnnTails[tail].count).weight"])
  }

  /// The robust objective's gradient through convolutions and pooling matches central differences. Max pooling has
  /// a kink where two bounds of a window tie for the maximum, which a wide difference straddles: it is checked with a
  /// narrower one.
  @Test(arguments: [(0, false), (1, false), (1, true)])
  func gradientsThroughACNNMatchCentralDifferences(_ tail: Int, maxPool: Bool) throws {
    let pool: LayerConfig = maxPool ? .maxPool2d(size: 2, stride: 2) : .avgPool2d(size: 2, stride: 2)
    let net = try Self.cnn(.tanh, tail: Self.cnnTails[tail], seed: 31, pool: pool)
    let config = IBPConfig(eps: 0.1, rampLength: 10, regularizers: [.tightness], regLambda: 1, tolerance: 3)
    let training = try IntervalTraining(network: net, config: config)
    var rng = LayerTestRandom(32)
    let x = rng.array(4 * 36)
    let labels: [Float] = [0, 2, 1, 2]
    net.zeroGradients()
    let value = Self.objective(training, x: x, labels: labels, eps: 0.1, lambda: 0.5)
    #expect(value.isFinite)
    let analytic = net.parameters.map { $0.grad.array }
    var check = LayerGradientCheck()
    let h: Float = maxPool ? 2e-3 : 1e-2
    for (p, grads) in zip(net.parameters, analytic) {
      for i in 0..<p.value.count where p.role != .weight || abs(p.value[i]) > 3 * h {
        let saved = p.value[i]
        p.value[i] = saved + h
        let up = Self.objective(training, x: x, labels: labels, eps: 0.1, lambda: 0.5)
        p.value[i] = saved - h
        let down = Self.objective(training, x: x, labels: labels, eps: 0.1, lambda: 0.5)
        p.value[i] = saved
        check.record(Double(grads[i]), (up - down) / Double(2 * h), "\(p.name)[\(i)]")
      }
    }
    #expect(check.worst < 2e-3, "\(check.worstName)")
  }
}
