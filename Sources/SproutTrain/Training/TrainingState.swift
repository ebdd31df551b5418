/// One tensor of a training state, float32 (parameters, optimizer state) or float64 (metric references
/// such as the initial tangent kernel, kept exact so resumed metrics are bit-identical).
public enum StateTensor: Sendable, Hashable {
  /// A float32 tensor (safetensors `F32`).
  case float32(shape: [Int], values: [Float])
  /// A float64 tensor (safetensors `F64`).
  case float64(shape: [Int], values: [Double])

  /// The shape.
  public var shape: [Int] {
    switch self {
    case .float32(let s, _), .float64(let s, _): return s
    }
  }

  /// Number of elements.
  public var count: Int {
    switch self {
    case .float32(_, let v): return v.count
    case .float64(_, let v): return v.count
    }
  }
}

/// Everything needed to continue a training run bit for bit: a checkpoint's content.
///
/// Tensor names (safetensors keys):
///
///     layers.<i>.weight, layers.<i>.bias, ...      parameters and buffers (Network names)
///     optimizer.<param>.<slot>, optimizer.step     optimizer state (Optimizer.stateTensors)
///     initial.<param>                              W₀ of every dense weight, for weight_change
///     metrics.kernel_alignment.k0                  K₀ (float64), for kernel_alignment
///
/// Scalars: `step` (completed optimizer steps), `epoch` and `cursor` (position of the next batch),
/// `clock` (training forwards, which key dropout masks), `total_steps` (the run's length, checked on
/// restore). The random streams are positioned by these alone: batch orders derive from (seed, epoch) and
/// dropout masks from (seed, clock), so no generator position needs saving.
public struct TrainingState: Sendable, Hashable {
  /// Named tensors, as listed above.
  public var tensors: [String: StateTensor]
  /// Named counters, as listed above.
  public var scalars: [String: UInt64]

  /// A state from its parts (as read back from a checkpoint).
  public init(tensors: [String: StateTensor], scalars: [String: UInt64]) {
    self.tensors = tensors
    self.scalars = scalars
  }

  /// Completed optimizer steps.
  public var step: Int { Int(scalars["step"] ?? 0) }

  /// Tensor names in a stable order (sorted), for writing files deterministically.
  public var tensorNames: [String] { tensors.keys.sorted() }

  /// Loads this state into `trainer` (its network's parameters and buffers, its optimizer, its data
  /// position, its W₀ and K₀), after checking that every tensor exists with the right size.
  /// - Throws: `TrainingError.stateMismatch` naming the first tensor or counter that does not fit.
  public func restore(into trainer: Trainer) throws {
    try trainer.restore(self)
  }

  func float32(_ name: String, count: Int) throws -> [Float] {
    guard let t = tensors[name] else { throw TrainingError.stateMismatch("tensor '\(name)' is missing") }
    guard case .float32(_, let v) = t else { throw TrainingError.stateMismatch("tensor '\(name)' is not float32") }
    guard v.count == count else {
      throw TrainingError.stateMismatch("tensor '\(name)' has \(v.count) values, the model needs \(count)")
    }
    return v
  }

  func counter(_ name: String) throws -> Int {
    guard let v = scalars[name] else { throw TrainingError.stateMismatch("counter '\(name)' is missing") }
    guard v <= UInt64(Int.max) else { throw TrainingError.stateMismatch("counter '\(name)' is out of range") }
    return Int(v)
  }
}

/// Why training stopped with an error.
public enum TrainingError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The loss of step `step` (1-based: the step that computed it) was NaN or infinite. The last checkpoint
  /// written before it is the last good state.
  case nonFiniteLoss(step: Int, loss: Float)
  /// A saved state does not fit this model or run.
  case stateMismatch(String)
  /// A metric cannot be computed for this stage (e.g. `output_spectrum` on data that is not on a grid).
  case unavailableMetric(String, String)
  /// The configuration cannot be run (e.g. a batch larger than the network was planned for).
  case invalidConfiguration(String)

  /// A message naming the step, tensor or metric.
  public var description: String {
    switch self {
    case .nonFiniteLoss(let step, let loss):
      return "loss became \(loss) at step \(step); lower the learning rate or enable gradient clipping"
    case .stateMismatch(let what): return "checkpoint does not fit this run: \(what)"
    case .unavailableMetric(let name, let why): return "cannot record \(name): \(why)"
    case .invalidConfiguration(let why): return why
    }
  }
}
