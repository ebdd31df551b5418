import SproutConfig
import SproutDiagnostics

/// The content hash of a task.
///
/// SHA-256 over the canonical JSON of
/// `{"backend": …, "definition": SHA-256 of the configuration's canonical encoding, "format":
///   Plan.currentFormatVersion, "inputs": [input hashes], "seed": …}`:
/// exactly what the task reads. The configuration (``TaskConfig``, encoded by ``CanonicalEncoder``) is the lowered
/// stage with the model, initializer and data it uses, files by their content digests; `inputs` are its input
/// tasks' hashes in the order the plan lists them, so a change upstream changes every hash downstream, and a change
/// elsewhere changes none. Hashing the configuration separately lets the planner hash each distinct configuration
/// once (every seed of a sweep shares one).
public enum TaskHasher {
  /// The hash (64 hex digits).
  public static func hash(config: TaskConfig, inputHashes: [String], seed: Int, backend: String) -> String {
    let bytes: [UInt8]
    do { bytes = try CanonicalEncoder().encode(config) } catch {
      preconditionFailure("a task configuration always encodes: \(error)")
    }
    return hash(configDigest: SHA256.hash(bytes).hex, inputHashes: inputHashes, seed: seed, backend: backend)
  }

  /// The hash from the SHA-256 (hex) of the configuration's canonical encoding.
  static func hash(configDigest definitionDigest: String, inputHashes: [String], seed: Int, backend: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(160 + 68 * inputHashes.count)
    out += #"{"backend":"#.utf8
    JSONValue.writeString(backend, to: &out)
    out += #","definition":"#.utf8
    JSONValue.writeString(definitionDigest, to: &out)
    out += #","format":"#.utf8
    out += String(Plan.currentFormatVersion).utf8
    out += #","inputs":["#.utf8
    for (i, h) in inputHashes.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      JSONValue.writeString(h, to: &out)
    }
    out += #"],"seed":"#.utf8
    out += String(seed).utf8
    out.append(UInt8(ascii: "}"))
    return SHA256.hash(out).hex
  }
}
