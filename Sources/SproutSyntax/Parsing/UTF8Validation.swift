/// Finds the first byte that is not part of well-formed UTF-8.
///
/// Checked before libyaml sees the text so the diagnostic can name the exact byte (libyaml reports the
/// offset of the sequence with a generic message) and so a UTF-16 file is recognised as such.
/// Rejects overlong forms, surrogates and code points above U+10FFFF, as the Unicode standard requires.
enum UTF8Validation {
  /// The offset of the first invalid byte (the lead byte of a broken sequence), or `nil` when `bytes` is valid UTF-8.
  static func firstInvalidByte(in bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBufferPointer { firstInvalidByte(in: $0) }
  }

  private static func firstInvalidByte(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    let n = bytes.count
    guard let base = bytes.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    while i < n {
      // Eight ASCII bytes at a time: most specs are all ASCII.
      if i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
        i += 8
        continue
      }
      let b = bytes[i]
      if b < 0x80 {
        i += 1
        continue
      }
      // Allowed range of the second byte, and the sequence length, per Unicode Table 3-7.
      let length: Int
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch b {
      case 0xC2...0xDF: length = 2
      case 0xE0: length = 3; low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED: length = 3; high = 0x9F
      case 0xF0: length = 4; low = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4: length = 4; high = 0x8F
      default: return i
      }
      for k in 1..<length {
        guard i + k < n else { return i }
        let c = bytes[i + k]
        let (lo, hi): (UInt8, UInt8) = k == 1 ? (low, high) : (0x80, 0xBF)
        if c < lo || c > hi { return i }
      }
      i += length
    }
    return nil
  }
}
