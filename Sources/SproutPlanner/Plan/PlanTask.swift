import SproutConfig
import SproutDiagnostics

/// The key of a task: trial id and stage name, written `t0003/train`.
///
/// Stages that combine every trial (`select`, and stages reading from one) belong to no single trial;
/// their trial part is ``TaskKey/allTrials`` (`all/best`).
public struct TaskKey: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
  /// The trial part of the key of a task over all trials.
  public static let allTrials = "all"

  /// The trial id (`t0003`) or ``allTrials``.
  public var trial: String
  /// The stage name.
  public var stage: String

  /// Creates a key.
  public init(trial: String, stage: String) {
    self.trial = trial
    self.stage = stage
  }

  /// Parses `trial/stage`; `nil` when the text has no `/` or an empty part.
  public init?(_ text: String) {
    guard let slash = text.firstIndex(of: "/") else { return nil }
    let t = String(text[..<slash])
    let s = String(text[text.index(after: slash)...])
    guard !t.isEmpty, !s.isEmpty else { return nil }
    self.init(trial: t, stage: s)
  }

  /// `trial/stage`.
  public var description: String { "\(trial)/\(stage)" }

  /// Orders by text.
  public static func < (a: TaskKey, b: TaskKey) -> Bool { a.description < b.description }

  /// Decodes from its text form.
  public init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let key = TaskKey(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "bad task key '\(text)'"))
    }
    self = key
  }

  /// Encodes as its text form.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}

/// Whether a task must run.
public enum TaskState: String, Hashable, Sendable, Codable {
  /// Its outputs are in the store under its hash; it is skipped.
  case cached
  /// It ran before under this key, but something it reads changed (or `--force`, or its outputs are gone).
  case stale
  /// It never ran under this key.
  case new
}

/// A source range that survives a plan file: file, start and end as 1-based line and column.
public struct SourceSpan: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The file.
  public var file: String
  /// 1-based start line.
  public var line: Int
  /// 1-based start column.
  public var column: Int
  /// 1-based end line.
  public var endLine: Int
  /// 1-based column just after the end.
  public var endColumn: Int

  /// The span of a diagnostics range.
  public init(_ range: SourceRange) {
    file = range.file
    line = range.start.line
    column = range.start.column
    endLine = range.end.line
    endColumn = range.end.column
  }

  /// The diagnostics range of this span (byte offsets unknown).
  public var range: SourceRange {
    SourceRange(
      file: file, start: SourceLocation(line: line, column: column),
      end: SourceLocation(line: endLine, column: endColumn))
  }

  /// `file:line:column`.
  public var description: String { "\(file):\(line):\(column)" }
}

/// One (trial, stage) unit of work.
public struct PlanTask: Hashable, Sendable, Codable {
  /// `t0003/train`.
  public var key: TaskKey
  /// The trial's index, or `nil` for a task over all trials.
  public var trialIndex: Int?
  /// The stage's kind (`train`, `evaluate`, `measure`, `finetune`, `merge`, `select`).
  public var kind: String
  /// SHA-256 (hex) of everything the task reads; see ``TaskHasher``.
  public var hash: String
  /// The tasks whose outputs this task reads, in the order the definition names them.
  public var inputs: [TaskKey]
  /// What the task executes: its stage lowered for this trial, every reference replaced by what it means and every
  /// file by its content digest. Nil only in a plan with errors (a stage that could not be lowered).
  public var config: TaskConfig?
  /// The trial's seed (the stage's random streams are keyed by it, the trial and the stage).
  public var seed: Int
  /// Where the stage is defined.
  public var span: SourceSpan
  /// Cached, stale or new.
  public var state: TaskState
  /// Why it has that state, in words ("stage.epochs: 30 → 5").
  public var reason: String
  /// For a stale task, everything that differs from its last run (what `--explain` lists).
  public var changes: [TaskChange]
  /// The select choices the task runs under (nil: it always runs). Their select tasks are among `inputs`, but not
  /// part of `hash`.
  public var gates: [TaskGate]?

  /// Creates a task.
  public init(
    key: TaskKey, trialIndex: Int?, kind: String, hash: String, inputs: [TaskKey], config: TaskConfig?,
    seed: Int, span: SourceSpan, state: TaskState = .new, reason: String = "", changes: [TaskChange] = [],
    gates: [TaskGate]? = nil
  ) {
    self.key = key
    self.trialIndex = trialIndex
    self.kind = kind
    self.hash = hash
    self.inputs = inputs
    self.config = config
    self.seed = seed
    self.span = span
    self.state = state
    self.reason = reason
    self.changes = changes
    self.gates = gates
  }

  /// The stage name.
  public var stage: String { key.stage }

  /// The inputs whose hashes are part of the task's: every input but the select tasks of its gates.
  public var hashedInputs: [TaskKey] {
    guard let gates, !gates.isEmpty else { return inputs }
    let selects = Set(gates.map(\.select))
    return inputs.filter { !selects.contains($0) }
  }

  /// The configuration as JSON (`null` without one): what records keep and `--explain` compares.
  public var definition: JSONValue { config?.json ?? .null }
}

/// What the store remembers about the last run of a task key, for cache state and `--explain`.
public struct TaskRecord: Hashable, Sendable, Codable {
  /// The hash the task had then.
  public var hash: String
  /// Its configuration then, as JSON (``TaskConfig/json``).
  public var definition: JSONValue
  /// Its input tasks' hashes then, by task key text.
  public var inputHashes: [String: String]
  /// Its seed then.
  public var seed: Int
  /// Its backend then.
  public var backend: String

  /// Creates a record.
  public init(hash: String, definition: JSONValue, inputHashes: [String: String], seed: Int, backend: String) {
    self.hash = hash
    self.definition = definition
    self.inputHashes = inputHashes
    self.seed = seed
    self.backend = backend
  }

  /// The record a plan task would leave if it ran now (the run phase stores this after a task succeeds).
  /// O(inputs) with `hashes` from ``Plan/hashesByKey`` built once; O(n · inputs) without.
  public init(task: PlanTask, plan: Plan, hashes: [TaskKey: String]? = nil) {
    var inputs: [String: String] = [:]
    for key in task.hashedInputs {
      inputs[key.description] = hashes.map { $0[key] ?? "" } ?? plan.task(key)?.hash ?? ""
    }
    self.init(hash: task.hash, definition: task.definition, inputHashes: inputs, seed: task.seed, backend: plan.backend)
  }
}

/// A read-only view of the store, all the planner may know about it (STYLE rule 5: the planner is pure).
///
/// The run phase implements it over the on-disk store; tests implement it over a dictionary.
public protocol StoreView {
  /// True when complete outputs of a task with this hash are in the store.
  func hasOutputs(hash: String) -> Bool
  /// The record of the last completed run of a task key (`t0003/train`), if any.
  func lastRecord(taskKey: String) -> TaskRecord?
}
