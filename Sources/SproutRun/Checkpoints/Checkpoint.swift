import SproutTrain

/// What a training task needs to continue exactly where it stopped, as one safetensors file: a
/// SproutTrain `TrainingState` plus what the store adds.
///
/// Tensors: the weights under their parameter names (`layers.0.weight`), optimizer state under
/// `optimizer.<parameter>.<slot>` (`optimizer.layers.0.weight.momentum`), `initial.<parameter>` (W₀, for
/// weight_change) and `metrics.kernel_alignment.k0` (F64). Metadata (strings): the format version, step,
/// epoch, batch cursor, random stream positions (`stream.<name>`: the shuffle stream is keyed by the epoch
/// and the dropout masks by the training clock, so these two numbers position every stream), the trainer's
/// counters (`counter.<name>`), other state (`state.<key>`), the number of metric records written so far,
/// and the stamp — spec hash, tool version, backend — that a resume must match.
public struct Checkpoint: Sendable, Equatable {
  /// Who wrote a checkpoint; a resume is refused unless all three match.
  public struct Stamp: Sendable, Hashable {
    /// The task's content hash (covers the resolved spec of the task and its inputs).
    public var specHash: String
    /// The `sprout` version that wrote it.
    public var toolVersion: String
    /// `cpu` or `blas`.
    public var backend: String

    /// Creates a stamp.
    public init(specHash: String, toolVersion: String, backend: String) {
      self.specHash = specHash
      self.toolVersion = toolVersion
      self.backend = backend
    }

    /// Human-readable differences from `other` ("backend changed from cpu to blas"), empty when equal.
    public func differences(from other: Stamp) -> [String] {
      var out: [String] = []
      if specHash != other.specHash {
        out.append("spec changed (task hash \(other.specHash.prefix(12)) → \(specHash.prefix(12)))")
      }
      if toolVersion != other.toolVersion {
        out.append("tool version changed from \(other.toolVersion) to \(toolVersion)")
      }
      if backend != other.backend { out.append("backend changed from \(other.backend) to \(backend)") }
      return out
    }
  }

  /// The checkpoint format version written in the metadata.
  public static let formatVersion = "1"

  /// Weights, optimizer state and other float tensors, in a fixed order.
  public var tensors: [NamedTensor]
  /// Optimizer steps completed.
  public var step: Int
  /// Epochs completed.
  public var epoch: Int
  /// Position of the next batch within the current epoch.
  public var batchCursor: Int
  /// Random stream positions by stream name.
  public var streams: [String: UInt64]
  /// The trainer's counters (`TrainingState.scalars`: step, epoch, cursor, clock, total_steps).
  public var counters: [String: UInt64]
  /// Other scalar state of the trainer, as exact strings.
  public var state: [String: String]
  /// Number of metric records written up to this step (metrics.jsonl is cut back to it on resume).
  public var metricRecords: Int
  /// Who wrote it.
  public var stamp: Stamp

  /// Creates a checkpoint.
  public init(
    tensors: [NamedTensor], step: Int, epoch: Int = 0, batchCursor: Int = 0, streams: [String: UInt64] = [:],
    counters: [String: UInt64] = [:], state: [String: String] = [:], metricRecords: Int = 0, stamp: Stamp
  ) {
    self.counters = counters
    self.tensors = tensors
    self.step = step
    self.epoch = epoch
    self.batchCursor = batchCursor
    self.streams = streams
    self.state = state
    self.metricRecords = metricRecords
    self.stamp = stamp
  }

  /// A checkpoint of a trainer's state.
  public init(state: TrainingState, metricRecords: Int, stamp: Stamp) {
    let c = state.scalars
    self.init(
      tensors: state.tensorNames.compactMap { name in state.tensors[name].map { NamedTensor(name: name, storage: $0) }
      },
      step: state.step,
      epoch: Int(c["epoch"] ?? 0), batchCursor: Int(c["cursor"] ?? 0),
      streams: ["shuffle.epoch": c["epoch"] ?? 0, "dropout.clock": c["clock"] ?? 0], counters: c,
      metricRecords: metricRecords, stamp: stamp)
  }

  /// The trainer's state this checkpoint holds.
  public var trainingState: TrainingState {
    var tensors: [String: StateTensor] = [:]
    for t in self.tensors { tensors[t.name] = t.storage }
    var scalars = counters
    scalars["step"] = UInt64(step)
    scalars["epoch"] = UInt64(epoch)
    scalars["cursor"] = UInt64(batchCursor)
    return TrainingState(tensors: tensors, scalars: scalars)
  }

