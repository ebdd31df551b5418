import SproutTensor
import SproutTrain

/// Everything a training task runs with, resolved from its plan definition (see `TaskSetupBuilder`).
struct TrainSetup {
  /// Input features.
  var inputWidth: Int
  /// The model's layer list.
  var layers: [LayerConfig]
  /// The objective.
  var loss: Loss
  /// The update rule.
  var optimizer: OptimizerConfig
  /// Base learning rate.
  var learningRate: Float
  /// Learning-rate schedule.
  var schedule: Schedule
  /// Global-norm clip, if any.
  var clipNorm: Float?
  /// Rows per batch (the last batch of an epoch may be smaller).
  var batch: Int
  /// Optimizer steps in total.
  var steps: Int
  /// Whether each epoch visits the rows in a fresh seeded order.
  var shuffle: Bool
  /// Steps between checkpoints (0: only the first and the last).
  var checkpointEvery: Int
  /// Steps between metric records.
  var recordEvery: Int
  /// Metric names to record.
  var record: [String]
  /// The task's seed.
  var seed: UInt64
  /// The stream path of the task (`[trial, stage]`); purposes (`init`, `data`, `model`) are appended.
  var streamPath: [String]
  /// Sets the network's initial weights from the task's init streams (not called when resuming).
  var initialize: (Network) throws -> Void
  /// The training rows.
  var data: TrainingData

  /// Steps for `epochs` passes over `rows` rows in batches of `batch` (the last batch of each may be short).
  static func steps(epochs: Int, rows: Int, batch: Int) -> Int { epochs * ((rows + batch - 1) / max(batch, 1)) }

  /// The stream for one purpose of this task.
  func stream(_ purpose: String) -> RandomStream { RandomStream(seed: seed, path: streamPath + [purpose]) }
}
