import Foundation
import SproutPlanner
import SproutTensor
import SproutTrain

/// The loop of a `train` task, with checkpoints, metric records, resume, NaN detection and cancellation.
///
/// At every step boundary `s` (after `s` optimizer steps, `s = 0` being the initialization), in this order:
/// ```
///   record metrics        if s % every == 0 or s == last
///   write metrics.jsonl   ┐ if s % checkpoint_every == 0, s == 0 or s == last
///   write step-s ckpt     ┘ (metrics first, so a checkpoint never counts records the file lacks)
/// ```
/// A checkpoint holds weights, optimizer state, step, epoch, batch cursor, the dropout clock and the number of
/// metric records; the batch order is a pure function of (seed, task, epoch). Resuming from any checkpoint
/// therefore replays exactly the steps an uninterrupted run would take.
struct TrainTask {
  let context: TaskContext
  let setup: TrainSetup

  /// What a finished train task produced.
  struct Result {
    var steps: Int
    var records: [MetricRecord]
    var checkpoints: [String]
    var finalTensors: [NamedTensor]
    var finalCheckpoint: String
  }

  func run() throws -> Result {
    let store = context.store
    let network: Network
    var modelStream = setup.stream("model")
    do {
      network = try Network(
        input: setup.inputWidth, layers: setup.layers, backend: context.backend, maxBatch: setup.batch,
        seed: modelStream.nextUInt64())
    } catch {
      throw context.error(.invalidTask, "cannot build the model: \(error)", cause: error)
    }
    let optimizer = setup.optimizer.make(parameters: network.parameters)
    let trainer = TrainStep(
      network: network, loss: setup.loss, optimizer: optimizer, baseLR: setup.learningRate, schedule: setup.schedule,
      clipNorm: setup.clipNorm)

    var step = 0
    var epoch = 0
    var cursor = 0
    var records: [MetricRecord] = []
    var lastCheckpointStep = -1
    if let resumed = try resumePoint() {
      try ModelState.load(resumed.checkpoint.tensors, into: network, path: resumed.path)
      var optimizerState: [String: [Float]] = [:]
      for t in resumed.checkpoint.tensors where t.name.hasPrefix("optimizer.") { optimizerState[t.name] = t.values }
      do { try optimizer.restore(from: optimizerState) } catch {
        throw context.error(
          .corruptCheckpoint, "checkpoint '\(resumed.path)' does not fit the optimizer: \(error)", cause: error,
          path: resumed.path)
      }
      step = resumed.checkpoint.step
      epoch = resumed.checkpoint.epoch
      cursor = resumed.checkpoint.batchCursor
      network.clock.count = UInt64(resumed.checkpoint.state["clock"] ?? "0") ?? 0
      records = resumed.records
      lastCheckpointStep = step
      context.emit(.taskResumed(key: context.key, step: step, checkpoint: resumed.path))
    } else {
      do { try setup.initialize(network) } catch {
        throw context.error(.invalidTask, "initialization failed: \(error)", cause: error)
      }
    }
    trainer.step = step

    let data = setup.data
    let dataStream = setup.stream("data")
    var order = data.order(epoch: epoch, stream: dataStream, shuffle: setup.shuffle)
    let input = Tensor(zeros: [setup.batch, data.inputWidth])
    let target = Tensor(zeros: [setup.batch, data.targetWidth])
    var checkpoints = store.checkpointSteps(context.hash).map(Checkpoint.fileName(step:))

    func writeCheckpoint(_ s: Int) throws {
      try store.writeMetrics(records, hash: context.hash)
      let checkpoint = Checkpoint(
        tensors: ModelState.tensors(of: network) + ModelState.tensors(of: optimizer), step: s, epoch: epoch,
        batchCursor: cursor, streams: ["data.epoch": UInt64(epoch), "model.clock": network.clock.count],
        state: ["clock": String(network.clock.count)], metricRecords: records.count, stamp: context.stamp)
      let path = store.checkpointPath(context.hash, step: s)
      try checkpoint.write(to: path)
      lastCheckpointStep = s
      let name = Checkpoint.fileName(step: s)
      if !checkpoints.contains(name) { checkpoints.append(name) }
      context.emit(.checkpointWritten(key: context.key, step: s, path: path))
    }
    func boundary(_ s: Int) throws {
      let last = s == setup.steps
      if s % max(setup.recordEvery, 1) == 0 || last {
        records.append(try recordMetrics(network: network, trainer: trainer, step: s))
      }
      if s == 0 || last || (setup.checkpointEvery > 0 && s % setup.checkpointEvery == 0) { try writeCheckpoint(s) }
    }

    if lastCheckpointStep < 0 { try boundary(0) }
    let started = Date()
    var ranThisAttempt = 0
    var lastLoss: Float = 0
    while step < setup.steps {
      if context.options.stop.isStopped || context.options.stopAfterSteps.map({ ranThisAttempt >= $0 }) == true {
        if lastCheckpointStep != step { try writeCheckpoint(step) }
        throw context.error(.cancelled, "task \(context.key) stopped at step \(step); run again to resume")
      }
      let count = min(setup.batch, data.rows - cursor)
      data.gather(order, start: cursor, count: count, input: input.mutablePointer, target: target.mutablePointer)
      let loss = trainer.run(input: input.pointer, target: target.pointer, batch: count)
      guard loss.isFinite else {
        throw context.error(
          .nonFiniteLoss,
          "the loss became \(loss) at step \(step + 1) of task \(context.key); the last good checkpoint is step "
            + "\(lastCheckpointStep) (lower the learning rate or add clip_norm)")
      }
      step += 1
      ranThisAttempt += 1
      lastLoss = loss
      cursor += count
      if cursor >= data.rows {
        epoch += 1
        cursor = 0
        order = data.order(epoch: epoch, stream: dataStream, shuffle: setup.shuffle)
      }
      if step % context.options.progressEvery == 0 || step == setup.steps {
        let elapsed = Date().timeIntervalSince(started)
        context.emit(
          .progress(
            key: context.key, step: step, totalSteps: setup.steps, loss: lastLoss,
            stepsPerSecond: elapsed > 0 ? Double(ranThisAttempt) / elapsed : 0))
      }
      try boundary(step)
    }
    if lastCheckpointStep != step { try writeCheckpoint(step) }
    return Result(
      steps: step, records: records, checkpoints: checkpoints.sorted(), finalTensors: ModelState.tensors(of: network),
      finalCheckpoint: Checkpoint.fileName(step: step))
  }

