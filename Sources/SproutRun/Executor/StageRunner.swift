import Foundation
import SproutPlanner
import SproutTensor
import SproutTrain

/// Runs one task by its stage kind and returns its outputs record (not yet written).
///
/// `train` runs `TrainTask`; `evaluate` and `measure` load or build a model and record metrics once;
/// `select` compares the final metrics of the tasks it reads. `finetune` and `merge` pass lint but are not
/// executed yet: they fail with `run.unsupported-stage` at the stage's source range.
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
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: setup.steps))
    let result = try TrainTask(context: context, setup: setup).run()
    return outputs(
      steps: result.steps, records: result.records, tensors: result.finalTensors, checkpoints: result.checkpoints,
      finalCheckpoint: result.finalCheckpoint)
  }

  func trainSetup() throws -> TrainSetup {
    let (input, layers) = try TrainConfigs.layers(try definition.required("model"))
    let initPlan = try TrainConfigs.initPlan(try definition.required("init"))
    let data = try DataLoader.load(try definition.required("data"), seed: UInt64(bitPattern: Int64(context.task.seed)))
    guard data.inputWidth == input else {
      throw context.error(.invalidTask, "the model expects \(input) input features but the data has \(data.inputWidth)")
    }
    let loss = try TrainConfigs.loss(try stage.required("loss"))
    let optimizer = try TrainConfigs.optimizer(try stage.required("optimizer"))
    let batch = min(try stage.int("batch", default: 32), max(data.rows, 1))
    let steps: Int
    if let s = stage["steps"] {
      steps = try s.int()
    } else {
      steps = TrainSetup.steps(epochs: try stage.int("epochs", default: 1), rows: data.rows, batch: batch)
    }
    let seed = UInt64(bitPattern: Int64(context.task.seed))
    let path = [context.task.key.trial, context.task.stage]
    return TrainSetup(
      inputWidth: input, layers: layers, loss: loss, optimizer: optimizer.config, learningRate: optimizer.lr,
      schedule: Self.fill(optimizer.schedule, totalSteps: steps), clipNorm: optimizer.clipNorm, batch: batch,
      steps: steps, shuffle: try stage.bool("shuffle", default: true),
      checkpointEvery: try stage.int("checkpoint_every", default: 0), recordEvery: try stage.int("every", default: 1),
      record: try Self.metricNames(stage["record"]), seed: seed, streamPath: path,
      initialize: { network in
        try Initialization.apply(initPlan, to: network.parameters, seed: seed, path: path + ["init"])
      },
      data: data)
  }

  /// A cosine schedule without an explicit length runs over the whole training.
  static func fill(_ s: Schedule, totalSteps: Int) -> Schedule {
    switch s {
    case .cosine(0, let m): return .cosine(totalSteps: totalSteps, minLR: m)
    case .linearWarmup(let w, let then): return .linearWarmup(steps: w, then: fill(then, totalSteps: max(totalSteps - w, 1)))
    default: return s
    }
  }

  /// Metric names of a `record:` list (`loss` or `{effective_rank: {...}}`).
  static func metricNames(_ d: Definition?) throws -> [String] {
    guard let d else { return ["loss"] }
    return try d.array().map { try $0.kindAndArguments().0 }
  }

  // MARK: evaluate and measure

  /// The network of an upstream train task: built from its recorded model definition, loaded from its final
  /// checkpoint. Also returns the upstream loss.
  func upstreamModel(batch: Int) throws -> (network: Network, loss: Loss?, steps: Int) {
    guard let fromKey = context.task.inputs.first(where: { plan.task($0)?.kind == "train" }) ?? context.task.inputs.first,
      let outputs = context.inputs[fromKey.description]
    else { throw context.error(.missingInput, "task \(context.key) reads no completed model") }
    guard let checkpointName = outputs.finalCheckpoint, let record = context.store.taskRecord(outputs.hash) else {
      throw context.error(.missingInput, "task \(fromKey) produced no model for \(context.key)")
    }
    let upstream = Definition(record.definition, path: "")
    let (input, layers) = try TrainConfigs.layers(try upstream.required("model"))
    let network: Network
    do {
      network = try Network(input: input, layers: layers, backend: context.backend, maxBatch: max(batch, 1))
    } catch { throw context.error(.invalidTask, "cannot build the model of \(fromKey): \(error)", cause: error) }
    let path = "\(context.store.taskDirectory(outputs.hash))/\(checkpointName)"
    let checkpoint = try Checkpoint.read(path)
    try ModelState.load(checkpoint.tensors, into: network, path: path)
    let loss = try upstream["stage"]?["loss"].map(TrainConfigs.loss)
    return (network, loss, outputs.steps)
  }

  func evaluate() throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let data = try DataLoader.load(try definition.required("data"), seed: UInt64(bitPattern: Int64(context.task.seed)))
    let (network, upstreamLoss, steps) = try upstreamModel(batch: min(max(data.rows, 1), 1024))
    guard let loss = try stage["loss"].map(TrainConfigs.loss) ?? upstreamLoss else {
      throw context.error(.invalidTask, "evaluate needs a loss (none given and none on the from stage)")
    }
    let record = try metrics(network: network, loss: loss, data: data, names: try Self.metricNames(stage["record"]), step: steps)
    return outputs(steps: steps, records: [record], tensors: [], checkpoints: [], finalCheckpoint: nil)
  }

  func measure() throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let data = try definition["data"].map { try DataLoader.load($0, seed: UInt64(bitPattern: Int64(context.task.seed))) }
    let network: Network
    var steps = 0
    var upstreamLoss: Loss?
    if definition["model"] != nil {
      let (input, layers) = try TrainConfigs.layers(try definition.required("model"))
      do {
        network = try Network(input: input, layers: layers, backend: context.backend, maxBatch: min(max(data?.rows ?? 1, 1), 1024))
      } catch { throw context.error(.invalidTask, "cannot build the model: \(error)", cause: error) }
      let initPlan = try TrainConfigs.initPlan(try definition.required("init"))
      let seed = UInt64(bitPattern: Int64(context.task.seed))
      try Initialization.apply(
        initPlan, to: network.parameters, seed: seed, path: [context.task.key.trial, context.task.stage, "init"])
    } else {
      (network, upstreamLoss, steps) = try upstreamModel(batch: min(max(data?.rows ?? 1, 1), 1024))
    }
    let loss = try stage["loss"].map(TrainConfigs.loss) ?? upstreamLoss ?? .mse
    let names = try Self.metricNames(stage["record"])
    let record = try metrics(network: network, loss: loss, data: data, names: names, step: steps)
    return outputs(
      steps: steps, records: [record], tensors: definition["model"] != nil ? ModelState.tensors(of: network) : [],
      checkpoints: [], finalCheckpoint: nil)
  }

  func metrics(network: Network, loss: Loss, data: TrainingData?, names: [String], step: Int) throws -> MetricRecord {
    var values: [String: JSONValue] = [:]
    let evaluation = data.map { ModelState.evaluate(network, loss: loss, data: $0) }
    for name in names {
      switch name {
      case "loss", "accuracy":
        guard let evaluation else { throw context.error(.invalidTask, "metric '\(name)' needs data") }
        values[name] = name == "loss" ? .double(evaluation.loss) : evaluation.accuracy.map { .double($0) } ?? .null
      default:
        values[name] = try MetricSupport.value(name, network: network, trainer: nil, context: context)
      }
    }
    return MetricRecord(step: step, values: values)
  }

  // MARK: select

  func select() throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let metric = try stage.required("metric").string()
    let maximize = try stage.string("mode", default: "min") == "max"
    var best: (key: String, value: Double)?
    var candidates: [String: JSONValue] = [:]
    for key in context.task.inputs {
      guard let outputs = context.inputs[key.description] else { continue }
      guard let value = outputs.finalMetrics[metric]?.doubleValue else {
        throw context.error(.invalidTask, "task \(key) did not record metric '\(metric)'")
      }
      candidates[key.description] = .double(value)
      // Strictly better only: ties keep the earlier task in plan order, whatever order tasks finished in.
      if value.isFinite, best == nil || (maximize ? value > best!.value : value < best!.value) {
        best = (key.description, value)
      }
    }
    guard let best else { throw context.error(.missingInput, "no candidate for select recorded a finite '\(metric)'") }
    let record = MetricRecord(step: 0, values: [metric: .double(best.value)])
    var out = outputs(steps: 0, records: [record], tensors: [], checkpoints: [], finalCheckpoint: nil)
    out.extra = ["selected": .string(best.key), "metric": .string(metric), "candidates": .object(candidates)]
    out.outputHashes["selected"] = TaskOutputs.hash(of: Array(best.key.utf8))
    return out
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
