import Foundation
import SproutConfig

/// Everything a train stage decides besides the model and the data, as the trainer runs it.
public struct TrainerConfiguration: Sendable, Hashable {
  /// The objective.
  public var loss: LossConfig
  /// The update rule.
  public var optimizer: UpdateRule
  /// Base learning rate.
  public var lr: Float
  /// Learning-rate schedule over the 0-based step index.
  public var schedule: Schedule
  /// Gradient clipping, or nil.
  public var clip: ClipConfig?
  /// TrAct's λ for the first dense layer (Petersen et al., NeurIPS 2024), or nil.
  public var trAct: Double?
  /// Rows per batch.
  public var batchSize: Int
  /// Epochs or steps.
  public var length: TrainingLength
  /// Reshuffle the data every epoch (true) or keep its order.
  public var shuffle: Bool
  /// Skip an epoch's final partial batch (PyTorch `drop_last`).
  public var dropLast: Bool
  /// Metrics to record.
  public var record: [MetricConfig]
  /// Steps between records (records are also taken at step 0 and at the last step); nil spreads about
  /// `TrainingConfig.defaultRecords` records over the run.
  public var every: Int?
  /// Steps between checkpoints (also at step 0, at the last step and when stopped), or nil for only those.
  public var checkpointEvery: Int?

  /// A configuration.
  public init(
    loss: LossConfig, optimizer: UpdateRule, lr: Float, schedule: Schedule = .constant, clip: ClipConfig? = nil,
    trAct: Double? = nil, batchSize: Int, length: TrainingLength, shuffle: Bool = true, dropLast: Bool = false,
    record: [MetricConfig] = [], every: Int? = nil, checkpointEvery: Int? = nil
  ) {
    self.loss = loss
    self.optimizer = optimizer
    self.lr = lr
    self.schedule = schedule
    self.clip = clip
    self.trAct = trAct
    self.batchSize = batchSize
    self.length = length
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.record = record
    self.every = every
    self.checkpointEvery = checkpointEvery
  }

  /// The trainer's configuration of a lowered train or finetune stage.
  public init(_ t: TrainingConfig) {
    self.init(
      loss: t.loss, optimizer: t.optimizer.rule, lr: Float(t.optimizer.lr), schedule: t.optimizer.schedule,
      clip: t.optimizer.clip, trAct: t.optimizer.tract, batchSize: t.batch, length: t.length, shuffle: t.shuffle,
      record: t.record, every: t.every, checkpointEvery: t.checkpointEvery)
  }

  /// Steps between records in a run of `totalSteps`.
  public func recordInterval(totalSteps: Int) -> Int {
    every ?? Swift.max(1, (totalSteps + TrainingConfig.defaultRecords - 1) / TrainingConfig.defaultRecords)
  }
}

/// A request to stop training, set from another thread (a Ctrl-C handler); the trainer checks it before
/// every step and stops after writing a checkpoint.
public final class StopFlag: @unchecked Sendable {
  // @unchecked Sendable: `value` is read and written under `lock`.
  private let lock = NSLock()
  private var value = false

  /// A flag that is not set.
  public init() {}

  /// Asks the trainer to stop.
  public func set() {
    lock.lock()
    value = true
    lock.unlock()
  }

  /// Whether a stop was asked for.
  public var isSet: Bool {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}

/// How a `run()` ended.
public enum TrainingOutcome: Sendable, Hashable {
  /// Every step ran; `steps` is the total.
  case completed(steps: Int)
  /// The stop flag was set; a checkpoint at `step` was written.
  case stopped(step: Int)
}
