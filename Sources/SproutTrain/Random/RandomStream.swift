/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011; Random123).
///
/// A counter-based generator: block `i` of the stream keyed by `key` is `philox(counter: i, key)`, so any
/// position can be reached in O(1) and streams never overlap.
public enum Philox4x32 {
  static let m0: UInt32 = 0xD251_1F53
  static let m1: UInt32 = 0xCD9E_8D57
  static let w0: UInt32 = 0x9E37_79B9
  static let w1: UInt32 = 0xBB67_AE85

  /// One block: 4 output words from a 4-word counter and a 2-word key, after `rounds` rounds (10 for Philox4x32-10).
  /// Word order is Random123's: `counter.0` is `c0`, the first word of the counter.
  @inline(__always)
  public static func block(
    counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32), rounds: Int = 10
  ) -> (UInt32, UInt32, UInt32, UInt32) {
    var (c0, c1, c2, c3) = counter
    var (k0, k1) = key
    for r in 0..<rounds {
      if r > 0 {
        k0 &+= w0
        k1 &+= w1
      }
      let p0 = UInt64(m0) &* UInt64(c0)
      let p1 = UInt64(m1) &* UInt64(c2)
      let hi0 = UInt32(truncatingIfNeeded: p0 >> 32)
      let lo0 = UInt32(truncatingIfNeeded: p0)
      let hi1 = UInt32(truncatingIfNeeded: p1 >> 32)
      let lo1 = UInt32(truncatingIfNeeded: p1)
      (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
    }
    return (c0, c1, c2, c3)
  }
}
