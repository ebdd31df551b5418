import SproutDiagnostics
import SproutPlanner

/// `tasks/<hash>/outputs.json`: the record that a task finished. Written last and atomically, so a task
/// directory without it is incomplete (and its checkpoints are resume points, not results).
public struct TaskOutputs: Hashable, Sendable {
  /// The task's content hash.
  public var hash: String
  /// Stage kind (`train`, `evaluate`, `measure`, `select`).
  public var kind: String
  /// Optimizer steps run (0 for non-training tasks).
  public var steps: Int
  /// The last value of every recorded metric.
  public var finalMetrics: [String: JSONValue]
  /// Output name → `sha256:<hex>`: `tensor:<name>` for each final tensor, `metrics.jsonl` for the metrics.
  /// `sprout rerun` compares these.
  public var outputHashes: [String: String]
  /// Checkpoint file names kept, by step.
  public var checkpoints: [String]
  /// The checkpoint holding the final weights, if the task produced a model.
  public var finalCheckpoint: String?
  /// Extra results (a `select` task's choice), free-form.
  public var extra: [String: JSONValue]
  /// Wall-clock seconds of the attempt that completed the task (not part of any hash).
  public var seconds: Double

  /// Creates the outputs record.
  public init(
    hash: String, kind: String, steps: Int, finalMetrics: [String: JSONValue], outputHashes: [String: String],
    checkpoints: [String] = [], finalCheckpoint: String? = nil, extra: [String: JSONValue] = [:], seconds: Double
  ) {
    self.hash = hash
    self.kind = kind
    self.steps = steps
    self.finalMetrics = finalMetrics
    self.outputHashes = outputHashes
    self.checkpoints = checkpoints
    self.finalCheckpoint = finalCheckpoint
    self.extra = extra
    self.seconds = seconds
  }

  /// The JSON form.
  public var json: JSONValue {
    var object: [String: JSONValue] = [
      "format_version": .int(1), "hash": .string(hash), "kind": .string(kind), "steps": .int(steps),
      "final_metrics": .object(finalMetrics), "output_hashes": .object(outputHashes.mapValues { .string($0) }),
      "checkpoints": .array(checkpoints.map { .string($0) }), "extra": .object(extra), "seconds": .double(seconds),
    ]
    if let finalCheckpoint { object["final_checkpoint"] = .string(finalCheckpoint) }
    return .object(object)
  }

  /// Reads the JSON form; nil when a field is missing or mistyped.
  public init?(json: JSONValue) {
    guard let hash = json["hash"]?.stringValue, let kind = json["kind"]?.stringValue,
      let steps = json["steps"]?.intValue, let metrics = json["final_metrics"]?.objectValue,
      let hashes = json["output_hashes"]?.objectValue, let checkpoints = json["checkpoints"]?.arrayValue,
      let seconds = json["seconds"]?.doubleValue
    else { return nil }
    var outputHashes: [String: String] = [:]
    for (k, v) in hashes {
      guard let s = v.stringValue else { return nil }
      outputHashes[k] = s
    }
    self.init(
      hash: hash, kind: kind, steps: steps, finalMetrics: metrics, outputHashes: outputHashes,
      checkpoints: checkpoints.compactMap(\.stringValue), finalCheckpoint: json["final_checkpoint"]?.stringValue,
      extra: json["extra"]?.objectValue ?? [:], seconds: seconds)
  }

  /// The hash of a final tensor as recorded in `outputHashes`: dtype, shape and little-endian bytes.
  public static func hash(of tensor: NamedTensor) -> String {
    var bytes = Array("\(tensor.dtype)\(tensor.shape)".utf8)
    tensor.appendBytes(to: &bytes)
    return Checksum.digest(bytes)
  }

  /// The hash of a file's bytes.
  public static func hash(of bytes: [UInt8]) -> String { Checksum.digest(bytes) }
}
