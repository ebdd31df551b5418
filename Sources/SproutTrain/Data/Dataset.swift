import SproutFormats

/// A dataset in memory: `count` samples of `featureCount` features and `targetWidth` target values, row-major.
///
/// Class labels are stored as one Float per sample (the class index) until `oneHot()` widens them.
public struct Dataset: Sendable, Hashable {
  /// What the targets are, which decides the losses that fit them.
  public enum Target: Sendable, Hashable {
    /// `width` real values per sample.
    case regression(width: Int)
    /// One class index in `0..<count` per sample.
    case classes(count: Int)
    /// `count` values per sample, one-hot.
    case oneHot(count: Int)
    /// One token id in `0..<vocab` per position of a `length`-token sequence (or −100, ignored).
    case tokens(length: Int, vocab: Int)

    /// Target values per sample.
    public var width: Int {
      switch self {
      case .regression(let w): w
      case .classes: 1
      case .oneHot(let c): c
      case .tokens(let l, _): l
      }
    }

    /// The class count, or nil for regression.
    public var classCount: Int? {
      switch self {
      case .regression: nil
      case .classes(let c), .oneHot(let c), .tokens(_, let c): c
      }
    }
  }

  /// Features, `count × featureCount` row-major.
  public var features: [Float]
  /// Targets, `count × target.width` row-major.
  public var targets: [Float]
  /// Number of samples.
  public var count: Int
  /// Features per sample.
  public var featureCount: Int
  /// The kind of target.
  public var target: Target
  /// For coordinate datasets (sine, image): the sample grid, `[length]` or `[height, width]`, in row-major order;
  /// WINNER and spectra read the targets along it. Nil for unordered samples (and after a shuffled split).
  public var grid: [Int]?
  /// Class names when the labels came from text (CSV), indexed by class.
  public var classNames: [String]?

  /// Creates a dataset, checking that the arrays fit the counts and that labels are valid class indices.
  public init(
    features: [Float], targets: [Float], count: Int, featureCount: Int, target: Target, grid: [Int]? = nil,
    classNames: [String]? = nil
  ) throws {
    guard features.count == count * featureCount else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "\(features.count) feature values do not form \(count) samples × \(featureCount) features")
    }
    guard targets.count == count * target.width else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "\(targets.count) target values do not form \(count) samples × \(target.width) targets")
    }
    if case .classes(let classes) = target {
      for (i, label) in targets.enumerated() where !(label >= 0 && label < Float(classes) && label == label.rounded()) {
        throw DataError(
          code: "data.bad-label", message: "label \(label) of sample \(i) is not a class index in 0..<\(classes)",
          row: i + 1)
      }
    }
    self.features = features
    self.targets = targets
    self.count = count
    self.featureCount = featureCount
    self.target = target
    self.grid = grid
    self.classNames = classNames
  }

  /// Features of sample `i`.
  public func featureRow(_ i: Int) -> ArraySlice<Float> { features[(i * featureCount)..<((i + 1) * featureCount)] }
  /// Targets of sample `i`.
  public func targetRow(_ i: Int) -> ArraySlice<Float> {
    targets[(i * target.width)..<((i + 1) * target.width)]
  }

  /// The samples at `indices`, in that order (no grid: the order is no longer the grid's).
  public func subset(_ indices: [Int]) -> Dataset {
    let d = featureCount
    let k = target.width
    var f = [Float](repeating: 0, count: indices.count * d)
    var t = [Float](repeating: 0, count: indices.count * k)
    for (row, i) in indices.enumerated() {
      for j in 0..<d { f[row * d + j] = features[i * d + j] }
      for j in 0..<k { t[row * k + j] = targets[i * k + j] }
    }
    var out = self
    out.features = f
    out.targets = t
    out.count = indices.count
    out.grid = indices == Array(0..<count) ? grid : nil
    return out
  }

  /// Class labels widened to one-hot rows (a no-op for regression and one-hot targets).
  public func oneHot() -> Dataset {
    guard case .classes(let classes) = target else { return self }
    var t = [Float](repeating: 0, count: count * classes)
    for i in 0..<count { t[i * classes + Int(targets[i])] = 1 }
    var out = self
    out.targets = t
    out.target = .oneHot(count: classes)
    return out
  }

  /// The targets as a signal along the grid (for WINNER), or nil when the dataset has no grid.
  public var targetSignal: TargetSignal? {
    guard let grid, let length = grid.last, grid.reduce(1, *) == count else { return nil }
    return TargetSignal(values: targets, slices: grid.dropLast().reduce(1, *), length: length, channels: target.width)
  }
}
