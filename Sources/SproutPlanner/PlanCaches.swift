import SproutDiagnostics
import SproutSpec

/// A resolved definition: its JSON and that JSON's canonical bytes, computed once.
struct Part {
  var json: JSONValue
  var bytes: [UInt8]

  init(_ json: JSONValue) {
    self.json = json
    self.bytes = json.canonicalBytes
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
