import Foundation
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// One planning run: trials, then tasks in run order, then cache states. See ``Planner``.
struct PlanBuilder {
  let graph: ExperimentGraph
  let options: PlanOptions
  let spec: Spec
  let backend: String
  let params: [String: Value]
  /// Stages whose checks the graph left to the planner, because they involve expressions.
  let perTrialChecks: Set<StageID>
  /// The spec's directory, for relative data paths.
  let baseDirectory: String
  /// Key paths (`models.net`) of definitions no trial value reaches: resolved once per plan.
  let invariant: Set<String>
  /// Work shared across trials.
  let caches = PlanCaches()
  /// Problems found per trial, merged across trials (one diagnostic per distinct problem).
  var findings = TrialFindings()

  init(graph: ExperimentGraph, options: PlanOptions) {
    self.graph = graph
    self.options = options
    self.spec = graph.spec
    self.backend = options.backend ?? graph.spec.backend?.rawValue ?? "cpu"
    var params: [String: Value] = [:]
    for p in graph.spec.params { params[p.name] = p.value }
    self.params = params
    self.perTrialChecks = Set(graph.stageOrder.filter { graph.needsPerTrialChecks($0) })
    let base = (graph.spec.file as NSString).deletingLastPathComponent
    self.baseDirectory = base.isEmpty ? FileManager.default.currentDirectoryPath : base
    let spec = graph.spec
    var invariant: Set<String> = []
    for d in spec.stages where PlanCaches.isTrialInvariant(.instance(d.definition)) {
      invariant.insert("stages.\(d.id.name)")
    }
    for d in spec.datasets where PlanCaches.isTrialInvariant(.instance(d.definition)) {
      invariant.insert("datasets.\(d.id.name)")
    }
    for d in spec.models
    where PlanCaches.isTrialInvariant(d.input) && d.layers.allSatisfy({ PlanCaches.isTrialInvariant(.instance($0)) }) {
      invariant.insert("models.\(d.id.name)")
    }
    for d in spec.initializers
    where ([d.rule, d.bias] + d.layerRules.map(\.rule)).allSatisfy({ PlanCaches.isTrialInvariant(.instance($0)) }) {
      invariant.insert("initializers.\(d.id.name)")
    }
    self.invariant = invariant
  }

  mutating func build(store: StoreView?, diagnostics: inout Diagnostics) -> Plan {
    let expansion = MatrixExpansion.expand(
      spec.matrix.map(SweepDefinition.init), rootSeed: spec.seed, limit: options.maxTrials,
      diagnostics: &diagnostics)
    if expansion.refused {
      // Nothing to resolve: the refusal (with the count) is the one thing to say.
      return Plan(
        spec: SpecIdentity(path: options.specPath.isEmpty ? spec.file : options.specPath, textHash: "",
          name: spec.name ?? ""),
        backend: backend, rootSeed: spec.seed, overrides: options.overrides, count: expansion.count, trials: [],
        tasks: [])
    }
    let trials = makeTrials(expansion, diagnostics: &diagnostics)
    reportDuplicates(trials, diagnostics: &diagnostics)

    var tasks: [PlanTask] = []
    var hashes: [TaskKey: String] = [:]
    let perTrialStages = graph.stageOrder.filter { !(graph.stages[$0]?.acrossTrials ?? false) }
    let acrossStages = graph.stageOrder.filter { graph.stages[$0]?.acrossTrials ?? false }
    tasks.reserveCapacity(trials.count * perTrialStages.count + acrossStages.count)
    for index in expansion.runOrder {
      let trial = trials[index]
      var context = TrialContext(builder: self, caches: caches, trial: trial)
      for stage in perTrialStages {
        let task = context.task(for: stage, hashes: hashes, findings: &findings)
        hashes[task.key] = task.hash
        tasks.append(task)
      }
    }
    for stage in acrossStages {
      var context = TrialContext(builder: self, caches: caches, trial: nil)
      let task = context.task(for: stage, hashes: hashes, findings: &findings, trials: trials)
      hashes[task.key] = task.hash
      tasks.append(task)
    }
    findings.report(to: &diagnostics)
    tasks = select(tasks, trials: trials, diagnostics: &diagnostics)

    var plan = Plan(
      spec: SpecIdentity(
        path: options.specPath.isEmpty ? spec.file : options.specPath,
        textHash: options.specText.isEmpty || options.checkOnly ? "" : SHA256.hash(options.specText).hex, name: spec.name ?? ""),
      backend: backend, rootSeed: spec.seed, overrides: options.overrides, count: expansion.count, trials: trials,
      tasks: tasks)
    CacheState.assign(&plan, store: store, force: options.force)
    return plan
  }

