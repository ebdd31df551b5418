import SproutConfig
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// Trials that agree on every value the spec's expressions read have the same tasks but for their keys, seeds and
/// hashes: the per-trial work (resolving, lowering, checking and digesting every stage) is done once per distinct
/// combination of those values and replayed for the other trials. A sweep over seeds, or over an axis only some
/// stages read, then costs one SHA-256 per task and no lowering.
///
/// What the expressions read is found statically: every `matrix.AXIS` and `trial.FIELD` reference in any
/// definition of the spec (stages, models, initializers, datasets), so the memo never joins trials that an
/// expression could tell apart. A reference to `trial.index` or `trial.id` makes every trial distinct: the memo
/// is off. Findings are replayed with each trial's label, as the full work would report them (the check-only and
/// full plans share this path, so they agree).
final class TrialMemo {
  /// One stage's task as the first trial with a signature produced it.
  struct Entry {
    var stage: String
    var kind: String
    var config: TaskConfig?
    var digest: String
    /// The hashing state after the configuration's part of the task hash (nil when planning checks only).
    var prefix: TaskHasher.Prefix?
    /// The stages it reads, each with whether it is a task over all trials.
    var upstream: [(name: String, acrossTrials: Bool)]
    var span: SourceSpan
    /// What was found with the trial's label while making the task (replayed with each later trial's label).
    var findings: [Diagnostic]
    /// Which remembered entry this is (0, 1, …, across signatures): what renderers cache per-entry text by.
    var serial = -1
  }

  /// The matrix axes the spec's expressions read, in name order.
  let axes: [String]
  /// Whether an expression reads `trial.seed`.
  let readsSeed: Bool
  /// False when no two trials can share tasks (an expression reads `trial.index` or `trial.id`).
  let enabled: Bool
  /// Each signature's tasks, in stage order.
  private var entries: [[JSONValue?]: [Entry]] = [:]

  /// A memo for a spec whose expressions read `reads`; `enabled: false` makes every trial do the full work (tests
  /// compare the two).
  init(reads: ExpressionReads, enabled: Bool = true) {
    self.axes = reads.matrixAxes.sorted()
    self.readsSeed = reads.readsTrialSeed
    self.enabled = enabled && !reads.readsTrialIdentity
  }

  /// A memo for `spec` (walking its definitions for what their expressions read).
  convenience init(spec: Spec, enabled: Bool = true) { self.init(reads: ExpressionReads(spec), enabled: enabled) }

  /// What tells trials apart for the spec's expressions: the values of the axes they read (and the seed, when read).
  /// When a read axis is missing from the trial, the trial's axis names join the signature too, since the error
  /// an expression then reports suggests among them.
  func signature(of trial: Trial) -> [JSONValue?] { signature(trial.assignment, seed: trial.seed) }

  /// The signature of a trial with `assignment` and `seed` (read only when ``readsSeed``).
  func signature(_ assignment: [AxisValue], seed: @autoclosure () -> Int) -> [JSONValue?] {
    var key: [JSONValue?] = []
    key.reserveCapacity(axes.count + 1)
    var missing = false
    for axis in axes {
      let v = assignment.first { $0.axis == axis }?.value
      if v == nil { missing = true }
      key.append(v)
    }
    if readsSeed { key.append(.int(seed())) }
    if missing { key.append(.array(assignment.map { .string($0.axis) })) }
    return key
  }

  /// The tasks of the first trial with `signature`, if one has been planned.
  func entries(for signature: [JSONValue?]) -> [Entry]? { enabled ? entries[signature] : nil }

  /// Remembers the tasks of a trial with `signature`.
  func remember(_ tasks: [Entry], for signature: [JSONValue?]) {
    guard enabled else { return }
    var tasks = tasks
    for i in tasks.indices {
      tasks[i].serial = serials
      serials += 1
    }
    entries[signature] = tasks
  }

  /// Entries remembered so far.
  private var serials = 0
}
