/// Mini-batches over `TrainingData` with a fresh shuffle every epoch, PyTorch `DataLoader(shuffle=True,
/// drop_last=False)` style: an epoch is ⌈count / batch⌉ batches, the last one possibly short.
///
/// Epoch `e`'s order is `stream.child("epoch", "e").permutation(count)` — a pure function of the stream's
/// seed and path and of `e` — so the position in the data is just `(epoch, cursor)` and a resumed run draws
/// exactly the batches an uninterrupted one would. Batches are copied into buffers planned once (no
/// allocation per step; one permutation array per epoch).
public final class ShuffledBatches {
  /// The examples.
  public let data: TrainingData
  /// Rows per full batch.
  public let batchSize: Int
  /// The stream epoch orders derive from (`child("epoch", "<e>")`).
  public let stream: RandomStream
  /// Whether to shuffle (false: dataset order every epoch).
  public let shuffle: Bool
  /// The epoch the next batch comes from (0-based).
  public private(set) var epoch = 0
  /// Index of the next row within the epoch's order.
  public private(set) var cursor = 0

  private var inputs: UnsafeMutableBufferPointer<Float>
  private var targets: UnsafeMutableBufferPointer<Float>
  private var order: [Int] = []
  private var orderEpoch = -1

  /// Plans buffers for batches of `batchSize` rows.
  public init(data: TrainingData, batchSize: Int, stream: RandomStream, shuffle: Bool = true) {
    precondition(batchSize >= 1, "batch size must be at least 1")
    precondition(data.count >= 1, "no examples to batch")
    self.data = data
    self.batchSize = Swift.min(batchSize, data.count)
    self.stream = stream
    self.shuffle = shuffle
    inputs = .allocate(capacity: self.batchSize * data.inputWidth)
    targets = .allocate(capacity: self.batchSize * data.targetWidth)
    inputs.initialize(repeating: 0)
    targets.initialize(repeating: 0)
  }

  deinit {
    inputs.deallocate()
    targets.deallocate()
  }

  /// Batches per epoch, ⌈count / batchSize⌉.
  public var batchesPerEpoch: Int { (data.count + batchSize - 1) / batchSize }

  /// Moves to a saved position (from `TrainingState`).
  public func seek(epoch: Int, cursor: Int) {
    precondition(epoch >= 0 && cursor >= 0 && cursor < data.count, "position (\(epoch), \(cursor)) out of range")
    self.epoch = epoch
    self.cursor = cursor
  }

  /// Copies the next batch into the buffers and returns pointers to it and its row count; advances the
  /// position (to the next epoch after the last batch).
  public func next() -> (inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int) {
    if orderEpoch != epoch {
      var epochStream = stream.child("epoch", String(epoch))
      order = shuffle ? epochStream.permutation(data.count) : Array(0..<data.count)
      orderEpoch = epoch
    }
    let rows = Swift.min(batchSize, data.count - cursor)
    let (iw, tw) = (data.inputWidth, data.targetWidth)
    data.inputs.withUnsafeBufferPointer { src in
      for r in 0..<rows {
        let row = order[cursor + r]
        for j in 0..<iw { inputs[r * iw + j] = src[row * iw + j] }
      }
    }
    data.targets.withUnsafeBufferPointer { src in
      for r in 0..<rows {
        let row = order[cursor + r]
        for j in 0..<tw { targets[r * tw + j] = src[row * tw + j] }
      }
    }
    cursor += rows
    if cursor == data.count {
      cursor = 0
      epoch += 1
    }
    return (UnsafePointer(inputs.baseAddress!), UnsafePointer(targets.baseAddress!), rows)
  }
}
