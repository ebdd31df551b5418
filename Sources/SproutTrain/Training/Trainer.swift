import SproutConfig
import SproutTensor

/// The loop of a train stage: batches → `TrainStep` → records and checkpoints, resumable bit for bit.
///
/// ```
/// step 0   capture W₀ (and K₀) → record(0) → checkpoint(0)
/// step s   stop flag? → checkpoint(s−1) unless just written, return .stopped
///          next batch → forward/backward/clip/update → loss finite? else throw naming s
///          s % every == 0 or last → record(s);  s % checkpointEvery == 0 or last → checkpoint(s)
/// ```
///
/// "Step s" means the state after s optimizer updates. A record at step 0 < s < total reports the loss, accuracy
/// and PSNR of the batch step s trained on (computed before its update, in training mode), its gradient norm
/// before clipping, its learning rate, and every model metric after the update. The records at step 0 and at
/// the last step report loss, accuracy and PSNR over the whole training data in evaluation mode (so a final
/// figure never describes a leftover partial batch); step 0 has the first step's learning rate and no
/// grad_norm. A record is emitted before the checkpoint of the same step, so a run resumed from the checkpoint
/// at step s continues with step s + 1's record.
public final class Trainer {
  /// The model being trained.
  public let network: Network
  /// The training examples.
  public let data: Dataset
  /// The stage's settings.
  public let configuration: TrainerConfiguration
  /// One optimizer step (owns the optimizer and the schedule).
  public let trainStep: TrainStep
  /// The batch source; its cursor is the data position a checkpoint stores.
  public private(set) var batches: Batcher
  /// Computes records and keeps W₀/K₀.
  public let recorder: MetricsRecorder
  /// Steps of the whole run.
  public let totalSteps: Int
  /// Checked before every step.
  public let stopFlag: StopFlag
  /// Called with each record (step, metric name → value).
  public var onRecord: ((Int, [String: MetricValue]) throws -> Void)?
  /// Called with each checkpoint's state.
  public var onCheckpoint: ((TrainingState) throws -> Void)?

  /// Held-out evaluation during training (`eval:`): its rows, metrics and interval in steps.
  public private(set) var evaluation: (data: Dataset, record: [MetricConfig], every: Int)?

  private var started = false
  /// Steps between records.
  private let recordEvery: Int
  private var lastCheckpointStep = -1
  private let inputBuffer: Tensor
  private let targetBuffer: Tensor

  /// Completed optimizer steps.
  public var step: Int { trainStep.step }

  /// Plans a run of `configuration` for `network` on `data`. Epoch e's batch order is
  /// `RandomStream(seed: shuffleSeed, path: shufflePath + ["epoch", "e"]).permutation(count)` (`Batcher`).
  /// - Throws: `TrainingError` when the data, batch size or a recorded metric does not fit the model.
  public init(
    network: Network, data: Dataset, configuration: TrainerConfiguration, shuffleSeed: UInt64,
    shufflePath: [String], stopFlag: StopFlag = StopFlag()
  ) throws {
    let c = configuration
    try data.check(fits: network, loss: c.loss)
    guard c.batchSize >= 1, Swift.min(c.batchSize, data.count) <= network.maxBatch else {
      throw TrainingError.invalidConfiguration(
        "batch \(c.batchSize) is outside 1...\(network.maxBatch), the size the model was planned for")
    }
    guard (c.every ?? 1) >= 1, (c.checkpointEvery ?? 1) >= 1 else {
      throw TrainingError.invalidConfiguration("every and checkpoint_every must be at least 1")
    }
    guard !network.layers.isEmpty else { throw TrainingError.invalidConfiguration("the model has no layers") }
    self.network = network
    self.data = data
    self.configuration = c
    self.stopFlag = stopFlag
    do {
      batches = try Batcher(
        dataset: data, batchSize: Swift.min(c.batchSize, data.count), shuffle: c.shuffle, dropLast: c.dropLast,
        seed: shuffleSeed, path: shufflePath)
    } catch {
      throw TrainingError.invalidConfiguration("\(error)")
    }
    switch c.length {
    case .epochs(let e): totalSteps = e * batches.batchesPerEpoch
    case .steps(let s): totalSteps = s
    }
    guard totalSteps >= 0 else { throw TrainingError.invalidConfiguration("a negative training length") }
    if let lambda = c.trAct { network.setTrAct(lambda: lambda) }
    recordEvery = c.recordInterval(totalSteps: totalSteps)
    var interval: IntervalTraining?
    if case .ibp(let ibp) = c.loss { interval = try IntervalTraining(network: network, config: ibp) }
    trainStep = TrainStep(
      network: network, loss: c.loss,
      optimizer: c.optimizer.make(parameters: network.parameters, backend: network.backend), baseLR: c.lr,
      schedule: c.schedule, totalSteps: totalSteps, clip: c.clip, interval: interval)
    recorder = try MetricsRecorder(network: network, loss: c.loss, data: data, metrics: c.record)
    inputBuffer = Tensor(zeros: [batches.batchSize, data.featureCount])
    targetBuffer = Tensor(zeros: [batches.batchSize, data.target.width])
  }

