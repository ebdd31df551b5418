import SproutConfig
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain

/// Everything a training task runs with, from its configuration (see `StageRunner.trainingSetup`).
struct TrainSetup {
  /// The model's architecture.
  var model: ModelConfig
  /// Loss, optimizer, schedule, batch, length, records, checkpoint interval.
  var configuration: TrainerConfiguration
  /// The task's seed.
  var seed: UInt64
  /// The stream path of the task (`[stage]`, under the task's seed); purposes (`init`, `data`, `model`) are appended.
  var streamPath: [String]
  /// Sets the network's initial weights (not called when resuming from a checkpoint).
  var initialize: (Network) throws -> Void
  /// Shapes the network before its optimizer is made, resumed or not (a fine-tuning task loads its base
  /// model and attaches its adapters here).
  var prepare: (Network) throws -> Void = { _ in }
  /// The training rows.
  var data: Dataset
  /// Held-out evaluation during training (`eval:`): its rows, metrics and interval.
  var evaluation: (data: Dataset, record: [MetricConfig], every: Int?)? = nil
  /// Where the records also go as TensorBoard events (`tensorboard: true`), or nil.
  var tensorBoard: TensorBoardWriter?

  /// Optimizer steps of the whole run (as the trainer counts them).
  var totalSteps: Int {
    switch configuration.length {
    case .steps(let s): return s
    case .epochs(let e):
      let batch = max(1, min(configuration.batchSize, data.count))
      return e * ((data.count + batch - 1) / batch)
    }
  }

  /// The stream for one purpose of this task.
  func stream(_ purpose: String) -> RandomStream { RandomStream(seed: seed, path: streamPath + [purpose]) }
}

extension MetricValue {
  /// The JSON form written to metrics.jsonl (non-finite numbers as strings, as `MetricValue.json` does).
  var jsonValue: JSONValue {
    switch self {
    case .scalar(let v): return v.isFinite ? .double(v) : .string(v.isNaN ? "NaN" : v > 0 ? "Infinity" : "-Infinity")
    case .vector(let v): return .array(v.map { MetricValue.scalar($0).jsonValue })
    case .map(let m): return .object(m.mapValues(\.jsonValue))
    }
  }
}
