import SproutTensor

/// Counts training forwards; shared by a network and its dropout layers so that the mask of the k-th training
/// forward is a pure function of (seed, layer, k) — a resumed run sets `count` and draws the same masks.
public final class TrainingClock {
  /// Training forwards done so far.
  public var count: UInt64 = 0
}

/// Inverted dropout: in training each element is kept with probability `1 − p` and scaled by `1/(1 − p)`;
/// in eval it is the identity.
///
/// The mask comes from the layer's own `RandomStream` (seed = the network seed, path `["dropout", "layers.<i>"]`):
/// the k-th training forward reads the words from position `k·2³²` on, one 24-bit uniform per element
/// (`fillBernoulli`), so a mask is a pure function of (seed, layer, k) — independent of the batch size of other
/// steps, of thread count and of whatever else drew random numbers. Resuming means restoring the clock.
public final class DropoutLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// Drop probability.
  public let p: Float
  /// The mask stream at position 0.
  public let stream: RandomStream
  let clock: TrainingClock
  let out: Tensor
  private let mask: Tensor  // 1 (kept) or 0 for the last training forward
  private var lastTraining = false
  private var passthrough: UnsafePointer<Float>?

  init(width: Int, p: Float, seed: UInt64, path: String, clock: TrainingClock, maxBatch: Int) {
    inputWidth = width
    self.p = p
    self.clock = clock
    stream = RandomStream(seed: seed, path: ["dropout", path])
    out = Tensor(zeros: [maxBatch, width])
    mask = Tensor(zeros: [maxBatch, width])
  }

  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// None.
  public var parameters: [Parameter] { [] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × width` (in eval, the input itself).
  public var output: UnsafePointer<Float> { lastTraining ? out.pointer : (passthrough ?? out.pointer) }
  /// `dropout`.
  public var kind: String { "dropout" }

  /// Draws the mask for the current clock value (training) or passes `x` through (eval).
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    lastTraining = training && p > 0
    passthrough = x
    guard lastTraining else { return }
    let n = batch * inputWidth
    var draw = stream
    draw.position = clock.count << 32
    draw.fillBernoulli(mask.mutablePointer, count: n, p: 1 - p)
    let scale = 1 / (1 - p)
    let m = mask.pointer, y = out.mutablePointer
    for i in 0..<n { y[i] = x[i] * m[i] * scale }
  }

  /// `dx = mask·dy/(1 − p)` (training) or `dy` (eval).
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let dx else { return }
    let n = batch * inputWidth
    if lastTraining {
      let scale = 1 / (1 - p)
      for i in 0..<n { dx[i] = dy[i] * mask[i] * scale }
    } else {
      dx.update(from: dy, count: n)
    }
  }
}
