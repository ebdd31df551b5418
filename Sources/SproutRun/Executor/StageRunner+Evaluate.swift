import Foundation
import SproutConfig
import SproutPlanner
import SproutTensor
import SproutTrain

/// `evaluate` and `measure`: metrics of a model (trained upstream, or built and initialized here) on data.
extension StageRunner {
  /// The final model of the upstream stage this task reads: built from its architecture and loaded from the
  /// stage's final checkpoint. Also returns the checkpoint's state (W₀, K₀ for measure) and its step.
  func upstreamModel(_ from: UpstreamModel, batch: Int) throws -> (network: Network, state: TrainingState, steps: Int) {
    guard let key = context.task.inputs.first(where: { $0.stage == from.stage }),
      let outputs = context.inputs[key.description]
    else { throw context.error(.missingInput, "task \(context.key) reads no completed model of '\(from.stage)'") }
    guard let checkpointName = outputs.finalCheckpoint else {
      throw context.error(.missingInput, "task \(key) produced no model for \(context.key)")
    }
    let network: Network
    do {
      network = try Network(
        shape: from.model.inputShape, layers: from.model.layers, backend: context.backend, maxBatch: max(batch, 1))
    } catch { throw context.error(.invalidTask, "cannot build the model of \(key): \(error)", cause: error) }
    let path = "\(context.store.taskDirectory(outputs.hash))/\(checkpointName)"
    let checkpoint = try Checkpoint.read(path)
    let model = try Self.modelTensors(checkpoint, path: path)
    try ModelState.load(
      model.map { NamedTensor(name: $0.key, shape: $0.value.shape, values: $0.value.values) }, into: network, path: path)
    return (network, checkpoint.trainingState, outputs.steps)
  }

  func evaluate(
    from: UpstreamModel, data selection: DataSelection, loss: LossConfig, batch: Int, record: [MetricConfig]
  ) throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let data = try loadData(selection).fitted(to: loss)
    let (network, state, steps) = try upstreamModel(from, batch: min(max(data.count, 1), batch))
    let values: [String: MetricValue]
    do {
      values = try Evaluation.measure(
        network: network, data: data, loss: loss, record: record, reference: state, batchSize: batch)
    } catch { throw context.error(.invalidTask, "evaluation failed: \(error)", cause: error) }
    let metrics = MetricRecord(step: steps, values: values.mapValues(\.jsonValue))
    return try outputs(steps: steps, records: [metrics], tensors: [], checkpoints: [], finalCheckpoint: nil)
  }

  func measure(
    source: MeasureSource, data selection: DataSelection?, loss: LossConfig?, batch: Int, record: [MetricConfig]
  ) throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let data = try selection.map { try loadData($0).fitted(to: loss ?? .mse) }
    let rows = min(max(data?.count ?? 1, 1), batch)
    let network: Network
    var steps = 0
    var reference: TrainingState?
    var tensors: [NamedTensor] = []
    switch source {
    case .fresh(let model, let initialization):
      do {
        network = try Network(shape: model.inputShape, layers: model.layers, backend: context.backend, maxBatch: rows)
      } catch { throw context.error(.invalidTask, "cannot build the model: \(error)", cause: error) }
      try initialize(network, initialization)
      tensors = ModelState.tensors(of: network)
    case .upstream(let from):
      (network, reference, steps) = try upstreamModel(from, batch: rows)
    }
    // Weight metrics need no data (the stage's lowering refuses data-reading metrics without it); they are
    // computed beside one all-zero row.
    let rowsToMeasure: Dataset
    if let data {
      rowsToMeasure = data
    } else {
      do {
        rowsToMeasure = try Dataset(
          features: [Float](repeating: 0, count: network.inputWidth), targets: [Float](repeating: 0, count: 1),
          count: 1, featureCount: network.inputWidth, target: .regression(width: 1))
      } catch { throw context.error(.invalidTask, "cannot measure without data: \(error)", cause: error) }
    }
    let values: [String: MetricValue]
    do {
      values = try Evaluation.measure(
        network: network, data: rowsToMeasure, loss: loss, record: record, reference: reference, batchSize: batch)
    } catch { throw context.error(.invalidTask, "measuring failed: \(error)", cause: error) }
    let metrics = MetricRecord(step: steps, values: values.mapValues(\.jsonValue))
    return try outputs(steps: steps, records: [metrics], tensors: tensors, checkpoints: [], finalCheckpoint: nil)
  }
}
