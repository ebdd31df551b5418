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
/// The mask comes from Philox4x32-10 keyed by the network seed mixed with the layer's name, with counter
/// `(element/4, forward index)`: element i of forward k uses word `i mod 4` of block `(i/4, k)`, compared as a
/// 24-bit uniform against p. No state beyond the shared clock, so masks never depend on thread count or on
/// what else drew random numbers.
public final class DropoutLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// Drop probability.
  public let p: Float
  let key: (UInt32, UInt32)
  let clock: TrainingClock
  let out: Tensor
  private let mask: Tensor  // 0 or 1/(1-p) for the last training forward
  private var lastTraining = false
  private var passthrough: UnsafePointer<Float>?

  init(width: Int, p: Float, seed: UInt64, path: String, clock: TrainingClock, maxBatch: Int) {
    inputWidth = width
    self.p = p
    self.clock = clock
    // FNV-1a of the layer path, so two dropout layers never share a mask.
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in path.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let k = seed ^ h
    key = (UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32))
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
    let scale = 1 / (1 - p)
    let threshold = UInt32((Double(p) * 16_777_216).rounded())  // p in 24-bit units
    let k = clock.count
    let m = mask.mutablePointer, y = out.mutablePointer
    var block = 0
    while block * 4 < n {
      let words = Philox4x32.block(
        counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32),
                  UInt32(truncatingIfNeeded: k), UInt32(truncatingIfNeeded: k >> 32)),
        key: key)
      let base = block * 4
      for lane in 0..<min(4, n - base) {
        let word = lane == 0 ? words.0 : lane == 1 ? words.1 : lane == 2 ? words.2 : words.3
        let keep = (word >> 8) >= threshold
        m[base + lane] = keep ? scale : 0
        y[base + lane] = keep ? x[base + lane] * scale : 0
      }
      block += 1
    }
  }

  /// `dx = mask·dy` (training) or `dy` (eval).
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let dx else { return }
    let n = batch * inputWidth
    if lastTraining {
      for i in 0..<n { dx[i] = dy[i] * mask[i] }
    } else {
      dx.update(from: dy, count: n)
    }
  }
}
