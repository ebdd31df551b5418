import Foundation
import SproutTensor
import SproutConfig
import Testing

@testable import SproutTrain

/// A planned network on the cpu backend (one thread), weights ~ N(0, 1/fan_in), biases 0.1-scaled normal,
/// all from a stream seeded by `seed`. Dropout masks are keyed by the fixed network seed 1, as a run keys them
/// by its own seed whatever the initialization.
func makeTestNetwork(_ layers: [LayerConfig], input: Int, maxBatch: Int, seed: UInt64) throws -> Network {
  let net = try Network(
    input: input, layers: layers, backend: try Backends.make(name: "cpu", threads: 1), maxBatch: maxBatch, seed: 1)
  var stream = RandomStream(seed: seed, path: ["test", "init"])
  for p in net.parameters where p.role == .weight || p.role == .bias {
    let std = p.role == .weight ? Float(1 / Double(p.fanIn).squareRoot()) : 0.1
    stream.fillNormal(p.value.mutablePointer, count: p.value.count, mean: 0, std: std)
  }
  return net
}

/// A teacher regression: x ~ U(−1, 1)^d, y = sin(x·a) + 0.5·x₀.
func teacherData(count: Int, inputs d: Int, seed: UInt64) -> Dataset {
  var s = RandomStream(seed: seed, path: ["test", "data"])
  var x = [Float](repeating: 0, count: count * d)
  for i in 0..<(count * d) { x[i] = -1 + 2 * s.nextUniform() }
  let y = (0..<count).map { r -> Float in
    var dotp: Float = 0
    for j in 0..<d { dotp += x[r * d + j] * Float(j + 1) / Float(d) }
    return sin(2 * dotp) + 0.5 * x[r * d]
  }
  return regression(x, y, count: count, features: d)
}

/// A regression dataset (targets one value per row unless `width` says otherwise), optionally on a grid.
func regression(_ x: [Float], _ y: [Float], count: Int, features: Int, width: Int = 1, grid: [Int]? = nil) -> Dataset {
  do {
    return try Dataset(
      features: x, targets: y, count: count, featureCount: features, target: .regression(width: width), grid: grid)
  } catch {
    preconditionFailure("test dataset does not fit its shape: \(error)")
  }
}

/// Bit patterns of every parameter, by name.
func parameterBits(_ net: Network) -> [String: [UInt32]] {
  Dictionary(uniqueKeysWithValues: (net.parameters + net.buffers).map { ($0.name, $0.value.array.map(\.bitPattern)) })
}

/// Canonical text of a state (every float by its bits), to compare states exactly.
func stateFingerprint(_ s: TrainingState) -> String {
  var out = s.scalars.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  for (name, tensor) in s.tensors.sorted(by: { $0.key < $1.key }) {
    switch tensor {
    case .float32(let shape, let v):
      out += "|\(name)\(shape):" + v.map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
    case .float64(let shape, let v):
      out += "|\(name)\(shape):" + v.map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
    }
  }
  return out
}

let resumeLayers: [LayerConfig] = [
  .dense(units: 12, bias: true), .activation(.tanh), .dropout(rate: 0.2),
  .dense(units: 10, bias: true), .activation(.crrelu(epsilon: 0.01, learnable: true)), .dense(units: 1, bias: true),
]

func resumeConfiguration(record: [MetricConfig]) -> TrainerConfiguration {
  TrainerConfiguration(
    loss: .mse, optimizer: .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01), lr: 0.02,
    schedule: .cosine(minLR: 0.001, warmup: 3), clip: .norm(maxNorm: 1.0), batchSize: 7,
    length: .epochs(4), record: record, every: 3, checkpointEvery: 1)
}

@Suite struct TrainerTests {
  let allRecorded: [MetricConfig] = [
    .loss, .gradNorm, .lr, .weightNorm(layers: .all), .weightChange(layers: .all, relative: true),
    .effectiveRank(layers: .all, definition: .participationRatio), .stableRank(layers: .all),
    .kernelAlignment(layers: .all, samples: 32),
    .activationStats(stats: ActivationStatistic.allCases, layers: .all, samples: 256),
  ]

