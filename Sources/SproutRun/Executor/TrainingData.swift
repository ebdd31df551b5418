import SproutTrain

/// The rows of one dataset split, in memory, ready to batch: `rows × inputWidth` inputs and
/// `rows × targetWidth` targets (class indices as floats for cross-entropy), row-major.
public struct TrainingData: Sendable {
  /// Input features, row-major.
  public var inputs: [Float]
  /// Targets, row-major.
  public var targets: [Float]
  /// Number of rows.
  public var rows: Int
  /// Features per row.
  public var inputWidth: Int
  /// Target floats per row.
  public var targetWidth: Int

  /// Creates a data split; the arrays must fill `rows × width`.
  public init(inputs: [Float], targets: [Float], rows: Int, inputWidth: Int, targetWidth: Int) {
    precondition(inputs.count == rows * inputWidth && targets.count == rows * targetWidth, "data does not fill its shape")
    self.inputs = inputs
    self.targets = targets
    self.rows = rows
    self.inputWidth = inputWidth
    self.targetWidth = targetWidth
  }

  /// The order rows are visited in epoch `epoch`: a permutation drawn from the task's data stream keyed by
  /// the epoch, so the order is a pure function of (seed, task, epoch) — resuming needs only epoch and cursor.
  func order(epoch: Int, stream: RandomStream, shuffle: Bool) -> [Int] {
    guard shuffle else { return Array(0..<rows) }
    var s = stream.child("epoch", String(epoch))
    return s.permutation(rows)
  }

  /// Copies rows `order[start..<start+count]` into the batch buffers.
  func gather(
    _ order: [Int], start: Int, count: Int, input: UnsafeMutablePointer<Float>, target: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<count {
      let row = order[start + r]
      for c in 0..<inputWidth { input[r * inputWidth + c] = inputs[row * inputWidth + c] }
      for c in 0..<targetWidth { target[r * targetWidth + c] = targets[row * targetWidth + c] }
    }
  }
}
