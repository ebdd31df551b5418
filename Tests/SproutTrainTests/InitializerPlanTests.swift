import Foundation
import SproutConfig
import Testing

@testable import SproutTrain

/// Forward through an MLP built by `mlpParameters`, applying `activation` between dense layers; returns every dense
/// layer's pre-activation output.
func mlpPreActivations(_ params: [Parameter], input: [Float], batch: Int, activation: (Float) -> Float) -> [[Float]] {
  let weights = params.filter { $0.role == .weight }
  let biases = params.filter { $0.role == .bias }
  var x = input
  var outs: [[Float]] = []
  for (i, w) in weights.enumerated() {
    let z = denseForward(x, batch: batch, weight: w, bias: biases[i])
    outs.append(z)
    x = z.map(activation)
  }
  return outs
}

func gaussianBatch(_ n: Int, seed: UInt64) -> [Float] {
  var s = RandomStream(seed: seed, path: ["batch"])
  var x = [Float](repeating: 0, count: n)
  s.fillNormal(&x, count: n, mean: 0, std: 1)
  return x
}

@Suite struct InitializerPlanTests {
  @Test func layerRulesBiasRulesAndOrderIndependence() throws {
    // Selectors count dense layers: 1 is the second dense layer, -2 the third.
    let plan = InitConfig(
      rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu),
      layerRules: [
        .init(.first, .constant(0.5)), .init(.last, .ones),
        .init(.indices([1]), .identity(gain: 1)),
        .init(.indices([1]), .identity(gain: 3)),  // the later rule wins
        .init(.indices([-2]), .constant(0.25)),
      ], bias: .constant(-1))
    let a = mlpParameters([4, 6, 6, 6, 3])
    try Initialization.apply(plan, to: a, seed: 10, path: ["t"])
    #expect(a[0].value.array.allSatisfy { $0 == 0.5 })
    #expect(a[1].value.array.allSatisfy { $0 == -1 })  // every bias takes the bias rule
    #expect(a[2].value[0] == 3 && a[2].value[1] == 0 && a[2].value[7] == 3)
    #expect(a[4].value.array.allSatisfy { $0 == 0.25 })
    #expect(a[6].value.array.allSatisfy { $0 == 1 })
    #expect(a[7].value.array.allSatisfy { $0 == -1 })
    // The main rule applies where no selector reaches.
    let plain = mlpParameters([4, 6, 6, 6, 3])
    try Initialization.apply(InitConfig(rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu)), to: plain, seed: 10, path: ["t"])
    #expect(moments(plain[4].value.array).variance > 0)

    // Same seed, parameters in reverse order: every tensor identical (own stream per tensor).
    let b = mlpParameters([4, 6, 6, 6, 3])
    try Initialization.apply(plan, to: b.reversed(), seed: 10, path: ["t"])
    for (p, q) in zip(a, b) { #expect(p.value.array == q.value.array) }
    let c = mlpParameters([4, 6, 6, 6, 3])
    try Initialization.apply(InitConfig(rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu)), to: c, seed: 11, path: ["t"])
    #expect(c[4].value.array != plain[4].value.array)
  }

  @Test func pytorchDefaultBiasUsesTheWeightsFanIn() throws {
    let p = mlpParameters([400, 50])
    try Initialization.apply(InitConfig(rule: .pytorchDefault, bias: .pytorchDefault), to: p, seed: 1, path: [])
    let bias = p[1].value.array
    #expect(bias.allSatisfy { abs($0) <= 0.05 })
    #expect(bias.map { abs($0) }.max()! > 0.03)
  }

  @Test func ibpSparesTheLastLayer() throws {
    let p = mlpParameters([256, 256, 256, 10])
    try Initialization.apply(InitConfig(rule: .ibp), to: p, seed: 2, path: [])
    let hidden = moments(p[2].value.array).variance
    #expect(abs(hidden / (2 * Double.pi / (256.0 * 256)) - 1) < 0.03)
    let last = p[4].value.array
    #expect(last.allSatisfy { abs($0) <= 1 / 16 })  // U(±1/√256)
  }

  /// The data an LSUV rule names (the tests give its batch through `InitContext.forwardToLayer`).
  let lsuvData = DataSelection(
    dataset: DatasetConfig(name: "x", source: .twoSpirals(samples: 8, turns: 1, noise: 0)))

  /// LSUV (Mishkin & Matas 2016): after the loop every dense layer's pre-activation variance is within tolerance of 1 on the batch.
  @Test func lsuvReachesUnitVarianceOnItsData() throws {
    let dims = [32, 64, 64, 64, 8]
    let params = mlpParameters(dims)
    let batch = 128
    let input = gaussianBatch(batch * dims[0], seed: 1)
    let tanh: (Float) -> Float = { Foundation.tanh($0) }
    let forward: (Int) throws -> [Float] = { index in
      mlpPreActivations(params, input: input, batch: batch, activation: tanh)[index]
    }
    let report = try Initialization.apply(
      InitConfig(rule: .lsuv(tolerance: 0.02, maxIterations: 20, batch: batch, base: .orthogonal(gain: 1), data: lsuvData)),
      to: params, seed: 3, path: ["lsuv"],
      context: InitContext(forwardToLayer: forward))
    #expect(report.lsuv.map(\.denseIndex) == [0, 1, 2, 3])
    let outs = mlpPreActivations(params, input: input, batch: batch, activation: tanh)
    for (i, z) in outs.enumerated() {
      let v = moments(z).variance
      #expect(abs(v - 1) <= 0.02, "layer \(i) variance \(v)")
      #expect(report.lsuv[i].converged)
      #expect(abs(report.lsuv[i].variance - v) < 1e-9)
    }
    #expect(throws: InitError.self) {
      try Initialization.apply(
        InitConfig(rule: .lsuv(tolerance: 0.02, maxIterations: 20, batch: batch, base: .orthogonal(gain: 1), data: lsuvData)),
        to: params, seed: 3, path: [])
    }
  }

  /// Glorot & Bengio 2010, He et al. 2015: through 20 layers, xavier keeps tanh activations and kaiming keeps relu activations at O(1)
  /// scale, while PyTorch's default shrinks relu activations by ≈ √(1/6) per layer.
  @Test func deepMLPKeepsActivationScale() throws {
    let width = 128
    let batch = 128
    let dims = [Int](repeating: width, count: 21)
    let input = gaussianBatch(batch * width, seed: 2)

    let tanhNet = mlpParameters(dims)
    try Initialization.apply(
      InitConfig(rule: .xavierNormal(gain: Nonlinearity.tanh.gain)), to: tanhNet, seed: 4,
      path: ["tanh"])
    let tanhOuts = mlpPreActivations(tanhNet, input: input, batch: batch) { Foundation.tanh($0) }
    let tanhStd = tanhOuts.map { moments($0).variance.squareRoot() }
    // With PyTorch's tanh gain 5/3 the pre-activation std (5/3 after the first layer) settles
    // at a fixed point near 1.08 instead of decaying.
    #expect(tanhStd.allSatisfy { $0 > 0.7 && $0 < 1.8 }, "tanh pre-activation std \(tanhStd)")
    // With gain 1 (Glorot's original) it decays only slowly, ~1/√depth — never exponentially.
    let glorot = mlpParameters(dims)
    try Initialization.apply(InitConfig(rule: .xavierNormal(gain: 1)), to: glorot, seed: 4, path: ["tanh"])
    let glorotStd = mlpPreActivations(glorot, input: input, batch: batch) { Foundation.tanh($0) }
      .map { moments($0).variance.squareRoot() }
    #expect(glorotStd.last! > 0.12 && glorotStd.last! < glorotStd.first!, "gain-1 std \(glorotStd)")

    let reluNet = mlpParameters(dims)
    try Initialization.apply(
      InitConfig(rule: .kaimingNormal(mode: .fanIn, nonlinearity: .relu)), to: reluNet, seed: 4, path: ["relu"])
    let reluOuts = mlpPreActivations(reluNet, input: input, batch: batch) { max($0, 0) }
    // E[relu(z)²] = Var(z)/2 stays at its first-layer value (1) through all 20 layers.
    let reluRMS = reluOuts.map { z in
      (z.reduce(0.0) { $0 + Double(max($1, 0) * max($1, 0)) } / Double(z.count)).squareRoot()
    }
    #expect(reluRMS.allSatisfy { $0 > 0.6 && $0 < 1.6 }, "relu rms \(reluRMS)")

    let defaultNet = mlpParameters(dims)
    try Initialization.apply(InitConfig(rule: .pytorchDefault), to: defaultNet, seed: 4, path: ["relu"])
    let defaultOuts = mlpPreActivations(defaultNet, input: input, batch: batch) { max($0, 0) }
    let last = moments(defaultOuts.last!).variance.squareRoot()
    #expect(last < 1e-5, "PyTorch default should vanish, got \(last)")
  }

  @Test func winnerAddsCentroidScaledNoiseToTheFirstTwoLayers() throws {
    // A pure tone at bin 64 of 1024 samples: ψ = 2·64/1024 = 0.125.
    let n = 1024
    let tone = (0..<n).map { Float(sin(2 * Double.pi * 64 * Double($0) / Double(n))) }
    let target = TargetSignal(values: tone, slices: 1, length: n, channels: 1)
    #expect(abs(target.spectralCentroid - 0.125) < 1e-6)  // Float samples leak a little
    let options = WinnerOptions.audio
    let scales = options.scales(for: target)
    #expect(abs(scales.s0 - 3500 * (1 - exp(-7 * target.spectralCentroid))) < 1e-9)
    #expect(abs(scales.s1 - 3 * target.spectralCentroid) < 1e-12)

    let dims = [1, 256, 256, 256, 1]
    let plain = mlpParameters(dims)
    try Initialization.apply(
      InitConfig(rule: .winner(WinnerOptions(s0Max: 3500, a: 7, b: 3, s0: 0, s1: 0), data: lsuvData)), to: plain, seed: 7, path: ["w"],
      context: InitContext(target: target))
    let noisy = mlpParameters(dims)
    let report = try Initialization.apply(
      InitConfig(rule: .winner(options, data: lsuvData)), to: noisy, seed: 7, path: ["w"], context: InitContext(target: target))
    #expect(report.winnerScales == scales)
    // s = 0 is exactly SIREN: first layer U(±1/n), hidden U(±√(6/n)/30).
    #expect(plain[0].value.array.allSatisfy { abs($0) <= 1 })
    #expect(plain[2].value.array.allSatisfy { abs($0) <= Float((6.0 / 256).squareRoot() / 30) })
    let d1 = zip(noisy[2].value.array, plain[2].value.array).map { $0 - $1 }
    #expect(abs(moments(d1).variance.squareRoot() / (scales.s1 / 30) - 1) < 0.03)
    let d0 = zip(noisy[0].value.array, plain[0].value.array).map { $0 - $1 }
    #expect(abs(moments(d0).variance.squareRoot() / (scales.s0 / 30) - 1) < 0.15)  // 256 draws
    #expect(noisy[4].value.array == plain[4].value.array)
    #expect(noisy[6].value.array == plain[6].value.array)
    #expect(throws: InitError.self) {
      try Initialization.apply(InitConfig(rule: .winner(options, data: lsuvData)), to: mlpParameters(dims), seed: 7, path: [])
    }
  }

  /// The dataset → WINNER path the executor uses: a fine checkerboard has a high centroid, a gradient a low one.
  @Test func winnerReadsAnImageDatasetAlongItsRows() throws {
    let board = try DatasetGenerator.image(.checkerboard(period: 1), height: 16, width: 16, seed: 0, path: [])
    let ramp = try DatasetGenerator.image(.gradient, height: 16, width: 16, seed: 0, path: [])
    let high = try #require(board.targetSignal).spectralCentroid
    let low = try #require(ramp.targetSignal).spectralCentroid
    #expect(abs(high - 1) < 1e-6)  // alternating ±1 along every row: all energy at f = ½
    #expect(low < high / 2)  // the ramp's periodic extension is a sawtooth: 1/f spectrum, ψ ≈ 0.4
    let p = mlpParameters([2, 32, 32, 1])
    let report = try Initialization.apply(
      InitConfig(rule: .winner(.image, data: lsuvData)), to: p, seed: 1, path: [], context: InitContext(target: board.targetSignal))
    #expect(abs((report.winnerScales?.s0 ?? 0) - 50 * (1 - exp(-5 * high))) < 1e-9)
  }

  @Test func imageCentroidAveragesRowsAndChannels() {
    // 2 rows × 8 samples × 2 channels; channel 0 a tone at bin 2, channel 1 at bin 4: ψ = 2·(2/8 + 4/8)/2 = 0.75.
    var v = [Float](repeating: 0, count: 32)
    for r in 0..<2 {
      for s in 0..<8 {
        v[(r * 8 + s) * 2] = Float(cos(2 * Double.pi * 2 * Double(s) / 8))
        v[(r * 8 + s) * 2 + 1] = Float(cos(2 * Double.pi * 4 * Double(s) / 8))
      }
    }
    let t = TargetSignal(values: v, slices: 2, length: 8, channels: 2)
    #expect(abs(t.spectralCentroid - 0.75) < 1e-6)
  }

  @Test func fromStageCopiesWithMappingAndNamesShapeMismatches() throws {
    let checkpoint: [String: StageTensor] = [
      "layers.0.weight": StageTensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6]),
      "layers.0.bias": StageTensor(shape: [3], values: [7, 8, 9]),
      "layers.4.weight": StageTensor(shape: [1, 3], values: [10, 11, 12]),
      "layers.4.bias": StageTensor(shape: [1], values: [13]),
    ]
    let ctx = InitContext(checkpoints: ["pretrain": checkpoint])
    let p = mlpParameters([2, 3, 1])  // layers 0 and 2
    try Initialization.apply(
      InitConfig(rule: .fromStage(stage: "pretrain", mapping: [LayerMapping(layer: 2, source: 4)], fallback: nil)),
      to: p, seed: 0, path: [],
      context: ctx)
    #expect(p[0].value.array == [1, 2, 3, 4, 5, 6])
    #expect(p[1].value.array == [7, 8, 9])
    #expect(p[2].value.array == [10, 11, 12])
    #expect(p[3].value.array == [13])

    let wrong = mlpParameters([2, 4, 1])
    do {
      try Initialization.apply(
        InitConfig(rule: .fromStage(stage: "pretrain", mapping: [], fallback: nil)), to: wrong, seed: 0, path: [],
        context: ctx)
      Issue.record("expected a shape mismatch")
    } catch let error as InitError {
      #expect(error.code == "init.shape-mismatch")
      #expect(
        error.message.contains("layers.0.weight") && error.message.contains("[3, 2]")
          && error.message.contains("[4, 2]"))
    }
    // Unmapped last layer: missing tensor is an error unless a fallback or a per-layer rule covers it.
    let q = mlpParameters([2, 3, 1])
    #expect(throws: InitError.self) {
      try Initialization.apply(
        InitConfig(rule: .fromStage(stage: "pretrain", mapping: [], fallback: nil)), to: q, seed: 0, path: [],
        context: ctx)
    }
    try Initialization.apply(
      InitConfig(rule: .fromStage(stage: "pretrain", mapping: [], fallback: nil), layerRules: [.init(.last, .zeros)]),
      to: q, seed: 0, path: [], context: ctx)
    #expect(q[2].value.array == [0, 0, 0])
  }
}