  /// Runs the whole schedule once, keeping every record and every per-step state.
  func uninterrupted(
    data: Dataset
  ) throws -> (records: [Int: String], states: [TrainingState], final: [String: [UInt32]]) {
    let net = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 1)
    let trainer = try Trainer(
      network: net, data: data, configuration: resumeConfiguration(record: allRecorded),
      shuffleSeed: 9, shufflePath: ["shuffle"])
    var records: [Int: String] = [:]
    var states: [TrainingState] = []
    trainer.onRecord = { records[$0] = MetricValue.map($1).json }
    trainer.onCheckpoint = { states.append($0) }
    #expect(try trainer.run() == .completed(steps: 20))
    return (records, states, parameterBits(net))
  }

  @Test func resumeFromAnyCheckpointIsBitIdentical() throws {
    let data = teacherData(count: 30, inputs: 3, seed: 4)  // 30 rows, batch 7: 5 batches/epoch, last one short
    let reference = try uninterrupted(data: data)
    #expect(reference.states.count == 21)  // steps 0…20
    #expect(reference.records.keys.sorted() == [0, 3, 6, 9, 12, 15, 18, 20])
    for cut in [0, 1, 5, 9, 13, 19, 20] {
      let state = reference.states[cut]
      #expect(state.step == cut)
      // A fresh network with a different initialization: everything must come from the state.
      let net = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 77)
      let trainer = try Trainer(
        network: net, data: data, configuration: resumeConfiguration(record: allRecorded),
        shuffleSeed: 9, shufflePath: ["shuffle"])
      try state.restore(into: trainer)
      var records: [Int: String] = [:]
      var states: [TrainingState] = []
      trainer.onRecord = { records[$0] = MetricValue.map($1).json }
      trainer.onCheckpoint = { states.append($0) }
      #expect(try trainer.run() == .completed(steps: 20))
      #expect(parameterBits(net) == reference.final, "final weights differ after resuming at \(cut)")
      #expect(records == reference.records.filter { $0.key > cut }, "records differ after resuming at \(cut)")
      #expect(states.map(stateFingerprint) == reference.states[(cut + 1)...].map(stateFingerprint))
    }
  }

  @Test func stopFlagCheckpointsAndResumes() throws {
    let data = teacherData(count: 30, inputs: 3, seed: 4)
    let reference = try uninterrupted(data: data)
    let net = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 1)
    let flag = StopFlag()
    let trainer = try Trainer(
      network: net, data: data, configuration: resumeConfiguration(record: allRecorded),
      shuffleSeed: 9, shufflePath: ["shuffle"], stopFlag: flag)
    var last: TrainingState?
    trainer.onRecord = { step, _ in if step == 6 { flag.set() } }
    trainer.onCheckpoint = { last = $0 }
    #expect(try trainer.run() == .stopped(step: 6))
    let saved = try #require(last)
    #expect(saved.step == 6)
    #expect(stateFingerprint(saved) == stateFingerprint(reference.states[6]))
    let again = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 5)
    let resumed = try Trainer(
      network: again, data: data, configuration: resumeConfiguration(record: allRecorded),
      shuffleSeed: 9, shufflePath: ["shuffle"])
    try saved.restore(into: resumed)
    try resumed.run()
    #expect(parameterBits(again) == reference.final)
  }

  @Test func nonFiniteLossStopsNamingTheStepAndKeepsLastGoodCheckpoint() throws {
    let data = teacherData(count: 16, inputs: 3, seed: 2)
    let net = try makeTestNetwork(
      [.dense(units: 8, bias: true), .activation(.relu), .dense(units: 1, bias: true)],
      input: 3, maxBatch: 16, seed: 3)
    let config = TrainerConfiguration(
      loss: .mse, optimizer: .sgd(momentum: 0, dampening: 0, nesterov: false, weightDecay: 0), lr: 1e19,
      batchSize: 16, length: .steps(50), checkpointEvery: 1)
    let trainer = try Trainer(
      network: net, data: data, configuration: config, shuffleSeed: 1, shufflePath: [])
    var checkpoints: [Int] = []
    trainer.onCheckpoint = { checkpoints.append($0.step) }
    do {
      try trainer.run()
      Issue.record("expected a non-finite loss")
    } catch let TrainingError.nonFiniteLoss(step, loss) {
      #expect(!loss.isFinite)
      #expect(step >= 2 && step <= 50)
      #expect(checkpoints.last == step - 1)  // the last good state
      #expect("\(TrainingError.nonFiniteLoss(step: step, loss: loss))".contains("step \(step)"))
    }
  }

  @Test func stepZeroRecordHasUnitAlignmentAndNoWeightChange() throws {
    let data = teacherData(count: 20, inputs: 3, seed: 6)
    let net = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 2)
    var config = resumeConfiguration(record: allRecorded)
    config.length = .steps(6)
    let trainer = try Trainer(
      network: net, data: data, configuration: config, shuffleSeed: 3, shufflePath: [])
    var records: [Int: [String: MetricValue]] = [:]
    trainer.onRecord = { records[$0] = $1 }
    try trainer.run()
    let first = try #require(records[0])
    #expect(abs(try #require(first["kernel_alignment"]?.scalar) - 1) < 1e-12)
    #expect(first["weight_change"]?["layers.3.weight"]?.scalar == 0)
    #expect(first["grad_norm"] == nil)
    #expect(first["lr"]?.scalar == Double(config.schedule.learningRate(base: 0.02, step: 0, totalSteps: 20)))
    let later = try #require(records[6])
    #expect(try #require(later["weight_change"]?["layers.0.weight"]?.scalar) > 0)
    #expect(try #require(later["grad_norm"]?.scalar) > 0)
    let ka = try #require(later["kernel_alignment"]?.scalar)
    #expect(ka > 0 && ka <= 1)
    // Activation statistics are keyed by the activation layers' paths (tanh at 1, crrelu at 4).
    #expect(
      Set(
        later["activation_stats"].flatMap { if case .map(let m) = $0 { return Array(m.keys) } else { return nil } }
          ?? [])
        == ["layers.1", "layers.4"])
    #expect(trainer.totalSteps == 6)
  }

  @Test func rejectsDataThatDoesNotFitTheModel() throws {
    let net = try makeTestNetwork([.dense(units: 2, bias: false)], input: 4, maxBatch: 8, seed: 1)
    let data = teacherData(count: 10, inputs: 3, seed: 1)
    let config = TrainerConfiguration(
      loss: .mse, optimizer: .sgd(momentum: 0, dampening: 0, nesterov: false, weightDecay: 0), lr: 0.1,
      batchSize: 4, length: .steps(1))
    #expect(throws: TrainingError.self) {
      try Trainer(network: net, data: data, configuration: config, shuffleSeed: 0, shufflePath: [])
    }
    let state = TrainingState(tensors: [:], scalars: ["total_steps": 1, "step": 0, "epoch": 0, "cursor": 0])
    let fits = try makeTestNetwork([.dense(units: 1, bias: false)], input: 3, maxBatch: 8, seed: 1)
    let trainer = try Trainer(
      network: fits, data: data, configuration: config, shuffleSeed: 0, shufflePath: [])
    #expect(throws: TrainingError.stateMismatch("tensor 'layers.0.weight' is missing")) {
      try state.restore(into: trainer)
    }
  }

  @Test func stopBeforeTheFirstStepKeepsOnlyTheInitialCheckpoint() throws {
    let data = teacherData(count: 10, inputs: 3, seed: 1)
    let net = try makeTestNetwork(resumeLayers, input: 3, maxBatch: 8, seed: 1)
    let flag = StopFlag()
    flag.set()
    let trainer = try Trainer(
      network: net, data: data, configuration: resumeConfiguration(record: [.loss]),
      shuffleSeed: 0, shufflePath: [], stopFlag: flag)
    var steps: [Int] = []
    trainer.onCheckpoint = { steps.append($0.step) }
    #expect(try trainer.run() == .stopped(step: 0))
    #expect(steps == [0])
  }

  @Test func classifierLearnsSeparableBlobsOverEpochs() throws {
    // Two Gaussian blobs at ±(1.5, 1.5), σ = 0.5; labels are class indices for cross-entropy.
    var s = RandomStream(seed: 11, path: ["blobs"])
    var x: [Float] = [], y: [Float] = []
    for i in 0..<64 {
      let c = i % 2
      let centre: Float = c == 0 ? -1.5 : 1.5
      x += [centre + 0.5 * Float(s.nextNormal()), centre + 0.5 * Float(s.nextNormal())]
      y.append(Float(c))
    }
    let data = try Dataset(features: x, targets: y, count: 64, featureCount: 2, target: .classes(count: 2))
    let net = try makeTestNetwork(
      [.dense(units: 8, bias: true), .activation(.relu), .dense(units: 2, bias: true)],
      input: 2, maxBatch: 16, seed: 4)
    let config = TrainerConfiguration(
      loss: .crossEntropy(labelSmoothing: 0), optimizer: .sgd(momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0), lr: 0.05,
      batchSize: 16, length: .epochs(10), record: [.loss, .accuracy], every: 10)
    let trainer = try Trainer(
      network: net, data: data, configuration: config, shuffleSeed: 2, shufflePath: [])
    var records: [Int: [String: MetricValue]] = [:]
    trainer.onRecord = { records[$0] = $1 }
    #expect(try trainer.run() == .completed(steps: 40))
    #expect(records.keys.sorted() == [0, 10, 20, 30, 40])
    let first = try #require(records[0]?["loss"]?.scalar), last = try #require(records[40]?["loss"]?.scalar)
    #expect(last < first)
    let eval = try Evaluation.evaluate(
      network: net, data: data, loss: .crossEntropy(labelSmoothing: 0), batchSize: 16, record: [.accuracy])
    #expect(try #require(eval["accuracy"]?.scalar) >= 0.95)
  }

}