  /// The tensor named `name`.
  public subscript(name: String) -> NamedTensor? { tensors.first { $0.name == name } }

  /// The file name of the checkpoint after `step` steps: `step-000200.safetensors`.
  public static func fileName(step: Int) -> String {
    let digits = String(step)
    return "step-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".safetensors"
  }

  /// The step encoded in a checkpoint file name, or nil if it is not one.
  public static func step(fromFileName name: String) -> Int? {
    guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
    let digits = name.dropFirst(5).dropLast(12)
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
    return Int(digits)
  }

  /// The safetensors content.
  public var file: SafetensorsFile {
    var meta: [String: String] = [
      "format": "sprout-checkpoint", "format_version": Self.formatVersion,
      "step": String(step), "epoch": String(epoch), "batch_cursor": String(batchCursor),
      "metric_records": String(metricRecords),
      "spec_hash": stamp.specHash, "tool_version": stamp.toolVersion, "backend": stamp.backend,
    ]
    for (name, position) in streams { meta["stream.\(name)"] = String(position) }
    for (key, value) in state { meta["state.\(key)"] = value }
    for (key, value) in counters { meta["counter.\(key)"] = String(value) }
    return SafetensorsFile(tensors: tensors, metadata: meta)
  }

  /// The file's bytes.
  public func encode() -> [UInt8] { file.encode() }

  /// Reads and validates a checkpoint; any problem is `RunError(.corruptCheckpoint)` naming `path`.
  public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
    let file = try SafetensorsFile.decode(bytes, path: path)
    let meta = file.metadata
    func field(_ key: String) throws -> String {
      guard let value = meta[key] else {
        throw RunError(.corruptCheckpoint, "checkpoint '\(path)' has no '\(key)' in its metadata", path: path)
      }
      return value
    }
    func integer(_ key: String) throws -> Int {
      guard let value = Int(try field(key)), value >= 0 else {
        throw RunError(.corruptCheckpoint, "checkpoint '\(path)' has an invalid '\(key)'", path: path)
      }
      return value
    }
    guard meta["format"] == "sprout-checkpoint" else {
      throw RunError(.corruptCheckpoint, "'\(path)' is not a Sprout checkpoint", path: path)
    }
    let version = try field("format_version")
    guard version == formatVersion else {
      throw RunError(
        .corruptCheckpoint, "checkpoint '\(path)' has format version \(version); this sprout reads \(formatVersion)",
        path: path)
    }
    var streams: [String: UInt64] = [:]
    var state: [String: String] = [:]
    var counters: [String: UInt64] = [:]
    for (key, value) in meta {
      if key.hasPrefix("stream.") {
        guard let position = UInt64(value) else {
          throw RunError(.corruptCheckpoint, "checkpoint '\(path)' has an invalid '\(key)'", path: path)
        }
        streams[String(key.dropFirst(7))] = position
      } else if key.hasPrefix("counter.") {
        guard let n = UInt64(value) else {
          throw RunError(.corruptCheckpoint, "checkpoint '\(path)' has an invalid '\(key)'", path: path)
        }
        counters[String(key.dropFirst(8))] = n
      } else if key.hasPrefix("state.") {
        state[String(key.dropFirst(6))] = value
      }
    }
    return Checkpoint(
      tensors: file.tensors, step: try integer("step"), epoch: try integer("epoch"),
      batchCursor: try integer("batch_cursor"), streams: streams, counters: counters, state: state,
      metricRecords: try integer("metric_records"),
      stamp: Stamp(
        specHash: try field("spec_hash"), toolVersion: try field("tool_version"), backend: try field("backend")))
  }

  /// Writes the checkpoint atomically (temporary name, rename); with `.now` (the default) fsynced before the rename
  /// and its directory after, with `.deferred` made durable by the task's commit (docs/store.md, Durability).
  public func write(to path: String, durability: AtomicFile.Durability = .now) throws {
    try AtomicFile.write(encode(), to: path, durability: durability)
  }

  /// Reads and validates the checkpoint at `path`.
  public static func read(_ path: String) throws -> Checkpoint {
    try decode(try AtomicFile.read(path), path: path)
  }
}
