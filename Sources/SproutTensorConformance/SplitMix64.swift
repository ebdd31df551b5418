/// SplitMix64 (Steele, Lea & Flood 2014): a tiny deterministic generator for conformance inputs, local to
/// this module so the suite never depends on the training code's random streams.
public struct SplitMix64: Sendable {
  private var state: UInt64

  /// A generator starting at `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A float uniform in `[lo, hi)` (24 random mantissa bits).
  public mutating func float(_ lo: Float, _ hi: Float) -> Float {
    let unit = Float(next() >> 40) * 0x1p-24
    return lo + (hi - lo) * unit
  }

  /// `count` floats uniform in `[lo, hi)`.
  public mutating func floats(_ count: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] {
    (0..<count).map { _ in float(lo, hi) }
  }
}
