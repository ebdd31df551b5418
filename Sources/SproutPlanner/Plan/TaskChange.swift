import SproutDiagnostics

/// One difference between a task as planned and its last run: what made it stale.
public struct TaskChange: Hashable, Sendable, Codable, CustomStringConvertible {
  /// What changed.
  public enum Kind: String, Hashable, Sendable, Codable {
    /// A field of the task's configuration (`path` is its JSON path without the kind, `training.optimizer.lr`).
    case field
    /// The contents of a data file it reads (`path` is the file as the spec names it; old and new are digests).
    case file
    /// An input task's hash (`path` is its key; the upstream task changed).
    case input
    /// The trial seed.
    case seed
    /// The backend.
    case backend
    /// Nothing it reads changed, but its outputs are no longer in the store.
    case outputsMissing
    /// `--force`.
    case forced
  }

  /// What changed.
  public var kind: Kind
  /// The path of the field (`training.optimizer.lr`), the data file, or the input task key; empty otherwise.
  public var path: String
  /// The old value (canonical JSON for fields, a short hash for inputs); `nil` when it was absent.
  public var old: String?
  /// The new value; `nil` when it is now absent.
  public var new: String?

  /// Creates a change.
  public init(_ kind: Kind, path: String = "", old: String? = nil, new: String? = nil) {
    self.kind = kind
    self.path = path
    self.old = old
    self.new = new
  }

  /// `stage.epochs: 30 → 5`, `upstream t0001/train changed (1a2b3c4d → 5e6f7a8b)`.
  public var description: String {
    let o = old ?? "(absent)", n = new ?? "(absent)"
    switch kind {
    case .field: return "\(path): \(o) → \(n)"
    case .file: return "file '\(path)' changed (\(o) → \(n))"
    case .input: return "upstream \(path) changed (\(o) → \(n))"
    case .seed: return "seed: \(o) → \(n)"
    case .backend: return "backend: \(o) → \(n)"
    case .outputsMissing: return "nothing it reads changed, but its outputs are missing from the store"
    case .forced: return "forced (--force)"
    }
  }
}

extension TaskChange {
  /// The leaf-level differences between two task configurations (the `config` of a plan task), as `.field`
  /// changes at paths like `training.optimizer.lr` and one `.file` change per data file whose contents changed.
  ///
  /// The one place configurations are compared: the planner's stale reasons and `sprout compare` both use it.
  /// Paths leave out the task's own kind (`kind.train.`) and Swift's `_0` labels of unlabelled payloads.
  public static func configDifferences(_ old: JSONValue?, _ new: JSONValue?) -> [TaskChange] {
    var changes: [TaskChange] = []
    diff(old, new, path: "", into: &changes)
    return changes.map { c in
      var c = c
      let parts = c.path.split(separator: ".", maxSplits: 2)
      if c.kind == .field, parts.count == 3, parts[0] == "kind" { c.path = String(parts[2]) }
      return c
    }
  }

  private static func diff(_ old: JSONValue?, _ new: JSONValue?, path: String, into changes: inout [TaskChange]) {
    if case .object(let a)? = old, case .object(let b)? = new, Set(a.keys) == ["path", "digest"],
      Set(b.keys) == ["path", "digest"], a["path"] == b["path"], a["digest"] != b["digest"],
      case .string(let file)? = a["path"]
    {
      let short = { (d: String) in String(d.prefix(12)) }
      changes.append(
        TaskChange(.file, path: file, old: a["digest"]?.stringValue.map(short), new: b["digest"]?.stringValue.map(short)))
      return
    }
    switch (old, new) {
    case (.object(let a)?, .object(let b)?):
      for key in Set(a.keys).union(b.keys).sorted(by: JSONValue.keyOrder) {
        let sub = key == "_0" ? path : path.isEmpty ? key : "\(path).\(key)"
        diff(a[key], b[key], path: sub, into: &changes)
      }
    case (.array(let a)?, .array(let b)?) where a.count == b.count:
      for i in a.indices { diff(a[i], b[i], path: "\(path)[\(i)]", into: &changes) }
    default:
      // A stored definition comes back from JSON text, where 1.0 reads as the integer 1: numbers compare by value.
      if let a = old?.doubleValue, let b = new?.doubleValue, a == b { return }
      if old != new { changes.append(TaskChange(.field, path: path, old: old?.canonical, new: new?.canonical)) }
    }
  }
}
