import Foundation
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain

/// Runs one task's lowered configuration and returns its outputs record (not yet written).
///
/// `train` runs `TrainTask`; `evaluate` and `measure` load or build a model and record metrics once; `select`
/// compares the final metrics of the tasks it reads; `finetune` trains adapters (or every weight) on a trained
/// model; `merge` adds task vectors. Everything the task does comes from ``TaskConfig``: the runner holds no
/// kind names, short forms or defaults of its own.
struct StageRunner {
  let context: TaskContext
  let plan: Plan

  func run() throws -> TaskOutputs {
    guard let config = context.task.config else {
      throw context.error(.invalidTask, "task \(context.key) has no configuration (its plan has errors)")
    }
    do {
      switch config.kind {
      case .train(let model, let initialization, let training):
        return try train(model: model, initialization: initialization, training: training)
      case .evaluate(let from, let data, let loss, let batch, let record):
        return try evaluate(from: from, data: data, loss: loss, batch: batch, record: record)
      case .measure(let source, let data, let loss, let batch, let record):
        return try measure(source: source, data: data, loss: loss, batch: batch, record: record)
      case .finetune(let from, let adapters, let training):
        return try finetune(from: from, adapters: adapters, training: training)
      case .merge(let base, let from, let weights, let scale):
        return try merge(base: base, from: from, weights: weights, scale: scale)
      case .select(let select):
        return try self.select(select)
      case .fit(let fit):
        return try self.fit(fit)
      }
    } catch let error as RunError {
      throw error.at(context.range)
    }
  }

  // MARK: train

