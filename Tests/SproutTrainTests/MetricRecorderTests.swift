import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

@Suite struct MetricRecorderTests {
  @Test func tangentKernelOfLastLayerIsTheGramOfItsInputs() throws {
    // y = W₂·tanh(W₁x + b₁) + b₂: ∂y_o/∂W₂[o', j] = δ(o, o')·h_j, so K[(p,o),(q,o')] = δ(o, o')·⟨h_p, h_q⟩.
    let net = try makeTestNetwork(
      [.dense(units: 5, bias: true), .activation(.tanh), .dense(units: 3, bias: true)],
      input: 4, maxBatch: 8, seed: 3)
    let data = teacherData(count: 6, inputs: 4, seed: 2)
    let w2 = try #require(net.parameter(named: "layers.2.weight"))
    // Gradients present before must survive the kernel computation.
    for p in net.parameters { for i in 0..<p.grad.count { p.grad[i] = Float(i) * 0.5 } }
    let before = net.parameters.map { $0.grad.array }
    let k = TangentKernel.compute(network: net, parameters: [w2], probe: data.features, rows: 6)
    #expect(net.parameters.map { $0.grad.array } == before)
    #expect(k.rows == 18 && k.cols == 18)
    _ = data.features.withUnsafeBufferPointer { net.forward($0.baseAddress!, batch: 6, training: false) }
    let h = net.output(ofLayer: 1)
    for p in 0..<6 {
      for q in 0..<6 {
        var g = 0.0
        for j in 0..<5 { g += Double(h.pointer[p * 5 + j]) * Double(h.pointer[q * 5 + j]) }
        for o in 0..<3 {
          for o2 in 0..<3 {
            let want = o == o2 ? g : 0
            #expect(abs(k[p * 3 + o, q * 3 + o2] - want) < 1e-5 * (1 + abs(want)))
          }
        }
      }
    }
  }

  @Test func tangentKernelOfMiddleLayerMatchesFiniteDifferences() throws {
    let net = try makeTestNetwork(
      [
        .dense(units: 4, bias: true), .activation(.tanh), .dense(units: 4, bias: true),
        .activation(.tanh), .dense(units: 2, bias: true),
      ],
      input: 3, maxBatch: 4, seed: 8)
    let data = teacherData(count: 3, inputs: 3, seed: 5)
    let recorder = try MetricsRecorder(
      network: net, loss: .mse,
      data: regression(
        data.features, data.features.prefix(6).map { $0 },
        count: 3, features: 3, width: 2), metrics: [.kernelAlignment(layers: .indices([1]), samples: 3)])
    let w = try #require(recorder.kernelParameters.first)
    #expect(recorder.kernelParameters.map(\.name) == ["layers.2.weight"])  // dense layer 1
    let k = TangentKernel.compute(network: net, parameters: [w], probe: data.features, rows: 3)
    // Central differences of every output w.r.t. every weight entry, in float32 with ε = 1e-2.
    func outputs() -> [Double] {
      data.features.withUnsafeBufferPointer { x in
        let y = net.forward(x.baseAddress!, batch: 3, training: false)
        return (0..<6).map { Double(y[$0]) }
      }
    }
    let eps: Float = 1e-2
    var jacobian = [[Double]](repeating: [Double](repeating: 0, count: w.value.count), count: 6)
    for e in 0..<w.value.count {
      let saved = w.value[e]
      w.value[e] = saved + eps
      let up = outputs()
      w.value[e] = saved - eps
      let down = outputs()
      w.value[e] = saved
      for r in 0..<6 { jacobian[r][e] = (up[r] - down[r]) / (2 * Double(eps)) }
    }
    for i in 0..<6 {
      for j in 0..<6 {
        let want = dot(jacobian[i], jacobian[j])
        #expect(abs(k[i, j] - want) < 2e-3 * (1 + abs(want)), "K[\(i), \(j)]")
      }
    }
    recorder.captureInitialState()
    let record = recorder.record(step: nil)
    #expect(abs(try #require(record["kernel_alignment"]?.scalar) - 1) < 1e-12)
  }

