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
    Prefix(configDigest: definitionDigest, backend: backend).hash(inputHashes: inputHashes, seed: seed)
  }

  /// SHA-256 fed with the part of the hashed text a task's configuration and backend decide (everything before
  /// its inputs' hashes), so the tasks of trials that share a configuration only hash their own inputs and seed.
  /// The hash is the same as hashing the whole text at once.
  struct Prefix {
    private let state: SHA256

    init(configDigest definitionDigest: String, backend: String) {
      var out: [UInt8] = []
      out.reserveCapacity(160)
      out += #"{"backend":"#.utf8
      JSONValue.writeString(backend, to: &out)
      out += #","definition":"#.utf8
      JSONValue.writeString(definitionDigest, to: &out)
      out += #","format":"#.utf8
      out += String(Plan.currentFormatVersion).utf8
      out += #","inputs":["#.utf8
      var h = SHA256()
      h.update(out)
      state = h
    }

    /// The task's hash (64 hex digits).
    func hash(inputHashes: [String], seed: Int) -> String {
      // The varying part is written into a stack buffer and fed to a copy of the prefix state: every replayed
      // trial's tasks come through here, so no heap array, no `String(seed)`, no intermediate digest array.
      var h = state
      // Longer inputs than a hash (never from the planner) take the general path.
      guard inputHashes.allSatisfy({ $0.utf8.count <= 64 }) else {
        return slowHash(inputHashes: inputHashes, seed: seed)
      }
      let capacity = 32 + 67 * inputHashes.count
      let plain = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer -> Bool in
        var n = 0
        func put(_ b: UInt8) {
          buffer[n] = b
          n += 1
        }
        for (i, input) in inputHashes.enumerated() {
          if i > 0 { put(UInt8(ascii: ",")) }
          var s = input
          let clean = s.withUTF8 { bytes -> Bool in
            for b in bytes where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            put(UInt8(ascii: "\""))
            for b in bytes { put(b) }
            put(UInt8(ascii: "\""))
            return true
          }
          if !clean { return false }
        }
        for b in #"],"seed":"#.utf8 { put(b) }
        // The decimal digits of the seed, as `String(seed)` spells them.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        var count = 0
        var magnitude = seed.magnitude
        withUnsafeMutableBytes(of: &digits) { d in
          repeat {
            d[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
          } while magnitude > 0
          if seed < 0 { put(UInt8(ascii: "-")) }
          for i in stride(from: count - 1, through: 0, by: -1) { put(d[i]) }
        }
        put(UInt8(ascii: "}"))
        h.update(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<n]))
        return true
      }
      return plain ? h.finalizeHex() : slowHash(inputHashes: inputHashes, seed: seed)
    }

    /// The same text written through `JSONValue`, for input hashes that are not plain 64-digit hex (never from
    /// the planner; kept so any string hashes as the canonical JSON would).
    private func slowHash(inputHashes: [String], seed: Int) -> String {
      var out: [UInt8] = []
      for (i, h) in inputHashes.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSONValue.writeString(h, to: &out)
      }
      out += #"],"seed":"#.utf8
      out += String(seed).utf8
      out.append(UInt8(ascii: "}"))
      var h = state
      h.update(out)
      return h.finalizeHex()
    }
  }
}
