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
  /// Word order is Random123's: `counter.0` is `c0`, the first word of the counter. Checked against Random123's
  /// known-answer vectors (`RandomStreamTests`).
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

/// A stream of random numbers keyed by the experiment's root seed and a stable path such as
/// `["trial", "3", "init", "layers.0.weight"]`.
///
/// Every consumer owns its stream, so what it draws never depends on which other consumers ran, in which
/// order, or in how many processes. The stream is Philox4x32-10 in counter mode:
///
/// ```
/// key      = split(mix64(FNV-1a-64(seed as 8 little-endian bytes,
///                                   then per component: UTF-8 byte count as 4 little-endian bytes, the bytes))))
///            k0 = low 32 bits, k1 = high 32 bits
/// word p   = Philox4x32-10(counter: (lo32(p / 4), hi32(p / 4), 0, 0), key).word[p % 4]
/// ```
///
/// `position` is the index of the next 32-bit word. The key derivation is part of the file format of every
/// result Sprout stores (reruns compare hashes), so it must never change silently; `RandomStreamTests` pins
/// the first words of a few streams.
public struct RandomStream: Sendable, Equatable {
  /// The root seed the stream was derived from.
  public let seed: UInt64
  /// The stable path naming the consumer.
  public let path: [String]
  /// The Philox key derived from `seed` and `path`.
  public let key: (UInt32, UInt32)
  /// Index of the next 32-bit word; store it in a checkpoint and set it back to resume the stream exactly.
  /// The cache below is keyed by block index, so setting `position` needs no invalidation.
  public var position: UInt64

  private var cachedBlockIndex: UInt64 = .max
  private var cached: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)

  /// The stream for consumer `path` under root seed `seed`, at position 0.
  public init(seed: UInt64, path: [String]) {
    self.seed = seed
    self.path = path
    let mixed = RandomStream.mix64(RandomStream.fnv1a(seed: seed, path: path))
    self.key = (UInt32(truncatingIfNeeded: mixed), UInt32(truncatingIfNeeded: mixed >> 32))
    self.position = 0
  }

  /// A stream for a sub-consumer: same seed, path extended by `components`, position 0.
  public func child(_ components: String...) -> RandomStream {
    RandomStream(seed: seed, path: path + components)
  }

  /// Equal when seed, path and position are equal (the cache is an implementation detail).
  public static func == (lhs: RandomStream, rhs: RandomStream) -> Bool {
    lhs.seed == rhs.seed && lhs.path == rhs.path && lhs.position == rhs.position
  }

  // MARK: Key derivation (frozen: changing it changes every stored result)

  /// 64-bit FNV-1a over the seed and the length-prefixed UTF-8 path components.
  static func fnv1a(seed: UInt64, path: [String]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func eat(_ byte: UInt8) {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01B3
    }
    for i in 0..<8 { eat(UInt8(truncatingIfNeeded: seed >> (8 * UInt64(i)))) }
    for component in path {
      let bytes = Array(component.utf8)
      let n = UInt32(truncatingIfNeeded: bytes.count)
      for i in 0..<4 { eat(UInt8(truncatingIfNeeded: n >> (8 * UInt32(i)))) }
      for b in bytes { eat(b) }
    }
    return h
  }

  /// SplitMix64's finaliser (Steele et al. 2014): spreads FNV's weak high bits over the whole key.
  static func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  // MARK: Raw words

  /// The next 32-bit word.
  @inline(__always)
  public mutating func nextUInt32() -> UInt32 {
    let blockIndex = position >> 2
    if blockIndex != cachedBlockIndex {
      cached = Philox4x32.block(
        counter: (UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32), 0, 0),
        key: key)
      cachedBlockIndex = blockIndex
    }
    let word: UInt32
    switch position & 3 {
    case 0: word = cached.0
    case 1: word = cached.1
    case 2: word = cached.2
    default: word = cached.3
    }
    position &+= 1
    return word
  }

  /// The next 64 bits (two words, first word low).
  public mutating func nextUInt64() -> UInt64 {
    let lo = UInt64(nextUInt32())
    let hi = UInt64(nextUInt32())
    return lo | (hi << 32)
  }

  /// A uniform integer in `0..<n` (Lemire's multiply-shift with rejection, so exactly unbiased).
  public mutating func nextInt(below n: Int) -> Int {
    precondition(n > 0, "nextInt(below:) needs n > 0")
    let bound = UInt64(n)
    let threshold = (0 &- bound) % bound
    while true {
      let product = nextUInt64().multipliedFullWidth(by: bound)
      if product.low >= threshold { return Int(product.high) }
    }
  }
}