  @Test func evaluateComputesLossAccuracyAndPSNROverAllBatches() throws {
    // A 2→2 identity classifier: logits = x, so the class is the larger coordinate.
    let net = try makeTestNetwork([.dense(units: 2, bias: false)], input: 2, maxBatch: 3, seed: 1)
    for (i, v) in [Float(1), 0, 0, 1].enumerated() { net.parameters[0].value[i] = v }
    let x: [Float] = [2, 0, 0, 3, 1, 0, 0, 1, 5, 4]
    let labels: [Float] = [0, 1, 1, 1, 1]  // third is wrong (argmax 0), last is wrong (argmax 0)
    let data = try Dataset(features: x, targets: labels, count: 5, featureCount: 2, target: .classes(count: 2))
    let r = try Evaluation.evaluate(
      network: net, data: data, loss: .crossEntropy(labelSmoothing: 0), batchSize: 2, record: [.loss, .accuracy])
    #expect(r["accuracy"]?.scalar == 3.0 / 5.0)
    var expected = 0.0
    for row in 0..<5 {
      let a = Double(x[2 * row]), b = Double(x[2 * row + 1])
      let m = max(a, b)
      let lse = m + log(exp(a - m) + exp(b - m))
      expected += lse - (labels[row] == 0 ? a : b)
    }
    #expect(abs(try #require(r["loss"]?.scalar) - expected / 5) < 1e-6)
    // Batch size does not change the numbers beyond float rounding.
    let whole = try Evaluation.evaluate(network: net, data: data, loss: .crossEntropy(labelSmoothing: 0), batchSize: 3, record: [.loss])
    #expect(abs(try #require(whole["loss"]?.scalar) - expected / 5) < 1e-6)

    // Regression y = x₀ against targets x₀ + 0.1: MSE 0.01, range 2 → 26.0206 dB.
    let reg = try makeTestNetwork([.dense(units: 1, bias: false)], input: 2, maxBatch: 4, seed: 1)
    reg.parameters[0].value[0] = 1
    reg.parameters[0].value[1] = 0
    let xs: [Float] = [0.5, 9, -0.25, 9, 0.75, 9]
    let ts = stride(from: 0, to: 6, by: 2).map { xs[$0] + 0.1 }
    let d = regression(xs, ts, count: 3, features: 2)
    let p = try Evaluation.evaluate(network: reg, data: d, loss: .mse, batchSize: 2, record: [.psnr(peak: 2), .loss])
    #expect(abs(try #require(p["psnr"]?.scalar) - 26.0206) < 1e-3)
    #expect(abs(try #require(p["loss"]?.scalar) - 0.01) < 1e-6)
  }

  @Test func measureRecordsTheOutputSpectrumOfAPerfectFit() throws {
    // Input = target = a 5-cycle sine on a 64-point line; the network is y = 1·x, so the output spectrum is
    // the target's (one spike, bin 5) and its W1 distance is 0.
    let n = 64
    let signal = (0..<n).map { Float(sin(2 * Double.pi * 5 * Double($0) / Double(n))) }
    let data = regression(signal, signal, count: n, features: 1, grid: [n])
    let net = try makeTestNetwork([.dense(units: 1, bias: false)], input: 1, maxBatch: 16, seed: 1)
    net.parameters[0].value[0] = 1
    let r = try Evaluation.measure(
      network: net, data: data, loss: .mse,
      record: [
        .outputSpectrum(bins: 16), .psnr(peak: 2), .effectiveRank(layers: .all, definition: .entropy),
        .stableRank(layers: .all),
      ])
    let s = try #require(r["output_spectrum"]?.vector)
    #expect(s.count == 16)
    #expect(abs(s[4] - 32) < 1e-4 && s.enumerated().allSatisfy { $0.offset == 4 || $0.element < 1e-4 })
    #expect(try #require(r["spectrum_w1"]?.scalar) < 1e-6)
    #expect(r["psnr"]?.scalar == .infinity)
    #expect(r["effective_rank"]?["layers.0.weight"]?.scalar == 1)
    #expect(r["stable_rank"]?["layers.0.weight"]?.scalar == 1)
    // What measure cannot do.
    #expect(throws: TrainingError.unavailableMetric("grad_norm", "a measure stage takes no training step")) {
      try Evaluation.measure(network: net, data: data, loss: .mse, record: [.gradNorm])
    }
    #expect(throws: TrainingError.self) {
      try Evaluation.measure(network: net, data: data, loss: .mse, record: [.weightChange(layers: .all, relative: true)])
    }
    let unordered = regression(signal, signal, count: n, features: 1)
    #expect(throws: TrainingError.self) {
      try Evaluation.measure(network: net, data: unordered, loss: .mse, record: [.outputSpectrum(bins: 16)])
    }
  }

  @Test func measureComparesWithATrainStagesReference() throws {
    let data = teacherData(count: 20, inputs: 3, seed: 6)
    let net = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 2)
    let metrics: [MetricConfig] = [
      .kernelAlignment(layers: .all, samples: 32), .weightChange(layers: .all, relative: true),
    ]
    var config = resumeConfiguration(record: metrics)
    config.length = .steps(5)
    let trainer = try Trainer(
      network: net, data: data, configuration: config, shuffleSeed: 3, shufflePath: [])
    var last: [String: MetricValue] = [:]
    var state: TrainingState?
    trainer.onRecord = { last = $1 }
    trainer.onCheckpoint = { state = $0 }
    try trainer.run()
    // Measuring the trained model against its own run reproduces the last record's values exactly.
    let r = try Evaluation.measure(
      network: net, data: data, loss: .mse, record: metrics, reference: state)
    #expect(r["kernel_alignment"] == last["kernel_alignment"])
    #expect(r["weight_change"] == last["weight_change"])
  }
}
