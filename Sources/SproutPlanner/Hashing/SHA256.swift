/// SHA-256 (FIPS 180-4), streaming, in pure Swift.
///
/// Used for task content hashes and, by the run phase, for file checksums. Foundation offers no
/// portable SHA-256 on Linux without swift-crypto, and the package takes no new dependencies.
///
/// ```swift
/// var h = SHA256()
/// h.update("abc")
/// h.finalize().hex  // "ba7816bf…"
/// ```
public struct SHA256: Sendable {
  /// A finished 32-byte digest.
  public struct Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]
    /// Lower-case hexadecimal, 64 characters.
    public var hex: String {
      let digits = Array("0123456789abcdef".utf8)
      var out = [UInt8]()
      out.reserveCapacity(64)
      for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
      }
      return String(decoding: out, as: UTF8.self)
    }
    /// The hex form.
    public var description: String { hex }
  }

  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
  )
  /// Bytes not yet compressed (fewer than 64).
  private var pending: [UInt8] = []
  /// Total message length in bytes.
  private var length: UInt64 = 0

  /// A fresh hasher.
  public init() { pending.reserveCapacity(64) }

  /// Feeds bytes (contiguous collections take the fast path).
  public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
    if done == nil { for b in bytes { append(b) } }
  }

  /// Feeds a buffer; whole blocks are compressed without copying into `pending`.
  public mutating func update(_ buffer: UnsafeRawBufferPointer) {
    var i = 0
    while i < buffer.count && !pending.isEmpty {
      append(buffer[i])
      i += 1
    }
    while buffer.count - i >= 64 {
      compress(UnsafeRawBufferPointer(rebasing: buffer[i..<(i + 64)]))
      length &+= 64
      i += 64
    }
    while i < buffer.count {
      append(buffer[i])
      i += 1
    }
  }

  private mutating func append(_ b: UInt8) {
    pending.append(b)
    length &+= 1
    if pending.count == 64 {
      compress(pending)
      pending.removeAll(keepingCapacity: true)
    }
  }

  /// Feeds the UTF-8 bytes of a string.
  public mutating func update(_ string: String) {
    var s = string
    s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
  }

  /// Pads, compresses the last block(s) and returns the digest.
  public func finalize() -> Digest {
    var copy = self
    let bitLength = length &* 8
    var tail = copy.pending
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) {
      tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
    }
    for start in stride(from: 0, to: tail.count, by: 64) { copy.compress(tail[start..<(start + 64)]) }
    let s = copy.state
    var out = [UInt8]()
    out.reserveCapacity(32)
    for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] {
      out.append(contentsOf: [
        UInt8(word >> 24), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF),
      ])
    }
    return Digest(bytes: out)
  }

  /// The digest of a string's UTF-8 bytes.
  public static func hash(_ string: String) -> Digest {
    var h = SHA256()
    h.update(string)
    return h.finalize()
  }

  /// The digest of a byte sequence.
  public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
    var h = SHA256()
    h.update(bytes)
    return h.finalize()
  }

  /// One 64-byte block (FIPS 180-4 §6.2.2).
  private mutating func compress<Block: Collection>(_ block: Block) where Block.Element == UInt8, Block.Index == Int {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      var j = block.startIndex
      for t in 0..<16 {
        w[t] = UInt32(block[j]) << 24 | UInt32(block[j + 1]) << 16 | UInt32(block[j + 2]) << 8 | UInt32(block[j + 3])
        j += 4
      }
      compressWords(w)
    }
  }

  private mutating func compress(_ block: UnsafeRawBufferPointer) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      for t in 0..<16 {
        let j = t * 4
        w[t] = UInt32(block[j]) << 24 | UInt32(block[j + 1]) << 16 | UInt32(block[j + 2]) << 8 | UInt32(block[j + 3])
      }
      compressWords(w)
    }
  }

  /// The message schedule and the 64 rounds; `w` holds the block's 16 words and room for 48 more.
  private mutating func compressWords(_ w: UnsafeMutableBufferPointer<UInt32>) {
    @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    for t in 16..<64 {
      let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
      let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
      w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
    }
    var (a, b, c, d, e, f, g, h) = state
    for t in 0..<64 {
      let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      let ch = (e & f) ^ (~e & g)
      let t1 = h &+ s1 &+ ch &+ SHA256.k[t] &+ w[t]
      let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      let maj = (a & b) ^ (a & c) ^ (b & c)
      let t2 = s0 &+ maj
      (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
    }
    state = (
      state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g,
      state.7 &+ h
    )
  }
}
