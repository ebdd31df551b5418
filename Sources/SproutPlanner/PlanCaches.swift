import SproutDiagnostics
import SproutSpec

/// A resolved definition: its JSON and that JSON's canonical bytes, each computed once and only when asked
/// for (`sprout lint` plans without hashing and rarely needs either). A class, so the memo is shared by every
/// task and trial holding the part.
final class Part {
  private var make: (() -> JSONValue)?
  private var madeJSON: JSONValue?
  private var madeBytes: [UInt8]?

  /// A part whose JSON `make` computes on first use.
  init(_ make: @escaping () -> JSONValue) { self.make = make }

  /// The part's JSON.
  var json: JSONValue {
    if let madeJSON { return madeJSON }
    let j = make?() ?? .null
    madeJSON = j
    make = nil
    return j
  }

  /// The canonical bytes of `json`.
  var bytes: [UInt8] {
    if let madeBytes { return madeBytes }
    let b = json.canonicalBytes
    madeBytes = b
    return b
  }
}

/// A task's definition: its parts by name (`stage`, `model`, `init`, `init_data`, `data`) and, on first use,
/// the canonical bytes of the object they form.
final class TaskDefinition {
  let parts: [String: Part]
  private var madeBytes: [UInt8]?

  init(_ parts: [String: Part]) { self.parts = parts }

  /// The definition as JSON.
  var json: JSONValue { .object(parts.mapValues(\.json)) }

  /// The canonical bytes, assembled from the parts' bytes in sorted key order.
  var bytes: [UInt8] {
    if let madeBytes { return madeBytes }
    var bytes: [UInt8] = [UInt8(ascii: "{")]
    for (n, entry) in parts.sorted(by: { JSONValue.keyOrder($0.key, $1.key) }).enumerated() {
      if n > 0 { bytes.append(UInt8(ascii: ",")) }
      JSONValue.writeString(entry.key, to: &bytes)
      bytes.append(UInt8(ascii: ":"))
      bytes += entry.value.bytes
    }
    bytes.append(UInt8(ascii: "}"))
    madeBytes = bytes
    return bytes
  }
}

/// Work shared across trials. Most trials of a sweep share most of their resolved definitions (every seed of
/// one width has the same model), so definitions that no trial value reaches are resolved once, and checks
/// are run once per distinct resolved input and replayed for the other trials (so the trial counts in notes
/// stay right). A class, because every trial's context writes to it.
final class PlanCaches {
  /// Definitions whose expressions only read `params`, by key path (`models.net`).
  var invariant: [String: Part] = [:]
  /// Catalogue re-check results by key path and resolved bytes.
  var catalogue: [ByteKey: [Diagnostic]] = [:]
  /// SHA-256 (hex) of each distinct definition, by its canonical bytes.
  var definitionDigests: [ByteKey: String] = [:]
  /// Stage check results by the task's definition bytes and its inputs' definition bytes.
  var stageChecks: [ByteKey: [Diagnostic]] = [:]
  /// Stages whose task is the same in every trial but for the trial's seed and key, from the first trial.
  var fixedTasks: [StageID: FixedTask] = [:]

  /// True when no expression in `value` reads the matrix or the trial (only `params`, or none at all).
  static func isTrialInvariant(_ value: Value) -> Bool {
    switch value {
    case .null, .bool, .int, .float, .string: return true
    case .expression(let e): return e.expression.references.allSatisfy { $0.path.first == "params" }
    case .list(let items): return items.allSatisfy(isTrialInvariant)
    case .map(let entries): return entries.allSatisfy { isTrialInvariant($0.value) }
    case .instance(let i): return i.arguments.entries.allSatisfy { isTrialInvariant($0.value) }
    }
  }
}

/// Bytes as a dictionary key, hashed in one call (an `[UInt8]` key hashes byte by byte, which dominated planning).
struct ByteKey: Hashable {
  let bytes: [UInt8]

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
}

/// What a stage's task is in every trial when nothing it reads depends on the trial: its definition, the digest
/// of the definition's canonical bytes, the upstream stages it reads and what its checks found.
///
/// A stage is fixed when its own definition, the model, initializer and datasets it uses are trial-invariant
/// (their expressions read only `params`) and every stage it reads is fixed. Later trials then build its task
/// from this record instead of resolving, serializing and checking it again; the checks' findings are replayed
/// with each trial's label, so the diagnostics are those of the full work.
struct FixedTask {
  var definition: TaskDefinition
  /// The definition as JSON (`.null` when planning checks only).
  var json: JSONValue
  /// SHA-256 (hex) of the definition's bytes; empty when planning checks only.
  var digest: String
  var upstream: [StageID]
  var checkFindings: [Diagnostic]
}
