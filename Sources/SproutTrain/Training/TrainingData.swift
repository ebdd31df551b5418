/// Examples a stage trains or evaluates on, in memory: `count` rows of `inputWidth` input features and
/// `targetWidth` target values (a class index per row for cross-entropy), both row-major float32.
///
/// Datasets of every kind (generators, .npy, CSV, IDX) are turned into this shape before training, so the
/// trainer does not depend on where examples came from.
public struct TrainingData: Sendable {
  /// Inputs, `count × inputWidth`, row-major.
  public let inputs: [Float]
  /// Targets, `count × targetWidth`, row-major.
  public let targets: [Float]
  /// Number of examples.
  public let count: Int
  /// Features per input row.
  public let inputWidth: Int
  /// Values per target row.
  public let targetWidth: Int
  /// When the rows, in order, are the points of a regular grid (a 1-D signal or an image) — what
  /// `output_spectrum` needs. Nil for unordered data (e.g. after a shuffled split).
  public let grid: SpectrumGrid?

  /// Wraps row-major inputs and targets; the sizes must agree.
  public init(
    inputs: [Float], targets: [Float], count: Int, inputWidth: Int, targetWidth: Int, grid: SpectrumGrid? = nil
  ) {
    precondition(inputs.count == count * inputWidth, "\(inputs.count) input values for \(count)×\(inputWidth)")
    precondition(targets.count == count * targetWidth, "\(targets.count) target values for \(count)×\(targetWidth)")
    precondition(grid.map { $0.count == count } ?? true, "grid of \(grid?.count ?? 0) points for \(count) rows")
    self.inputs = inputs
    self.targets = targets
    self.count = count
    self.inputWidth = inputWidth
    self.targetWidth = targetWidth
    self.grid = grid
  }

  /// The first `n` rows (all when `n ≥ count`), without the grid (a prefix of a grid is not a grid).
  public func prefix(_ n: Int) -> TrainingData {
    let k = Swift.min(n, count)
    return TrainingData(
      inputs: Array(inputs.prefix(k * inputWidth)), targets: Array(targets.prefix(k * targetWidth)), count: k,
      inputWidth: inputWidth, targetWidth: targetWidth, grid: k == count ? grid : nil)
  }

  /// `max − min` over every target value (0 for no data).
  public var targetRange: Double {
    guard let lo = targets.min(), let hi = targets.max() else { return 0 }
    return Double(hi) - Double(lo)
  }
}