  func train(model: ModelConfig, initialization: InitConfig, training: TrainingConfig) throws -> TaskOutputs {
    let setup = try trainingSetup(
      model: model, training: training,
      initialize: { network in try self.initialize(network, initialization) })
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: setup.totalSteps))
    let result = try TrainTask(context: context, setup: setup).run()
    return try outputs(
      steps: result.steps, records: result.records, tensors: result.finalTensors, checkpoints: result.checkpoints,
      finalCheckpoint: result.finalCheckpoint)
  }

  /// What `train` and `finetune` share: the model, data, loss, optimizer, length and records of the task.
  func trainingSetup(
    model: ModelConfig, training: TrainingConfig, initialize: @escaping (Network) throws -> Void,
    prepare: @escaping (Network) throws -> Void = { _ in }
  ) throws -> TrainSetup {
    let data = try loadData(training.data).fitted(to: training.loss)
    let evaluation = try training.eval.map { e in
      (data: try loadData(e.data).fitted(to: training.loss), record: e.record, every: e.every)
    }
    return TrainSetup(
      model: model, configuration: TrainerConfiguration(training), seed: seed, streamPath: streamPath,
      initialize: initialize, prepare: prepare, data: data, evaluation: evaluation,
      tensorBoard: training.tensorBoard == true ? try tensorBoardWriter() : nil)
  }

  /// The TensorBoard run of this task's trial, `<store>/tensorboard/<run id>/<axis values>`, with the trial's axis
  /// values as its HParams. Each task writes its own event file there; TensorBoard reads them as one run.
  func tensorBoardWriter() throws -> TensorBoardWriter {
    let trial = plan.trials.first { $0.id == context.task.key.trial }
    let values = trial?.assignment ?? []
    do {
      return try TensorBoardWriter(
        root: "\(context.store.root)/tensorboard/\(context.runID)",
        name: TensorBoardWriter.runName(values, id: context.task.key.trial), hparams: values)
    } catch {
      throw context.error(.io, "cannot open the TensorBoard log of task \(context.key): \(error)", cause: error)
    }
  }

  /// The rows a selection names. Data are keyed by the plan's root seed (not the trial's), so every trial sees the
  /// same samples; files are found relative to the spec.
  func loadData(_ selection: DataSelection) throws -> Dataset {
    do {
      return try Dataset.load(selection, seed: UInt64(bitPattern: Int64(plan.rootSeed)), directory: specDirectory)
    } catch {
      throw context.error(.invalidTask, "data '\(selection.reference)': \(error)", cause: error)
    }
  }

  /// The task's seed as the streams take it.
  var seed: UInt64 { UInt64(bitPattern: Int64(context.task.seed)) }
  /// `[stage]`: the stream path of the task, under the task's seed. Exactly what the task hash covers (the seed, and
  /// the configuration, which names the stage), so a task's numbers are a function of its hash: trials that share a
  /// task (it reads no axis that tells them apart) get the same numbers whichever of them runs it, and a trial's
  /// numbers do not change when adding axis values renumbers the trials. The trial's id was once part of the path;
  /// then a task shared by trials t0000 and t0001 trained differently depending on which worker took it first.
  var streamPath: [String] { [context.task.stage] }

  /// Initializes a network by the task's initialization, with what data-dependent and transfer rules need:
  /// LSUV's batch and WINNER's target from the data the rule names, `from_stage`'s tensors from the final
  /// checkpoint of the stage's task in this trial. Streams: `[stage, "init", parameter]`.
  func initialize(_ network: Network, _ initialization: InitConfig) throws {
    var initContext = InitContext()
    var batch: (features: [Float], rows: Int)?
    for rule in initialization.allRules {
      switch rule {
      case .lsuv(_, _, let rows, _, let data):
        let dataset = try loadData(data)
        let n = min(dataset.count, network.maxBatch, rows)
        batch = (Array(dataset.features.prefix(n * dataset.featureCount)), n)
      case .winner(_, let data):
        initContext.target = try loadData(data).targetSignal
      case .fromStage(let stage, _, _):
        initContext.checkpoints[stage] = try finalModel(ofStage: stage)
      default:
        break
      }
    }
    do {
      try Initialization.apply(
        initialization, to: network, seed: seed, path: streamPath + ["init"], context: initContext, batch: batch)
    } catch {
      throw context.error(.invalidTask, "initialization failed: \(error)", cause: error)
    }
  }

  /// The model tensors (`layers.*`) of the final checkpoint of `stageName`'s task that this task reads, with
  /// any fine-tuning adapters folded into their weights.
  func finalModel(ofStage stageName: String) throws -> [String: StageTensor] {
    guard let key = context.task.inputs.first(where: { $0.stage == stageName }),
      let outputs = context.inputs[key.description], let name = outputs.finalCheckpoint
    else { throw context.error(.missingInput, "stage '\(stageName)': no completed model of that stage") }
    let path = "\(context.store.taskDirectory(outputs.hash))/\(name)"
    return try Self.modelTensors(try Checkpoint.read(path), path: path)
  }

  /// A checkpoint's model tensors (`layers.*`) by name, adapters folded into their weights.
  static func modelTensors(_ checkpoint: Checkpoint, path: String) throws -> [String: StageTensor] {
    var tensors: [String: StageTensor] = [:]
    for t in checkpoint.tensors where !t.name.contains(".") || t.name.hasPrefix("layers.") {
      tensors[t.name] = StageTensor(shape: t.shape, values: t.values)
    }
    do { return try AdapterMerge.merged(tensors) } catch {
      throw RunError(.corruptCheckpoint, "checkpoint '\(path)': \(error)", path: path)
    }
  }

  /// The directory relative data files are found in: the spec's.
  var specDirectory: String {
    AtomicFile.parent(of: plan.spec.path)
  }

  // MARK: outputs

  /// Writes metrics.jsonl (atomically) and builds the outputs record with every output's hash.
  func outputs(
    steps: Int, records: [MetricRecord], tensors: [NamedTensor], checkpoints: [String], finalCheckpoint: String?
  ) throws -> TaskOutputs {
    // The hash is of the file as written: a write or read-back that fails fails the task, never records the hash
    // of an empty file.
    // A train task's appends usually left exactly these records: then the file is not written again (a file
    // creation and a rename less per task).
    var written: [UInt8]
    do {
      let path = context.store.metricsPath(context.hash)
      let expected = Array(MetricRecord.jsonl(records).utf8)
      written = try AtomicFile.readIfPresent(path) ?? []
      if written != expected || !AtomicFile.exists(path) {
        try context.store.writeMetrics(records, hash: context.hash, durability: .deferred)
        written = try AtomicFile.read(path)
      }
    } catch {
      throw context.error(.io, "cannot write the metrics of task \(context.key): \(error)", cause: error)
    }
    var hashes: [String: String] = ["metrics.jsonl": TaskOutputs.hash(of: written)]
    for t in tensors { hashes["tensor:\(t.name)"] = TaskOutputs.hash(of: t) }
    var final: [String: JSONValue] = [:]
    for r in records { for (k, v) in r.values { final[k] = v } }
    return TaskOutputs(
      hash: context.hash, kind: context.task.kind, steps: steps, finalMetrics: final, outputHashes: hashes,
      checkpoints: checkpoints, finalCheckpoint: finalCheckpoint, seconds: 0)
  }
}
