import Foundation
import SproutPlanner
import SproutTensor
import SproutTrain

/// A `train` task: SproutTrain's `Trainer` with the store's checkpoints, metric records and resume.
///
/// The trainer calls back at every step boundary `s` it records or checkpoints, in this order:
/// ```
///   onRecord(s)       → the record joins the in-memory list
///   onCheckpoint(s)   → new records appended to metrics.jsonl and fsynced, then the step-s checkpoint
///                       written atomically (records first, so a checkpoint never counts records the file
///                       lacks; appends keep the log O(records), not O(records × checkpoints))
/// ```
/// A checkpoint holds the trainer's whole state (weights, optimizer state, W₀, K₀, step, epoch, cursor,
/// dropout clock) and the number of metric records; batch orders are a pure function of (seed, task,
/// epoch). Resuming from any complete checkpoint therefore replays exactly the steps an uninterrupted run
/// would take, and metrics.jsonl is cut back (atomically) to the records that checkpoint counted.
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
    var modelStream = setup.stream("model")
    let network: Network
    let trainer: Trainer
    do {
      network = try Network(
        shape: setup.model.inputShape, layers: setup.model.layers, backend: context.backend,
        maxBatch: max(1, min(setup.configuration.batchSize, setup.data.count)), seed: modelStream.nextUInt64())
    } catch {
      throw context.error(.invalidTask, "cannot set up training: \(error)", cause: error)
    }
    do { try setup.prepare(network) } catch let error as RunError { throw error } catch {
      throw context.error(.invalidTask, "cannot prepare the model: \(error)", cause: error)
    }
    do {
      trainer = try Trainer(
        network: network, data: setup.data, configuration: setup.configuration, shuffleSeed: setup.seed,
        shufflePath: setup.streamPath + ["data"], stopFlag: context.options.stop)
      if let e = setup.evaluation { try trainer.evaluate(on: e.data, record: e.record, every: e.every) }
    } catch {
      throw context.error(.invalidTask, "cannot set up training: \(error)", cause: error)
    }

    var records: [MetricRecord] = []
    var checkpoints = Set(store.checkpointSteps(context.hash).map(Checkpoint.fileName(step:)))
    let startStep: Int
    if let resumed = try resumePoint() {
      do { try resumed.checkpoint.trainingState.restore(into: trainer) } catch {
        throw context.error(
          .corruptCheckpoint, "checkpoint '\(resumed.path)' does not fit this task: \(error)", cause: error,
          path: resumed.path)
      }
      records = resumed.records
      try store.writeMetrics(records, hash: context.hash)
      startStep = resumed.checkpoint.step
      context.emit(.taskResumed(key: context.key, step: startStep, checkpoint: resumed.path))
    } else {
      do { try setup.initialize(network) } catch let error as RunError { throw error } catch {
        throw context.error(.invalidTask, "initialization failed: \(error)", cause: error)
      }
      // Records of an earlier attempt that no checkpoint vouches for go; the first append creates the file (one
      // file creation per task less than writing it empty: creating files is most of what a tiny task's store
      // writes cost, bench/RESULTS.md).
      try store.removeMetrics(hash: context.hash)
      startStep = 0
    }

    let started = Date()
    let options = context.options
    let total = trainer.totalSteps
    trainer.onRecord = { step, values in
      records.append(MetricRecord(step: step, values: values.mapValues(\.jsonValue)))
      if step > 0 {
        let elapsed = Date().timeIntervalSince(started)
        context.emit(
          .progress(
            key: context.key, step: step, totalSteps: total, loss: values["loss"]?.scalar.map { Float($0) },
            stepsPerSecond: elapsed > 0 ? Double(step - startStep) / elapsed : 0))
      }
      if let limit = options.stopAfterSteps, step - startStep >= limit { options.stop.set() }
    }
    var written = records.count
    let board = setup.tensorBoard
    var boardFinished = false
    defer {
      // A failed or stopped task ends its TensorBoard session as unsuccessful; an error writing that last event
      // must not hide the error that stopped the task.
      if let board, !boardFinished { try? board.finish(success: false) }
    }
    trainer.onCheckpoint = { state in
      // A checkpoint between the first and the last step is a resume point: durable when written, with the
      // records it counts. The step-0 checkpoint saves no training and the last one is the task's output: both
      // become durable with the task's commit (Store.commitTask), one sync instead of three each.
      let durability: AtomicFile.Durability = state.step > 0 && state.step < total ? .now : .deferred
      let new = Array(records[written...])
      try store.appendMetrics(new, hash: context.hash, durability: durability)
      // The records a checkpoint counts go to TensorBoard with it: a resumed task does not repeat them.
      try board?.add(new, stage: context.task.stage, wallTime: Date().timeIntervalSince1970)
      written = records.count
      let checkpoint = Checkpoint(state: state, metricRecords: records.count, stamp: context.stamp)
      let path = store.checkpointPath(context.hash, step: checkpoint.step)
      try checkpoint.write(to: path, durability: durability)
      checkpoints.insert(Checkpoint.fileName(step: checkpoint.step))
      context.emit(.checkpointWritten(key: context.key, step: checkpoint.step, path: path))
    }

    let outcome: TrainingOutcome
    do { outcome = try trainer.run() } catch let error as TrainingError {
      if case .nonFiniteLoss(let step, let loss) = error {
        let lastGood = store.checkpointSteps(context.hash).last.map(String.init) ?? "none"
        throw context.error(
          .nonFiniteLoss,
          "the loss became \(loss) at step \(step) of task \(context.key); the last good checkpoint is step "
            + "\(lastGood) (lower the learning rate or add clip to the optimizer)")
      }
      throw context.error(.invalidTask, "training failed: \(error)", cause: error)
    }
    if case .stopped(let step) = outcome {
      throw context.error(.cancelled, "task \(context.key) stopped at step \(step); run again to resume")
    }
    if let board {
      try board.finish(success: true)
      boardFinished = true
    }
    return Result(
      steps: trainer.step, records: records, checkpoints: checkpoints.sorted(),
      finalTensors: (network.parameters + network.buffers).map {
        NamedTensor(name: $0.name, shape: $0.shape, values: $0.value.array)
      },
      finalCheckpoint: Checkpoint.fileName(step: trainer.step))
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
          .warning(key: context.key, message: "skipping checkpoint: its step \(checkpoint.step) ≠ its name", path: path)
        )
        continue
      }
      guard let records = store.metricsPrefix(context.hash, count: checkpoint.metricRecords) else {
        context.emit(
          .warning(
            key: context.key,
            message: "skipping checkpoint: metrics.jsonl lacks the \(checkpoint.metricRecords) records it counts",
            path: path))
        continue
      }
      return (checkpoint, path, records)
    }
    return nil
  }
}
