import Foundation
import SproutPlanner
import SproutTensor
import SproutTrain

/// `evaluate` and `measure`: metrics of a model (trained upstream, or built and initialized here) on data.
extension StageRunner {
  /// The model of the train task this task reads: built from its recorded model definition and loaded
  /// from its final checkpoint. Also returns the checkpoint's state (W₀, K₀ for measure) and its loss.
  func upstreamModel(batch: Int) throws -> (network: Network, state: TrainingState, loss: Loss?, steps: Int) {
    guard
      let fromKey = context.task.inputs.first(where: { ["train", "finetune", "merge"].contains(plan.task($0)?.kind) })
        ?? context.task.inputs.first,
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
    let model = try Self.modelTensors(checkpoint, path: path)
    try ModelState.load(model.map { NamedTensor(name: $0.key, shape: $0.value.shape, values: $0.value.values) }, into: network, path: path)
    let loss = try upstream["stage"]?["loss"].map(TrainConfigs.loss)
    return (network, checkpoint.trainingState, loss, outputs.steps)
  }

  static let evaluationBatch = 256

  func evaluate() throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let raw = try loadData(try definition.required("data"))
    let (network, _, upstreamLoss, steps) = try upstreamModel(batch: min(max(raw.count, 1), Self.evaluationBatch))
    guard let loss = try stage["loss"].map(TrainConfigs.loss) ?? upstreamLoss else {
      throw context.error(
        .invalidTask,
        "evaluate needs a loss: the stage gives none and the model it reads comes from a stage without one "
          + "(a merge); add 'loss:' to this stage")
    }
    let data = DataLoader.fitting(raw, to: loss)
    let selection = try MetricSelection(
      stage["record"], denseWeights: network.denseLayers.map(\.weight.name),
      activationLayers: MetricSelection.activationLayers(network))
    let values: [String: MetricValue]
    do {
      values = selection.filter(
        try Evaluation.evaluate(
          network: network, data: data, loss: loss, batchSize: Self.evaluationBatch, record: selection.kinds,
          options: selection.options))
    } catch { throw context.error(.invalidTask, "evaluation failed: \(error)", cause: error) }
    let record = MetricRecord(step: steps, values: values.mapValues(\.jsonValue))
    return outputs(steps: steps, records: [record], tensors: [], checkpoints: [], finalCheckpoint: nil)
  }

  func measure() throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let data = try definition["data"].map(loadData)
    let batch = min(max(data?.count ?? 1, 1), Self.evaluationBatch)
    let network: Network
    var steps = 0
    var upstreamLoss: Loss?
    var reference: TrainingState?
    var tensors: [NamedTensor] = []
    if definition["model"] != nil {
      let (input, layers) = try TrainConfigs.layers(try definition.required("model"))
      do {
        network = try Network(input: input, layers: layers, backend: context.backend, maxBatch: batch)
      } catch { throw context.error(.invalidTask, "cannot build the model: \(error)", cause: error) }
      do { try initialize(network, try definition.required("init")) } catch let error as RunError { throw error } catch
      {
        throw context.error(.invalidTask, "initialization failed: \(error)", cause: error)
      }
      tensors = (network.parameters + network.buffers).map {
        NamedTensor(name: $0.name, shape: $0.shape, values: $0.value.array)
      }
    } else {
      (network, reference, upstreamLoss, steps) = try upstreamModel(batch: batch)
    }
    let loss = try stage["loss"].map(TrainConfigs.loss) ?? upstreamLoss ?? .mse
    let selection = try MetricSelection(
      stage["record"], denseWeights: network.denseLayers.map(\.weight.name),
      activationLayers: MetricSelection.activationLayers(network))
    let fitted: Dataset
    if let data {
      fitted = DataLoader.fitting(data, to: loss)
    } else {
      // Weight metrics read only the weights; they are computed beside one all-zero sample the data-reading
      // metrics would need, which are refused without data.
      let weightOnly: Set<MetricKind> = [.weightNorm, .weightChange, .effectiveRank, .participationRatio, .stableRank]
      if let needsData = selection.kinds.first(where: { !weightOnly.contains($0) }) {
        throw context.error(.invalidTask, "metric '\(needsData.rawValue)' needs data; give the measure stage a data:")
      }
      let width = loss.targetWidth(outputWidth: network.outputWidth)
      do {
        fitted = try Dataset(
          features: [Float](repeating: 0, count: network.inputWidth), targets: [Float](repeating: 0, count: width),
          count: 1, featureCount: network.inputWidth,
          target: loss == .crossEntropy ? .classes(count: max(network.outputWidth, 1)) : .regression(width: width))
      } catch { throw context.error(.invalidTask, "cannot measure without data: \(error)", cause: error) }
    }
    let values: [String: MetricValue]
    do {
      values = selection.filter(
        try Evaluation.measure(
          network: network, data: fitted, loss: loss, record: selection.kinds, options: selection.options,
          reference: reference, batchSize: batch))
    } catch { throw context.error(.invalidTask, "measuring failed: \(error)", cause: error) }
    let record = MetricRecord(step: steps, values: values.mapValues(\.jsonValue))
    return outputs(steps: steps, records: [record], tensors: tensors, checkpoints: [], finalCheckpoint: nil)
  }
}
