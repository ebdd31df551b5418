/// The `String`s of scalar texts, made once per distinct short text.
///
/// A spec repeats the same keys and short values thousands of times (`kind`, `inputs`, `256`); decoding each
/// occurrence into a new `String` was a large part of parsing. Texts of up to 16 bytes are looked up in a
/// direct-mapped table keyed by their bytes (two words and a length identify such a text exactly); a hit
/// hands out the `String` made the first time. Each text also gets a 64-bit fingerprint: equal texts have
/// equal fingerprints, so keys with different fingerprints are certainly different keys.
struct ScalarTexts {
  private struct Entry {
    var low: UInt64
    var high: UInt64
    /// Byte count of `text`; -1 for an empty slot.
    var length: Int
    var text: String
  }

  private var entries: [Entry]
  private let shift: UInt64

  /// A table sized for a source of `byteCount` bytes (64 to 4,096 slots).
  init(byteCount: Int) {
    var bits = 6
    while bits < 12, (1 << bits) < byteCount / 64 { bits += 1 }
    entries = Array(repeating: Entry(low: 0, high: 0, length: -1, text: ""), count: 1 << bits)
    shift = UInt64(64 - bits)
  }

  /// The text of `count` UTF-8 bytes at `bytes` and its fingerprint.
  mutating func text(_ bytes: UnsafePointer<UInt8>?, count: Int) -> (text: String, fingerprint: UInt64) {
    guard let bytes, count > 0 else { return ("", Self.mix(0, 0, 0)) }
    guard count <= 16 else {
      return (String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self),
        Self.fingerprint(bytes, count: count))
    }
    let words = Self.words(bytes, count: count)
    let print = Self.mix(words.0, words.1, count)
    let slot = Int(truncatingIfNeeded: print >> shift)
    if entries[slot].length == count, entries[slot].low == words.0, entries[slot].high == words.1 {
      return (entries[slot].text, print)
    }
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    entries[slot] = Entry(low: words.0, high: words.1, length: count, text: text)
    return (text, print)
  }

  /// The fingerprint of a text given as a `String` (for texts that did not come from libyaml's buffer).
  static func fingerprint(of text: String) -> UInt64 {
    var text = text
    return text.withUTF8 { buffer in
      guard let base = buffer.baseAddress, !buffer.isEmpty else { return mix(0, 0, 0) }
      if buffer.count > 16 { return fingerprint(base, count: buffer.count) }
      let words = Self.words(base, count: buffer.count)
      return mix(words.0, words.1, buffer.count)
    }
  }

  /// The 1 to 16 bytes at `bytes` as two little-endian words, zero-padded, read without going past the end.
  @inline(__always)
  private static func words(_ bytes: UnsafePointer<UInt8>, count: Int) -> (UInt64, UInt64) {
    #if _endian(little)
      let raw = UnsafeRawPointer(bytes)
      if count >= 8 {
        let low = raw.loadUnaligned(as: UInt64.self)
        if count == 8 { return (low, 0) }
        // The last eight bytes, shifted down so that byte 8 comes first.
        let high = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) >> UInt64(8 * (16 - count))
        return (low, high)
      }
      if count >= 4 {
        // Two overlapping four-byte reads: the shared bytes land on the same positions.
        let a = UInt64(raw.loadUnaligned(as: UInt32.self))
        let b = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        return (a | b << UInt64(8 * (count - 4)), 0)
      }
      var low: UInt64 = 0
      for i in 0..<count { low |= UInt64(bytes[i]) << UInt64(8 * i) }
      return (low, 0)
    #else
      var words: (UInt64, UInt64) = (0, 0)
      withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: bytes, byteCount: count) }
      return words
    #endif
  }

  /// A fingerprint of a text longer than 16 bytes, eight bytes at a time.
  private static func fingerprint(_ bytes: UnsafePointer<UInt8>, count: Int) -> UInt64 {
    let raw = UnsafeRawPointer(bytes)
    var h: UInt64 = 0x243F_6A88_85A3_08D3
    var i = 0
    while i + 8 <= count {
      h = mix(h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self), i)
      i += 8
    }
    var tail: UInt64 = 0
    withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: raw + i, byteCount: count - i) }
    return mix(h, tail, count)
  }

  @inline(__always)
  private static func mix(_ a: UInt64, _ b: UInt64, _ n: Int) -> UInt64 {
    var h = (a &* 0x9E37_79B9_7F4A_7C15) ^ ((b ^ UInt64(truncatingIfNeeded: n)) &* 0xC2B2_AE3D_27D4_EB4F)
    h ^= h >> 29
    h &*= 0x94D0_49BB_1331_11EB
    h ^= h >> 32
    return h
  }
}
