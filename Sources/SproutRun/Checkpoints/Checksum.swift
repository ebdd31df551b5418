import SproutPlanner

/// The content checksum of checkpoint data and store outputs: `"sha256:<hex digest>"`.
///
/// One definition for the whole store (SproutPlanner's SHA-256, the same the planner hashes tasks with),
/// so checkpoints, output hashes and rerun comparisons agree.
enum Checksum {
  /// The digest of `bytes`, prefixed by its algorithm name.
  static func digest(_ bytes: UnsafeRawBufferPointer) -> String {
    var hasher = SHA256()
    hasher.update(bytes)
    return "sha256:" + hasher.finalize().hex
  }

  /// The digest of a byte array.
  static func digest(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { digest($0) } }
}
