/// The content hash of a task.
///
/// SHA-256 over the canonical JSON of
/// `{"backend": …, "definition": …, "format": Plan.currentFormatVersion, "inputs": [input hashes], "seed": …}`:
/// exactly what the task reads. The definition holds the resolved stage and the resolved model, initializer
/// and datasets it uses; `inputs` are its input tasks' hashes in the order the plan lists them, so a change
/// upstream changes every hash downstream, and a change elsewhere changes none.
public enum TaskHasher {
  /// The hash (64 hex digits).
  public static func hash(definition: JSONValue, inputHashes: [String], seed: Int, backend: String) -> String {
    let payload = JSONValue.object([
      "backend": .string(backend), "definition": definition, "format": .int(Plan.currentFormatVersion),
      "inputs": .array(inputHashes.map { .string($0) }), "seed": .int(seed),
    ])
    return SHA256.hash(payload.canonical).hex
  }
}
