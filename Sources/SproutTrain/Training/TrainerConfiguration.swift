import Foundation

/// How long a train stage runs.
public enum TrainingLength: Sendable, Hashable {
  /// Whole passes over the data (each ⌈count / batch⌉ steps).
  case epochs(Int)
  /// Optimizer steps.
  case steps(Int)
}

/// Everything a train stage decides besides the model and the data (the spec's stage fields, resolved).
public struct TrainerConfiguration: Sendable, Hashable {
  /// The objective.
  public var loss: Loss
  /// The update rule.
  public var optimizer: OptimizerConfig
  /// Base learning rate.
  public var lr: Float
  /// Learning-rate schedule over the 0-based step index.
  public var schedule: Schedule
  /// Global-norm gradient clipping threshold, or nil.
  public var clipNorm: Float?
  /// TrAct's λ for the first dense layer (METHODS.md B6), or nil.
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
  public var record: [MetricKind]
  /// Steps between records (records are also taken at step 0 and at the last step).
  public var every: Int
  /// Steps between checkpoints (also at step 0, at the last step and when stopped), or nil for only those.
  public var checkpointEvery: Int?
  /// Metric settings (kernel layer, probe size, PSNR range, spectrum bins).
  public var metricOptions: MetricOptions

  /// A configuration; the defaults are the language's (`shuffle: true`, `every: 1`, no clipping, constant lr).
  public init(
    loss: Loss, optimizer: OptimizerConfig, lr: Float, schedule: Schedule = .constant, clipNorm: Float? = nil,
    trAct: Double? = nil, batchSize: Int, length: TrainingLength, shuffle: Bool = true, dropLast: Bool = false,
    record: [MetricKind] = [],
    every: Int = 1, checkpointEvery: Int? = nil, metricOptions: MetricOptions = MetricOptions()
  ) {
    self.loss = loss
    self.optimizer = optimizer
    self.lr = lr
    self.schedule = schedule
    self.clipNorm = clipNorm
    self.trAct = trAct
    self.batchSize = batchSize
    self.length = length
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.record = record
    self.every = every
    self.checkpointEvery = checkpointEvery
    self.metricOptions = metricOptions
  }
}

/// A request to stop training, set from another thread (a Ctrl-C handler); the trainer checks it before
/// every step and stops after writing a checkpoint.
public final class StopFlag: @unchecked Sendable {
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
