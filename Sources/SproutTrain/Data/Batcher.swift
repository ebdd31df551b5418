import SproutFormats

/// Mini-batches over a dataset with a per-epoch shuffle and a cursor a checkpoint can store.
///
/// Epoch e visits the samples in the order `RandomStream(seed:path: path + ["epoch", "e"]).permutation(n)` (or
/// 0..<n without shuffling), so the order of any epoch is known without replaying earlier ones and a restored
/// cursor continues exactly where the interrupted run was.
///
/// ```
/// epoch e order:  p₀ p₁ … p_{b−1} | p_b … p_{2b−1} | … | p_{kb} … p_{n−1}   (last batch partial unless dropLast)
///                 ^ cursor (e, 0)   ^ cursor (e, b)                        → then cursor (e+1, 0)
/// ```
public struct Batcher: Sendable {
  /// Where the next batch starts: the epoch and the position in that epoch's order.
  public struct Cursor: Sendable, Hashable, Codable {
    /// Epoch, from 0.
    public var epoch: Int
    /// Position of the next sample in the epoch's order.
    public var index: Int

    /// Creates a cursor.
    public init(epoch: Int = 0, index: Int = 0) {
      self.epoch = epoch
      self.index = index
    }
  }

  /// One batch, copied out of the dataset.
  public struct Batch: Sendable, Hashable {
    /// `count × featureCount` features.
    public var features: [Float]
    /// `count × target.width` targets.
    public var targets: [Float]
    /// Samples in the batch.
    public var count: Int
    /// The dataset indices of the samples, in batch order.
    public var indices: [Int]
    /// The epoch the batch belongs to.
    public var epoch: Int
  }

  /// The data.
  public let dataset: Dataset
  /// Samples per batch.
  public let batchSize: Int
  /// Whether each epoch is shuffled.
  public let shuffle: Bool
  /// Whether a final partial batch is skipped.
  public let dropLast: Bool
  /// Seed of the shuffle streams.
  public let seed: UInt64
  /// Path of the shuffle streams (`[stage, "batches"]`).
  public let path: [String]
  /// The next batch's position; set it to resume from a checkpoint.
  public var cursor: Cursor

  private var cachedEpoch = -1
  private var cachedOrder: [Int] = []

  /// Creates a batcher at epoch 0, index 0. Throws when the batch size does not fit the data.
  public init(
    dataset: Dataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64, path: [String]
  ) throws {
    guard batchSize >= 1 else {
      throw DataError(code: "data.bad-batch", message: "batch size must be at least 1, got \(batchSize)")
    }
    guard dataset.count >= 1, !(dropLast && batchSize > dataset.count) else {
      throw DataError(
        code: "data.bad-batch",
        message: "batch size \(batchSize) leaves no full batch in \(dataset.count) samples with drop_last",
        suggestion: "use a batch size of at most \(dataset.count)")
    }
    self.dataset = dataset
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.seed = seed
    self.path = path
    self.cursor = Cursor()
  }

  /// Batches per epoch.
  public var batchesPerEpoch: Int {
    dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
  }

  /// The sample order of `epoch`.
  public func order(epoch: Int) -> [Int] {
    guard shuffle else { return Array(0..<dataset.count) }
    var stream = RandomStream(seed: seed, path: path + ["epoch", String(epoch)])
    return stream.permutation(dataset.count)
  }

  /// Copies the next batch into `features`/`targets` (room for `batchSize` rows each), advances the cursor, and
  /// returns the number of samples written. Allocates only when a new epoch's order is computed.
  public mutating func next(features: UnsafeMutablePointer<Float>, targets: UnsafeMutablePointer<Float>) -> Int {
    normalizeCursor()
    if cachedEpoch != cursor.epoch {
      cachedOrder = order(epoch: cursor.epoch)
      cachedEpoch = cursor.epoch
    }
    let n = min(batchSize, dataset.count - cursor.index)
    let d = dataset.featureCount
    let k = dataset.target.width
    dataset.features.withUnsafeBufferPointer { f in
      dataset.targets.withUnsafeBufferPointer { t in
        for row in 0..<n {
          let i = cachedOrder[cursor.index + row]
          for j in 0..<d { features[row * d + j] = f[i * d + j] }
          for j in 0..<k { targets[row * k + j] = t[i * k + j] }
        }
      }
    }
    cursor.index += n
    normalizeCursor()
    return n
  }

  /// The next batch as arrays (convenient for tests and evaluation; training uses the pointer form).
  public mutating func next() -> Batch {
    normalizeCursor()
    let epoch = cursor.epoch
    let start = cursor.index
    var f = [Float](repeating: 0, count: batchSize * dataset.featureCount)
    var t = [Float](repeating: 0, count: batchSize * dataset.target.width)
    let n = next(features: &f, targets: &t)
    f.removeLast((batchSize - n) * dataset.featureCount)
    t.removeLast((batchSize - n) * dataset.target.width)
    return Batch(
      features: f, targets: t, count: n, indices: Array(cachedOrderFor(epoch)[start..<(start + n)]), epoch: epoch)
  }

  private func cachedOrderFor(_ epoch: Int) -> [Int] { epoch == cachedEpoch ? cachedOrder : order(epoch: epoch) }

  /// Moves a cursor at (or past) the end of an epoch to the start of the next.
  private mutating func normalizeCursor() {
    let remaining = dataset.count - cursor.index
    if remaining <= 0 || (dropLast && remaining < batchSize) {
      cursor = Cursor(epoch: cursor.epoch + 1, index: 0)
    }
  }
}