  /// Trains until `totalSteps` (from step 0, or from a restored state), calling `onRecord` and
  /// `onCheckpoint` on schedule.
  /// - Throws: `TrainingError.nonFiniteLoss` naming the step; any error the callbacks throw.
  @discardableResult
  public func run() throws -> TrainingOutcome {
    if !started {
      recorder.captureInitialState()
      started = true
      if !configuration.record.isEmpty || evaluation != nil { try onRecord?(0, try initialRecord()) }
      try checkpoint()
    }
    let c = configuration
    let wantsGradNorm = c.record.contains(.gradNorm)
    let last = network.layers.count - 1
    while trainStep.step < totalSteps {
      if stopFlag.isSet {
        if lastCheckpointStep != trainStep.step { try checkpoint() }
        return .stopped(step: trainStep.step)
      }
      let rows = batches.next(features: inputBuffer.mutablePointer, targets: targetBuffer.mutablePointer)
      let loss = trainStep.run(input: inputBuffer.pointer, target: targetBuffer.pointer, batch: rows)
      let s = trainStep.step
      guard loss.isFinite else { throw TrainingError.nonFiniteLoss(step: s, loss: loss) }
      let recordDue = !c.record.isEmpty && (s % recordEvery == 0 || s == totalSteps)
      let evalDue = evaluation.map { s % $0.every == 0 || s == totalSteps } ?? false
      if recordDue || evalDue {
        var values: [String: MetricValue] = [:]
        if recordDue { values = try trainingRecord(step: s, rows: rows, wantsGradNorm: wantsGradNorm, last: last) }
        if evalDue { try heldOut(into: &values) }
        try onRecord?(s, values)
      }
      if s == totalSteps || c.checkpointEvery.map({ s % $0 == 0 }) == true { try checkpoint() }
    }
    return .completed(steps: totalSteps)
  }

  /// The record of step `s` (after its update) for the batch of `rows` rows it trained on.
  private func trainingRecord(step s: Int, rows: Int, wantsGradNorm: Bool, last: Int) throws -> [String: MetricValue] {
    let gradNorm =
      wantsGradNorm
      ? Double(trainStep.lastGradientNorm ?? GradientClipping.globalNorm(network.parameters)) : nil
    let quantities = StepQuantities(
      loss: Double(trainStep.lastCleanLoss), outputs: network.output(ofLayer: last).pointer,
      targets: targetBuffer.pointer, rows: rows, gradNorm: gradNorm, lr: Double(trainStep.lastLR))
    var values = recorder.record(step: quantities)
    if s == totalSteps {
      try wholeData(into: &values)
      // The last update can diverge after the batch loss above was taken: the whole-data loss catches it.
      if let l = values[MetricConfig.loss.name]?.scalar, !l.isFinite {
        throw TrainingError.nonFiniteLoss(step: s, loss: Float(l))
      }
    }
    return values
  }

  /// Evaluates the model on held-out rows during training (``EvalConfig``): every `every` steps (nil: about
  /// `TrainingConfig.defaultRecords` times), and at the first and last steps. The values join the records under
  /// `eval/NAME`.
  /// - Throws: `TrainingError` when the rows do not fit the model or a metric cannot be taken on them.
  public func evaluate(on data: Dataset, record: [MetricConfig], every: Int?) throws {
    try data.check(fits: network, loss: configuration.loss)
    _ = try MetricsRecorder(network: network, loss: configuration.loss, data: data, metrics: record)
    let interval =
      every ?? Swift.max(1, (totalSteps + TrainingConfig.defaultRecords - 1) / TrainingConfig.defaultRecords)
    evaluation = (data, record, interval)
  }

  /// Adds the held-out metrics (evaluation mode) to `values` under `eval/NAME`.
  private func heldOut(into values: inout [String: MetricValue]) throws {
    guard let evaluation else { return }
    let measured = try Evaluation.measure(
      network: network, data: evaluation.data, loss: configuration.loss, record: evaluation.record,
      batchSize: network.maxBatch)
    for (k, v) in measured { values[EvalConfig.prefix + k] = v }
  }

