import SproutTensor

/// The mean over positions: an image `[C, H, W]` to `[C]` (PyTorch's `AdaptiveAvgPool2d(1)` then flatten), or a
/// sequence `[L, F]` to `[F]` (`x.mean(dim=1)`). A sample is `groups` blocks of `positions` values (an image's
/// channels) or `positions` rows of `groups` values (a sequence); `channelsFirst` says which.
public final class GlobalAvgPoolLayer: Layer {
  /// Output features: an image's channels, a sequence's features.
  public let groups: Int
  /// Positions averaged over: H·W, or L.
  public let positions: Int
  /// True for an image (each channel's positions contiguous), false for a sequence (each position's features).
  public let channelsFirst: Bool
  let backend: any Backend
  let out: Tensor

  init(groups: Int, positions: Int, channelsFirst: Bool, backend: any Backend, maxBatch: Int) {
    self.groups = groups
    self.positions = positions
    self.channelsFirst = channelsFirst
    self.backend = backend
    out = Tensor(zeros: [maxBatch, groups])
  }

  /// `groups · positions`.
  public var inputWidth: Int { groups * positions }
  /// `groups`.
  public var outputWidth: Int { groups }
  /// None.
  public var parameters: [Parameter] { [] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × groups`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `global_avg_pool`.
  public var kind: String { "global_avg_pool" }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    let scale = 1 / Float(positions)
    for b in 0..<batch {
      let xs = x + b * inputWidth
      let y = out.mutablePointer + b * groups
      if channelsFirst {
        for c in 0..<groups { y[c] = backend.reduce(.sum, xs + c * positions, count: positions) * scale }
      } else {
        backend.columnSums(xs, rows: positions, cols: groups, y, accumulate: false)
        backend.scale(y, by: scale, count: groups)
      }
    }
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let dx else { return }
    let scale = 1 / Float(positions)
    for b in 0..<batch {
      let g = dy + b * groups
      let d = dx + b * inputWidth
      for c in 0..<groups {
        for p in 0..<positions { d[channelsFirst ? c * positions + p : p * groups + c] = g[c] * scale }
      }
    }
  }
}
