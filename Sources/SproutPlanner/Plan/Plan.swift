import SproutDiagnostics

/// The output of the planner: every trial of the matrix and every (trial, stage) task in run order, each
/// with its content hash, fully resolved definition and cache state.
///
/// A plan is a value: `sprout plan` prints it, `--out plan.json` saves it (``Plan/save(to:)``), and
/// `sprout run --plan plan.json --task K` loads it (``Plan/load(from:)``) and runs one task, possibly in
/// another process or on another machine that sees the same store. It therefore carries everything a
/// task needs besides the store: the resolved definitions, seeds, backend and the spec's identity.
public struct Plan: Hashable, Sendable, Codable {
  /// The version of the plan format and of the hashing scheme; part of every task hash, so changing how
  /// tasks are hashed or what a definition means invalidates old cache entries instead of reusing them.
  /// 3: random streams keyed by the task's seed and stage, no longer by the trial's id (results computed under 2
  /// drew from other streams, so their cache entries must not be reused).
  public static let currentFormatVersion = 3

  /// The format version this plan was written with.
  public var formatVersion: Int
  /// Which spec the plan was made from.
  public var spec: SpecIdentity
  /// The backend every task runs on (`cpu` or `blas`), after `--backend`/`--set backend=`.
  public var backend: String
  /// The root seed, after overrides.
  public var rootSeed: Int
  /// The `--set` overrides applied, as given.
  public var overrides: [String]
  /// The trial count and the statement of how it arises.
  public var count: TrialCount
  /// The trials in index order.
  public var trials: [Trial]
  /// The tasks in run order: every task comes after the tasks it reads.
  public var tasks: [PlanTask]

  /// Creates a plan.
  public init(
    formatVersion: Int = Plan.currentFormatVersion, spec: SpecIdentity, backend: String, rootSeed: Int,
    overrides: [String] = [], count: TrialCount, trials: [Trial], tasks: [PlanTask]
  ) {
    self.formatVersion = formatVersion
    self.spec = spec
    self.backend = backend
    self.rootSeed = rootSeed
    self.overrides = overrides
    self.count = count
    self.trials = trials
    self.tasks = tasks
  }

  /// The task with a key (`t0003/train`), if any. O(n): for many lookups build ``hashesByKey`` or
  /// ``positions`` once.
  public func task(_ key: TaskKey) -> PlanTask? { tasks.first { $0.key == key } }

  /// Each task's position in ``tasks``, by key (O(n) to build).
  public var positions: [TaskKey: Int] {
    Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.key, $0) })
  }

  /// Each task's hash, by key (O(n) to build).
  public var hashesByKey: [TaskKey: String] {
    Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.hash) })
  }

  /// The task with a key written as text, if any.
  public func task(_ key: String) -> PlanTask? { TaskKey(key).flatMap(task) }

  /// The trial with an id (`t0003`), if any.
  public func trial(_ id: String) -> Trial? { trials.first { $0.id == id } }

  /// Tasks that must run (not cached).
  public var pendingTasks: [PlanTask] { tasks.filter { $0.state != .cached } }
}

/// Where a plan came from: enough to refuse running it against a different spec.
public struct SpecIdentity: Hashable, Sendable, Codable {
  /// The spec's path as given to `sprout plan`.
  public var path: String
  /// SHA-256 (hex) of the spec text; empty when the planner was not given the text.
  public var textHash: String
  /// The experiment's `name`, if any.
  public var name: String

  /// Creates a spec identity.
  public init(path: String, textHash: String, name: String) {
    self.path = path
    self.textHash = textHash
    self.name = name
  }

  /// The identity of a spec text at a path.
  public init(path: String, text: String, name: String) {
    self.init(path: path, textHash: SHA256.hash(text).hex, name: name)
  }
}

/// The number of trials and a faithful statement of how the matrix produces it.
public struct TrialCount: Hashable, Sendable, Codable {
  /// Number of trials.
  public var total: Int
  /// E.g. `24 trials = 4 init × 3 seed × 2 width`.
  public var statement: String

  /// Creates a count.
  public init(total: Int, statement: String) {
    self.total = total
    self.statement = statement
  }
}

/// One combination of matrix values.
public struct Trial: Hashable, Sendable, Codable {
  /// 0-based index in expansion order (the order of the matrix as written, not the run order).
  public var index: Int
  /// `t0003`: `t` and the index, zero-padded to four digits (more when there are more trials).
  public var id: String
  /// Axis → value, in axis order (axes added by `include` last).
  public var assignment: [AxisValue]
  /// The trial's seed: the `seed` axis value, or one derived from the root seed and the assignment.
  public var seed: Int

  /// Creates a trial.
  public init(index: Int, id: String, assignment: [AxisValue], seed: Int) {
    self.index = index
    self.id = id
    self.assignment = assignment
    self.seed = seed
  }

  /// The value of one axis.
  public subscript(axis: String) -> JSONValue? { assignment.first { $0.axis == axis }?.value }

  /// `init=kaiming seed=0`.
  public var assignmentText: String {
    assignment.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ")
  }

  /// The id of trial `index` among `total` trials.
  public static func id(index: Int, total: Int) -> String { id(index: index, width: idWidth(total: total)) }

  /// The digits in the ids of `total` trials (at least four).
  static func idWidth(total: Int) -> Int { max(4, String(max(total - 1, 0)).count) }

  /// The id of trial `index` with `width` digits.
  static func id(index: Int, width: Int) -> String {
    let digits = String(index)
    return "t" + String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}

/// One axis's value in a trial.
public struct AxisValue: Hashable, Sendable, Codable {
  /// The axis name.
  public var axis: String
  /// Its value.
  public var value: JSONValue

  /// Creates an axis value.
  public init(axis: String, value: JSONValue) {
    self.axis = axis
    self.value = value
  }
}