  /// Trials with ids and seeds.
  func makeTrials(_ expansion: MatrixExpansion, diagnostics: inout Diagnostics) -> [Trial] {
    let total = expansion.assignments.count
    var trials: [Trial] = []
    trials.reserveCapacity(total)
    var badSeedReported = false
    for (i, assignment) in expansion.assignments.enumerated() {
      var seed = TrialSeed.derive(rootSeed: spec.seed, assignment: assignment)
      if let v = assignment.first(where: { $0.axis == "seed" })?.value {
        if let s = v.intValue {
          seed = s
        } else if !badSeedReported {
          badSeedReported = true
          diagnostics.report(
            PlanDiagnostics.badSeed,
            "the seed axis sets each trial's seed, so its values must be integers, found \(v.canonical)",
            at: spec.matrix?.range ?? .wholeFile(spec.file), path: "matrix.seed")
        }
      }
      trials.append(Trial(index: i, id: Trial.id(index: i, total: total), assignment: assignment, seed: seed))
    }
    return trials
  }

  func reportDuplicates(_ trials: [Trial], diagnostics: inout Diagnostics) {
    var seen: [String: String] = [:]
    for t in trials {
      let key = JSONValue.object(Dictionary(t.assignment.map { ($0.axis, $0.value) }, uniquingKeysWith: { a, _ in a }))
        .canonical
      if let first = seen[key] {
        diagnostics.report(
          PlanDiagnostics.duplicateTrial, "trials \(first) and \(t.id) have the same assignment (\(t.assignmentText))",
          at: spec.matrix?.range ?? .wholeFile(spec.file), path: "matrix",
          help: "remove the repeated values from the matrix")
      } else {
        seen[key] = t.id
      }
    }
  }

  /// Applies `--only` and `--trial`: the selected tasks and, transitively, every task they read.
  func select(_ tasks: [PlanTask], trials: [Trial], diagnostics: inout Diagnostics) -> [PlanTask] {
    guard !options.onlyStages.isEmpty || !options.onlyTrials.isEmpty else { return tasks }
    let stageNames = Set(spec.stages.map(\.id.name))
    for s in options.onlyStages where !stageNames.contains(s) {
      diagnostics.report(
        PlanDiagnostics.unknownSelection, "the spec has no stage '\(s)'", at: .wholeFile(Overrides.file),
        path: "stages",
        help: MatrixExpansion.suggestion(s, among: spec.stages.map(\.id.name)))
    }
    var trialIDs: Set<String> = []
    for t in options.onlyTrials {
      if let i = Int(t), trials.indices.contains(i) {
        trialIDs.insert(trials[i].id)
      } else if trials.contains(where: { $0.id == t }) {
        trialIDs.insert(t)
      } else {
        diagnostics.report(
          PlanDiagnostics.unknownSelection, "there is no trial '\(t)' (the plan has \(trials.count))",
          at: .wholeFile(Overrides.file), path: "matrix")
      }
    }
    var keep: Set<TaskKey> = []
    for task in tasks {
      let stageOK = options.onlyStages.isEmpty || options.onlyStages.contains(task.stage)
      let trialOK =
        options.onlyTrials.isEmpty || trialIDs.contains(task.key.trial) || task.key.trial == TaskKey.allTrials
      if stageOK && trialOK { keep.insert(task.key) }
    }
    let byKey = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0) })
    var frontier = Array(keep)
    while let k = frontier.popLast() {
      for input in byKey[k]?.inputs ?? [] where keep.insert(input).inserted { frontier.append(input) }
    }
    return tasks.filter { keep.contains($0.key) }
  }
}

/// How a trial's seed is chosen when the matrix has no `seed` axis.
public enum TrialSeed {
  /// The root seed for a trial without axes (a spec without a matrix); otherwise the first 4 bytes (big-endian)
  /// of SHA-256 over `sprout-trial-seed`, the root seed and the canonical JSON of the assignment.
  ///
  /// The seed depends on the trial's values, not its index, so adding a value to an axis does not change the
  /// seeds (and hence the cached results) of the trials that were already there.
  public static func derive(rootSeed: Int, assignment: [AxisValue]) -> Int {
    guard !assignment.isEmpty else { return rootSeed }
    var object: [String: JSONValue] = [:]
    for av in assignment { object[av.axis] = av.value }
    let digest = SHA256.hash("sprout-trial-seed\n\(rootSeed)\n" + JSONValue.object(object).canonical).bytes
    return Int(digest[0]) << 24 | Int(digest[1]) << 16 | Int(digest[2]) << 8 | Int(digest[3])
  }
}
