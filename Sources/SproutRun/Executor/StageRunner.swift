import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain

/// Runs one task by its stage kind and returns its outputs record (not yet written).
///
/// `train` runs `TrainTask`; `evaluate` and `measure` load or build a model and record metrics once;
/// `select` compares the final metrics of the tasks it reads; `finetune` trains adapters (or every weight) on a
/// trained model; `merge` adds task vectors.
struct StageRunner {
  let context: TaskContext
  let plan: Plan

  var definition: Definition { Definition(context.task.definition, path: "") }
  var stage: Definition { definition["stage"] ?? Definition(.object([:]), path: "stage") }

  func run() throws -> TaskOutputs {
    do {
      switch context.task.kind {
      case "train": return try train()
      case "evaluate": return try evaluate()
      case "measure": return try measure()
      case "select": return try select()
      case "finetune": return try finetune()
      case "merge": return try merge()
      default:
        throw context.error(
          .unsupportedStage,
          "stage kind '\(context.task.kind)' (stage '\(context.task.stage)') is not yet supported by the executor; "
            + "lint accepts it, but running it needs a later version of sprout")
      }
    } catch let error as RunError {
      throw error.at(context.range)
    }
  }

  // MARK: train

  func train() throws -> TaskOutputs {
    let setup = try trainSetup()
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: setup.totalSteps))
    let result = try TrainTask(context: context, setup: setup).run()
    return outputs(
      steps: result.steps, records: result.records, tensors: result.finalTensors, checkpoints: result.checkpoints,
      finalCheckpoint: result.finalCheckpoint)
  }

  func trainSetup() throws -> TrainSetup {
    let initDefinition = try definition.required("init")
    return try trainingSetup(initialize: { network in try self.initialize(network, initDefinition) })
  }

  /// What `train` and `finetune` share: the model, data, loss, optimizer, length and records of the task.
  func trainingSetup(
    initialize: @escaping (Network) throws -> Void, prepare: @escaping (Network) throws -> Void = { _ in }
  ) throws -> TrainSetup {
    let (input, layers) = try TrainConfigs.layers(try definition.required("model"))
    let loss = try TrainConfigs.loss(try stage.required("loss"))
    let data = DataLoader.fitting(try loadData(try definition.required("data")), to: loss)
    let optimizer = try TrainConfigs.optimizer(try stage.required("optimizer"))
    let batch = min(try stage.int("batch", default: 32), max(data.count, 1))
    let dropLast = try stage.bool("drop_last", default: false)
    let length: TrainingLength
    let steps: Int
    if let s = stage["steps"] {
      steps = try s.int()
      length = .steps(steps)
    } else {
      let epochs = try stage.int("epochs", default: 1)
      steps = epochs * (dropLast ? max(data.count / batch, 1) : (data.count + batch - 1) / batch)
      length = .epochs(epochs)
    }
    let selection = try MetricSelection(
      stage["record"], denseWeights: MetricSelection.denseWeights(layers),
      activationLayers: MetricSelection.activationLayers(layers))
    let configuration = TrainerConfiguration(
      loss: loss, optimizer: optimizer.config, lr: optimizer.lr,
      schedule: Self.fill(optimizer.schedule, totalSteps: steps),
      clipNorm: optimizer.clipNorm, trAct: optimizer.trAct, batchSize: batch, length: length,
      shuffle: try stage.bool("shuffle", default: true), dropLast: dropLast, record: selection.kinds,
      every: try stage.int("every", default: 1), checkpointEvery: try stage["checkpoint_every"]?.int(),
      metricOptions: selection.options)
    let seed = self.seed
    let path = streamPath
    return TrainSetup(
      inputWidth: input, layers: layers, configuration: configuration, seed: seed, streamPath: path,
      initialize: initialize, prepare: prepare, selection: selection, data: data)
  }

  /// Data are keyed by the plan's root seed (not the trial's), so every trial sees the same samples; files
  /// are found relative to the spec.
  func loadData(_ d: Definition) throws -> Dataset {
    try DataLoader.load(d, seed: UInt64(bitPattern: Int64(plan.rootSeed)), baseDirectory: specDirectory)
  }

  /// The task's seed as the streams take it.
  var seed: UInt64 { UInt64(bitPattern: Int64(context.task.seed)) }
  /// `[trial, stage]`: the stream path of the task.
  var streamPath: [String] { [context.task.key.trial, context.task.stage] }

  /// Initializes a network by the task's initializer, with what data-dependent and transfer rules need:
  /// LSUV's batch and WINNER's target from the data the rule names, `from_stage`'s tensors from the final
  /// checkpoint of the stage's task in this trial. Streams: `[trial, stage, "init", parameter]`.
  func initialize(_ network: Network, _ initDefinition: Definition) throws {
    let initPlan = try TrainConfigs.initPlan(initDefinition, denseLayers: Self.denseLayerIndices(network))
    var initContext = InitContext()
    var batch: (features: [Float], rows: Int)?
    if let ref = try TrainConfigs.initDataReference(initDefinition) {
      guard let datasetDefinition = definition["init_data"]?[ref.name] else {
        throw context.error(.invalidTask, "initializer data '\(ref.name)' is missing from the task definition")
      }
      var reference: [String: JSONValue] = ["dataset": datasetDefinition.value, "name": .string(ref.name)]
      if let split = ref.split { reference["split"] = .string(split) }
      let dataset = try DataLoader.load(
        Definition(.object(reference), path: "init_data.\(ref.name)"), seed: UInt64(bitPattern: Int64(plan.rootSeed)),
        baseDirectory: specDirectory)
      initContext.target = dataset.targetSignal
      let rows = min(dataset.count, network.maxBatch, try TrainConfigs.lsuvBatch(initDefinition))
      batch = (Array(dataset.features.prefix(rows * dataset.featureCount)), rows)
    }
    for case .fromStage(let stageName, _, _) in [initPlan.rule] + initPlan.layerRules.map(\.rule) {
      initContext.checkpoints[stageName] = try finalModel(ofStage: stageName)
    }
    do {
      try Initialization.apply(
        initPlan, to: network, seed: seed, path: streamPath + ["init"], context: initContext, batch: batch)
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

  /// The layer-list position of every dense layer, in order (what the language's layer selectors count).
  static func denseLayerIndices(_ network: Network) -> [Int] {
    network.parameters.compactMap { p in p.role == .weight ? p.denseIndex.map { ($0, p.layerIndex) } : nil }
      .sorted { $0.0 < $1.0 }.map(\.1)
  }

  /// A cosine schedule without an explicit length runs over the whole training.
  static func fill(_ s: Schedule, totalSteps: Int) -> Schedule {
    switch s {
    case .cosine(0, let m): return .cosine(totalSteps: totalSteps, minLR: m)
    case .linearWarmup(let w, let then):
      return .linearWarmup(steps: w, then: fill(then, totalSteps: max(totalSteps - w, 1)))
    default: return s
    }
  }

  // MARK: outputs

  /// Writes metrics.jsonl (atomically) and builds the outputs record with every output's hash.
  func outputs(
    steps: Int, records: [MetricRecord], tensors: [NamedTensor], checkpoints: [String], finalCheckpoint: String?
  ) -> TaskOutputs {
    try? context.store.writeMetrics(records, hash: context.hash)
    var hashes: [String: String] = ["metrics.jsonl": TaskOutputs.hash(of: context.store.metricsBytes(context.hash))]
    for t in tensors { hashes["tensor:\(t.name)"] = TaskOutputs.hash(of: t) }
    var final: [String: JSONValue] = [:]
    for r in records { for (k, v) in r.values { final[k] = v } }
    return TaskOutputs(
      hash: context.hash, kind: context.task.kind, steps: steps, finalMetrics: final, outputHashes: hashes,
      checkpoints: checkpoints, finalCheckpoint: finalCheckpoint, seconds: 0)
  }
}
