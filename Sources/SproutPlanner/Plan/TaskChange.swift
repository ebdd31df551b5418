/// One difference between a task as planned and its last run: what made it stale.
public struct TaskChange: Hashable, Sendable, Codable, CustomStringConvertible {
  /// What changed.
  public enum Kind: String, Hashable, Sendable, Codable {
    /// A field of the task's configuration (`path` is its JSON path, `kind.train.training.optimizer.lr`).
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
  /// The JSON path of the field, or the input task key; empty otherwise.
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
