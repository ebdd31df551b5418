import SproutDiagnostics

/// A plan whose tasks are made as they are read: `sprout plan` prints a million trials without holding them.
///
/// Made by ``Planner/stream(_:options:store:diagnostics:)`` in two passes over the trials. The first, when the
/// stream is made, is the check pass every plan makes (``TrialMemo``): each distinct combination of the values the
/// spec reads is resolved, lowered, checked and digested once, and every trial's findings are reported, so a stream
/// exists only for a plan without errors and its diagnostics are a full plan's. The second runs each time the tasks
/// are read (``forEachTask(_:)``): trial by trial, each task's key, inputs and hash (SHA-256 fed once per
/// configuration, only the inputs and seed per task) and its cache state. Nothing of a trial outlives its tasks.
///
/// A plan the stream cannot make trial by trial (listed trials: include/exclude; repeated values; stages over all
/// trials or reading a select's choice; trials told apart by `trial.index`; `--only`/`--trial`) is built in full
/// (``plan``) and read from memory; the text and JSON are the same either way.
public struct PlanStream: @unchecked Sendable {
  // @unchecked Sendable: reading the tasks reads the memo, caches and store view the check pass left, and writes
  // nothing shared; the stream is read by one thread at a time.

  /// The format version of the plan (``Plan/currentFormatVersion``).
  public var formatVersion: Int { Plan.currentFormatVersion }
  /// Which spec the plan was made from.
  public let spec: SpecIdentity
  /// The backend every task runs on.
  public let backend: String
  /// The root seed, after overrides.
  public let rootSeed: Int
  /// The `--set` overrides applied, as given.
  public let overrides: [String]
  /// The trial count and its statement.
  public let count: TrialCount
  /// The plan, when it was built in full.
  public let plan: Plan?
  let trials: Trials?

  /// A stream that reads a plan built in full.
  public init(plan: Plan) {
    self.plan = plan
    self.trials = nil
    spec = plan.spec
    backend = plan.backend
    rootSeed = plan.rootSeed
    overrides = plan.overrides
    count = plan.count
  }

  init(
    lazy trials: Trials, spec: SpecIdentity, backend: String, rootSeed: Int, overrides: [String], count: TrialCount
  ) {
    self.plan = nil
    self.trials = trials
    self.spec = spec
    self.backend = backend
    self.rootSeed = rootSeed
    self.overrides = overrides
    self.count = count
  }

  /// What the second pass reads.
  final class Trials {
    let builder: PlanBuilder
    let memo: TrialMemo
    let source: TrialSource
    let store: StoreView?
    /// Each trial's stages as the memo holds them (name and kind, in run order), from the first trial; found when
    /// first asked for (`sprout lint` never reads the tasks).
    lazy var stages: [(name: String, kind: String)] = {
      let first = source.count > 0 ? memo.entries(for: memo.signature(of: source.trial(at: 0))) : nil
      return (first ?? []).map { ($0.stage, $0.kind) }
    }()

    init(builder: PlanBuilder, memo: TrialMemo, source: TrialSource, store: StoreView?) {
      self.builder = builder
      self.memo = memo
      self.source = source
      self.store = store
    }
  }

  /// The number of trials.
  public var trialCount: Int { plan?.trials.count ?? trials?.source.count ?? 0 }

  /// The number of tasks.
  public var taskCount: Int { plan?.tasks.count ?? (trials.map { $0.source.count * $0.stages.count } ?? 0) }

  /// Calls `body` with every task in run order (its state decided) and its trial; `serial` names the memo entry the
  /// task was made from (tasks with one serial share configuration and source), nil when read from a full plan.
  func forEachTask(_ body: (PlanTask, Trial?, _ serial: Int?) -> Void) {
    if let plan {
      plan.forEachTask { body($0, $1, nil) }
      return
    }
    guard let t = trials else { return }
    let builder = t.builder
    let fresh = t.store == nil && !builder.options.force
    var hashes: [TaskKey: String] = [:]
    // The last signature and its entries (neighbouring trials often share them; see PlanBuilder.check).
    var last: (signature: [JSONValue?], entries: [TrialMemo.Entry])?
    for position in 0..<t.source.count {
      let trial = t.source.trial(at: t.source.expansion.runIndex(at: position))
      let signature = t.memo.signature(of: trial)
      guard let known = last?.signature == signature ? last?.entries : t.memo.entries(for: signature) else {
        preconditionFailure("every trial's signature was planned by the check pass")
      }
      last = (signature, known)
      // The trial's hashes, for the inputs of a task the store has a record of.
      var own: [TaskKey: String] = [:]
      builder.emit(known, trial: trial, hashes: &hashes, keepHashes: false) { task, serial in
        if fresh {
          task.reason = "never run"
        } else {
          CacheState.set(&task, store: t.store, force: builder.options.force, backend: builder.backend) { own[$0] }
          own[task.key] = task.hash
        }
        body(task, trial, serial)
      }
    }
  }

  /// Calls `body` with every task in run order, its state decided.
  public func forEachTask(_ body: (PlanTask) -> Void) { forEachTask { task, _, _ in body(task) } }

  /// Calls `body` with every trial in index order.
  public func forEachTrial(_ body: (Trial) -> Void) {
    if let plan {
      plan.trials.forEach(body)
    } else if let t = trials {
      for i in 0..<t.source.count { body(t.source.trial(at: i)) }
    }
  }

  /// How many tasks have each state. Without a store (and without `--force`) every task is new; otherwise the
  /// tasks are made once to count them.
  public var stateCounts: (cached: Int, stale: Int, new: Int) {
    if let plan { return plan.stateCounts }
    guard let t = trials else { return (0, 0, 0) }
    if t.store == nil && !t.builder.options.force { return (0, 0, taskCount) }
    var c = (cached: 0, stale: 0, new: 0)
    forEachTask { task in
      switch task.state {
      case .cached: c.cached += 1
      case .stale: c.stale += 1
      case .new: c.new += 1
      }
    }
    return c
  }

  /// The widths of the text's key and kind columns, in characters: from the stages, since every trial id has the
  /// same length and every trial a task of every stage.
  var columnWidths: (key: Int, kind: Int) {
    if let plan { return plan.columnWidths }
    guard let t = trials, t.source.count > 0 else { return (0, 0) }
    let id = 1 + t.source.idWidth
    return (
      t.stages.map { id + 1 + PlanText.characters($0.name) }.max() ?? 0,
      t.stages.map { PlanText.characters($0.kind) }.max() ?? 0
    )
  }
}
