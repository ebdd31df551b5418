import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// Planning, naming, errors and behaviour of layers that a gradient check does not pin down.
struct LayerTests {
  @Test func parameterNamesShapesAndIndices() throws {
    let net = try Network(
      input: 3,
      layers: [
        .dense(units: 8, bias: true), .activation(.crrelu(epsilon: 0.01, learnable: true)),
        .residual([.dense(units: 5, bias: false), .activation(.relu), .dense(units: 8, bias: true)]),
        .layerNorm(eps: 1e-5, affine: true), .activation(.rational(groups: 4, numerator: 5, denominator: 4, initialization: .swish)),
        .activation(.dice(form: .paper, alpha: 0, eps: 1e-8, momentum: 0.1)), .dense(units: 2, bias: true),
      ],
      backend: layerTestBackend(), maxBatch: 4)
    let described = net.parameters.map { "\($0.name) \($0.shape) \($0.role) \($0.layerIndex) \($0.denseIndex ?? -1)" }
    #expect(
      described == [
        "layers.0.weight [8, 3] weight 0 0", "layers.0.bias [8] bias 0 0",
        "layers.1.epsilon [1] activation 1 -1",
        "layers.2.layers.0.weight [5, 8] weight 2 1",
        "layers.2.layers.2.weight [8, 5] weight 2 2", "layers.2.layers.2.bias [8] bias 2 2",
        "layers.3.weight [8] gain 3 -1", "layers.3.bias [8] bias 3 -1",
        "layers.4.numerator [4, 6] activation 4 -1", "layers.4.denominator [4, 4] activation 4 -1",
        "layers.5.alpha [8] activation 5 -1",
        "layers.6.weight [2, 8] weight 6 3", "layers.6.bias [2] bias 6 3",
      ])
    #expect(net.buffers.map(\.name) == ["layers.5.running_mean", "layers.5.running_var"])
    #expect(net.denseLayers.map(\.denseIndex) == [0, 1, 2, 3])
    #expect(net.layers.map(\.kind) == ["dense", "crrelu", "residual", "layer_norm", "rational", "dice", "dense"])
    #expect(net.outputWidth == 2)
    #expect(net.parameter(named: "layers.1.epsilon")?.value[0] == 0.01)
  }

  @Test func planningErrorsNameTheLayer() {
    func error(_ layers: [LayerConfig], input: Int = 4) -> NetworkError? {
      do {
        _ = try Network(input: input, layers: layers, backend: layerTestBackend(), maxBatch: 2)
        return nil
      } catch { return error as? NetworkError }
    }
    #expect(error([.dense(units: 3, bias: true), .residual([.dense(units: 2, bias: true)])])?.path == "layers.1")
    #expect(error([.activation(.rational(groups: 3, numerator: 5, denominator: 4, initialization: .identity))])?.path == "layers.0")
    #expect(error([.dropout(rate: 1)])?.message.contains("[0, 1)") == true)
    #expect(error([.dense(units: 0, bias: true)])?.path == "layers.0")
    #expect(
      error([.residual([.dense(units: 4, bias: true), .layerNorm(eps: 0, affine: true)])])?.path == "layers.0.layers.1")
    #expect(error([], input: 0)?.path == "input")
  }

  @Test func layerOutputsAreTheIntermediateValues() throws {
    let net = try Network(
      input: 2, layers: [.dense(units: 3, bias: true), .activation(.relu), .dense(units: 1, bias: true)],
      backend: layerTestBackend(), maxBatch: 4)
    layerTestRandomizeWeights(net, seed: 9)
    let x: [Float] = [1, -2, 0.5, 3]
    let y = net.forward(x, batch: 2, training: false)
    let pre = net.output(ofLayer: 0), act = net.output(ofLayer: 1), out = net.output(ofLayer: 2)
    #expect(pre.rows == 2 && pre.cols == 3 && out.cols == 1)
    let w = net.parameters[0].value, b = net.parameters[1].value
    for r in 0..<2 {
      for j in 0..<3 {
        let z = w[j * 2] * x[r * 2] + w[j * 2 + 1] * x[r * 2 + 1] + b[j]
        #expect(abs(pre.pointer[r * 3 + j] - z) < 1e-5)
        #expect(act.pointer[r * 3 + j] == max(pre.pointer[r * 3 + j], 0))
      }
    }
    #expect(out.pointer == y)
  }

  @Test func dropoutMasksAreSeededAndScaled() throws {
    func make(seed: UInt64) throws -> Network {
      try Network(input: 1000, layers: [.dropout(rate: 0.3)], backend: layerTestBackend(), maxBatch: 4, seed: seed)
    }
    let x = [Float](repeating: 1, count: 4000)
    let a = try make(seed: 1), b = try make(seed: 1), c = try make(seed: 2)
    let ya = Array(UnsafeBufferPointer(start: a.forward(x, batch: 4, training: true), count: 4000))
    let yb = Array(UnsafeBufferPointer(start: b.forward(x, batch: 4, training: true), count: 4000))
    let yc = Array(UnsafeBufferPointer(start: c.forward(x, batch: 4, training: true), count: 4000))
    #expect(ya == yb)
    #expect(ya != yc)
    let dropped = ya.filter { $0 == 0 }.count
    #expect(abs(Double(dropped) / 4000 - 0.3) < 0.03, "dropped \(dropped) of 4000")
    #expect(ya.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
    // The next training forward draws a new mask; resetting the clock reproduces the first one.
    #expect(a.clock.count == 1)
    let second = Array(UnsafeBufferPointer(start: a.forward(x, batch: 4, training: true), count: 4000))
    #expect(second != ya)
    a.clock.count = 0
    #expect(Array(UnsafeBufferPointer(start: a.forward(x, batch: 4, training: true), count: 4000)) == ya)
    // Eval: identity, clock untouched.
    let before = a.clock.count
    #expect(Array(UnsafeBufferPointer(start: a.forward(x, batch: 4, training: false), count: 4000)) == x)
    #expect(a.clock.count == before)
  }

  @Test func diceTracksRunningStatisticsAndUsesThemInEval() throws {
    let net = try Network(
      input: 2, layers: [.activation(.dice(form: .paper, alpha: 0.1, eps: 1e-8, momentum: 0.1))], backend: layerTestBackend(), maxBatch: 4)
    let x: [Float] = [1, 10, 3, 10, 5, 10, 7, 10]  // column 0: mean 4, var 5 (unbiased 20/3); column 1 constant
    net.forward(x, batch: 4, training: true)
    let mean = net.parameter(named: "layers.0.running_mean")!, variance = net.parameter(named: "layers.0.running_var")!
    #expect(abs(mean.value[0] - 0.4) < 1e-6 && abs(mean.value[1] - 1) < 1e-6)
    #expect(abs(variance.value[0] - (0.9 + 0.1 * 20 / 3)) < 1e-6 && abs(variance.value[1] - 0.9) < 1e-6)
    // Eval with running stats: p = σ((s − 0.4)/√(var + eps)).
    let y = net.forward(x, batch: 4, training: false)
    let p = 1 / (1 + exp(-(1 - 0.4) / (variance.value[0] + 1e-8).squareRoot()))
    #expect(abs(y[0] - 1 * (0.1 + 0.9 * p)) < 1e-6)
  }

  @Test func rationalIdentityInitIsIdentityAndSwishInitIsSwish() throws {
    let x: [Float] = (0..<12).map { Float($0) / 2 - 3 }
    for (initial, reference) in [
      (RationalInitialization.identity, { (v: Float) in v }),
      (.swish, { (v: Float) in v / (1 + exp(-v)) }),
    ] {
      let net = try Network(
        input: 12, layers: [.activation(.rational(groups: 3, numerator: 5, denominator: 4, initialization: initial))], backend: layerTestBackend(),
        maxBatch: 1)
      let y = net.forward(x, batch: 1, training: false)
      for i in 0..<12 { #expect(abs(y[i] - reference(x[i])) < 2e-3, "\(initial) at \(x[i]): \(y[i])") }
    }
  }

  @Test func trainingIsBitIdenticalAcrossThreadCountsAndBackendsAgree() throws {
    func train(_ backend: any Backend) throws -> [Float] {
      let net = try Network(
        input: 16,
        layers: [
          .dense(units: 64, bias: true), .activation(.gelu(approximate: .none)),
          .dropout(rate: 0.1), .dense(units: 64, bias: true), .activation(.crrelu(epsilon: 0.01, learnable: true)), .dense(units: 3, bias: true),
        ],
        backend: backend, maxBatch: 32, seed: 3)
      layerTestRandomizeWeights(net, seed: 5, scale: 0.2)
      let opt = Adam(parameters: net.parameters, backend: backend)
      let step = TrainStep(network: net, loss: .crossEntropy(labelSmoothing: 0), optimizer: opt, baseLR: 1e-2, clip: .norm(maxNorm: 1))
      var rng = LayerTestRandom(8)
      let x = rng.array(32 * 16), t = (0..<32).map { Float($0 % 3) }
      for _ in 0..<5 { step.run(input: x, target: t, batch: 32) }
      return net.parameters.flatMap(\.value.array)
    }
    let one = try train(CPUBackend(threads: 1)), two = try train(CPUBackend(threads: 2))
    #expect(one == two)
    let blas = try train(layerTestBackend(named: "blas"))
    let worst = zip(one, blas).map { abs($0 - $1) }.max() ?? 0
    #expect(worst < 1e-4, "cpu vs blas after 5 Adam steps: \(worst)")
  }

  @Test func trainStepLearnsARegression() throws {
    let be = layerTestBackend()
    let net = try Network(
      input: 2, layers: [.dense(units: 32, bias: true), .activation(.tanh), .dense(units: 1, bias: true)],
      backend: be, maxBatch: 64)
    layerTestRandomizeWeights(net, seed: 2, scale: 0.5)
    let step = TrainStep(
      network: net, loss: .mse, optimizer: SGD(parameters: net.parameters, backend: be, momentum: 0.9), baseLR: 0.05,
      schedule: .cosine(minLR: 0.001, warmup: 10), totalSteps: 300)
    var rng = LayerTestRandom(6)
    let x = rng.array(128)
    let t = (0..<64).map { sin(2 * x[2 * $0]) * cos(x[2 * $0 + 1]) }
    let first = step.run(input: x, target: t, batch: 64)
    var last = first
    for _ in 0..<299 { last = step.run(input: x, target: t, batch: 64) }
    #expect(last < first / 10, "loss \(first) → \(last)")
    #expect(step.step == 300 && abs(step.lastLR - 0.001) < 1e-4)
  }

  @Test func crossEntropyTakesFloatOrIntegerLabels() {
    var rng = LayerTestRandom(12)
    let y = rng.array(12, scale: 3)
    var g1 = [Float](repeating: 0, count: 12), g2 = g1
    let a = LossConfig.crossEntropy(labelSmoothing: 0).evaluate(output: y, target: [2, 0, 1, 2], batch: 4, width: 3, gradient: &g1)
    let labels: [Int32] = [2, 0, 1, 2]
    let b = LossConfig.crossEntropy(logits: y, labels: labels, batch: 4, width: 3, gradient: &g2)
    #expect(a == b && g1 == g2)
    // Against a direct Float64 evaluation.
    var expected = 0.0
    for r in 0..<4 {
      let row = (0..<3).map { Double(y[r * 3 + $0]) }
      expected += log(row.map { exp($0) }.reduce(0, +)) - row[Int(labels[r])]
    }
    #expect(abs(Double(a) - expected / 4) < 1e-6)
  }

  @Test func crossEntropyIsStableForHugeLogits() {
    var g = [Float](repeating: 0, count: 3)
    let loss = LossConfig.crossEntropy(labelSmoothing: 0).evaluate(output: [1e4, 0, -1e4], target: [1], batch: 1, width: 3, gradient: &g)
    #expect(abs(loss - 1e4) < 1)
    #expect(abs(g[0] - 1) < 1e-6 && abs(g[1] + 1) < 1e-6 && g[2] == 0)
    let bce = LossConfig.bceWithLogits(posWeight: 1).evaluate(output: [100, -100], target: [0, 1], batch: 1, width: 2, gradient: &g)
    #expect(abs(bce - 100) < 1e-3 && g[0].isFinite)
  }
}