  /// One metric record at step `s`.
  private func recordMetrics(network: Network, trainer: TrainStep, step s: Int) throws -> MetricRecord {
    var values: [String: JSONValue] = [:]
    let needsEval = setup.record.contains("loss") || setup.record.contains("accuracy")
    let evaluation = needsEval ? ModelState.evaluate(network, loss: setup.loss, data: setup.data) : nil
    for name in setup.record {
      switch name {
      case "loss": values[name] = .double(evaluation!.loss)
      case "accuracy": values[name] = evaluation!.accuracy.map { .double($0) } ?? .null
      case "lr": values[name] = .double(Double(setup.schedule.learningRate(base: setup.learningRate, step: s)))
      default:
        values[name] = try MetricSupport.value(name, network: network, trainer: trainer, context: context)
      }
    }
    return MetricRecord(step: s, values: values)
  }

  /// The checkpoint to continue from: the newest one that decodes, carries this task's stamp and has its
  /// metric records on disk. Corrupt ones are skipped with a warning; a stamp mismatch refuses the resume.
  private func resumePoint() throws -> (checkpoint: Checkpoint, path: String, records: [MetricRecord])? {
    guard context.options.resume else { return nil }
    let store = context.store
    for s in store.checkpointSteps(context.hash).reversed() {
      let path = store.checkpointPath(context.hash, step: s)
      let checkpoint: Checkpoint
      do { checkpoint = try Checkpoint.read(path) } catch {
        context.emit(.warning(key: context.key, message: "skipping checkpoint: \(error)", path: path))
        continue
      }
      let changes = context.stamp.differences(from: checkpoint.stamp)
      guard changes.isEmpty else {
        throw context.error(
          .resumeMismatch,
          "cannot resume task \(context.key) from '\(path)': \(changes.joined(separator: "; ")); "
            + "use --force to start it over",
          path: path)
      }
      guard checkpoint.step == s else {
        context.emit(
          .warning(key: context.key, message: "skipping checkpoint: its step \(checkpoint.step) ≠ its name", path: path))
        continue
      }
      let records: [MetricRecord]
      do { records = try store.metrics(context.hash) } catch {
        context.emit(.warning(key: context.key, message: "skipping checkpoint: \(error)", path: path))
        continue
      }
      guard records.count >= checkpoint.metricRecords else {
        context.emit(
          .warning(
            key: context.key,
            message: "skipping checkpoint: metrics.jsonl has \(records.count) records, it needs \(checkpoint.metricRecords)",
            path: path))
        continue
      }
      return (checkpoint, path, Array(records.prefix(checkpoint.metricRecords)))
    }
    return nil
  }
}