  private func checkpoint() throws {
    try onCheckpoint?(state())
    lastCheckpointStep = trainStep.step
  }

  /// The step-0 record: the metrics of the model as initialised, with loss, accuracy and PSNR over the whole
  /// training data and the first step's learning rate.
  private func initialRecord() throws -> [String: MetricValue] {
    let lr = configuration.schedule.learningRate(base: configuration.lr, step: 0, totalSteps: totalSteps)
    var values = recorder.record(step: nil)
    if configuration.record.contains(.lr) { values[MetricConfig.lr.name] = .scalar(Double(lr)) }
    try wholeData(into: &values)
    try heldOut(into: &values)
    return values
  }

  /// Replaces loss, accuracy and PSNR in `values` with their values over the whole training data (eval mode).
  private func wholeData(into values: inout [String: MetricValue]) throws {
    let perRow = configuration.record.filter {
      switch $0 {
      case .loss, .accuracy, .psnr: true
      default: false
      }
    }
    guard !perRow.isEmpty else { return }
    let whole = try Evaluation.evaluate(
      network: network, data: data, loss: configuration.loss, batchSize: network.maxBatch, record: perRow)
    for (k, v) in whole { values[k] = v }
  }

  /// The current state, for a checkpoint (see `TrainingState` for the names).
  public func state() -> TrainingState {
    var tensors: [String: StateTensor] = [:]
    for p in network.parameters + network.buffers { tensors[p.name] = .float32(shape: p.shape, values: p.value.array) }
    for (name, t) in trainStep.optimizer.stateTensors() { tensors[name] = .float32(shape: t.shape, values: t.array) }
    // Every weight-layer matrix (attention's and a sequence model's position-wise dense layers too), so a resumed
    // run's weight_change compares with the same start.
    for w in network.weightLayers.flatMap(\.weights) {
      if let w0 = recorder.initialWeights[w.name] { tensors["initial." + w.name] = .float32(shape: w.shape, values: w0) }
    }
    if let k0 = recorder.initialKernel {
      tensors["metrics.kernel_alignment.k0"] = .float64(shape: [k0.rows, k0.cols], values: k0.values)
    }
    let scalars: [String: UInt64] = [
      "step": UInt64(trainStep.step), "epoch": UInt64(batches.cursor.epoch),
      "cursor": UInt64(batches.cursor.index),
      "clock": network.clock.count, "total_steps": UInt64(totalSteps),
    ]
    return TrainingState(tensors: tensors, scalars: scalars)
  }

  /// Loads `state` (use `TrainingState.restore(into:)`); afterwards `run()` continues from its step.
  func restore(_ state: TrainingState) throws {
    let total = try state.counter("total_steps")
    guard total == totalSteps else {
      throw TrainingError.stateMismatch("it was written for \(total) steps, this run has \(totalSteps)")
    }
    let step = try state.counter("step"), epoch = try state.counter("epoch"), cursor = try state.counter("cursor")
    guard step <= totalSteps, cursor < data.count else {
      throw TrainingError.stateMismatch("step \(step) / data cursor \(cursor) out of range")
    }
    // Validate everything before changing anything, so a failed restore leaves the trainer untouched.
    var values: [(Parameter, [Float])] = []
    for p in network.parameters + network.buffers {
      values.append((p, try state.float32(p.name, count: p.value.count)))
    }
    var optimizerState: [String: [Float]] = [:]
    for (name, t) in trainStep.optimizer.stateTensors() {
      optimizerState[name] = try state.float32(name, count: t.count)
    }
    var initial: [String: [Float]] = [:]
    for w in network.weightLayers.flatMap(\.weights) {
      initial[w.name] = try state.float32("initial." + w.name, count: w.value.count)
    }
    var k0: DenseMatrix?
    if !recorder.kernelParameters.isEmpty {
      guard case .float64(let shape, let v)? = state.tensors["metrics.kernel_alignment.k0"], shape.count == 2,
        shape[0] * shape[1] == v.count
      else { throw TrainingError.stateMismatch("tensor 'metrics.kernel_alignment.k0' is missing or malformed") }
      k0 = DenseMatrix(rows: shape[0], cols: shape[1], values: v)
    }
    try trainStep.optimizer.restore(from: optimizerState)
    for (p, v) in values {
      for i in 0..<v.count { p.value[i] = v[i] }
    }
    recorder.initialWeights = initial
    recorder.initialKernel = k0
    trainStep.step = step
    batches.cursor = Batcher.Cursor(epoch: epoch, index: cursor)
    network.clock.count = state.scalars["clock"] ?? 0
    started = true
    lastCheckpointStep = step
  }
}