struct FourierFeatureTests {
  @Test func projectionIsDrawnFromTheSeedWithSigma() throws {
    func make(_ seed: UInt64) throws -> Network {
      try Network(
        input: 4, layers: [.fourierFeatures(features: 500, sigma: 3, trainable: false, includeInput: true)], backend: layerTestBackend(),
        maxBatch: 2, seed: seed)
    }
    let a = try make(1), b = try make(1), c = try make(2)
    let pa = try #require(a.parameter(named: "layers.0.projection"))
    #expect(pa.shape == [500, 4] && pa.role == .projection && !pa.trainable)
    #expect(pa.value.array == b.parameters[0].value.array)
    #expect(pa.value.array != c.parameters[0].value.array)
    let values = pa.value.array.map(Double.init)
    let mean = values.reduce(0, +) / Double(values.count)
    let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    #expect(abs(mean) < 0.15 && abs(std - 3) < 0.15, "mean \(mean) std \(std)")
    #expect(a.outputWidth == 1004)
    // Output layout: [cos(2πxBᵀ), sin(2πxBᵀ), x].
    let x: [Float] = [0.1, -0.2, 0.3, 0.05, 0, 0, 0, 0]
    let y = a.forward(x, batch: 2, training: false)
    var z = 0.0
    for k in 0..<4 { z += Double(x[k]) * Double(pa.value[k]) }
    z *= 2 * Double.pi
    #expect(abs(Double(y[0]) - cos(z)) < 1e-4 && abs(Double(y[500]) - sin(z)) < 1e-4)
    #expect(y[1000] == 0.1 && y[1003] == 0.05)
    #expect(y[1004] == 1 && y[1004 + 500] == 0)  // second row, x = 0
  }
}
