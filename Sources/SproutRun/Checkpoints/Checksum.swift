/// The content checksum of checkpoint data and store outputs: `"<algorithm>:<hex digest>"`.
///
/// One definition for the whole store so checkpoints, output hashes and rerun comparisons agree.
/// TEMPORARY: FNV-1a 64 until SproutPlanner's SHA-256 lands on branch `graph`; then this calls it.
enum Checksum {
  /// The digest of `bytes`, prefixed by its algorithm name.
  static func digest(_ bytes: UnsafeRawBufferPointer) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    let hex = String(h, radix: 16)
    return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// The digest of a byte array.
  static func digest(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { digest($0) } }
}
