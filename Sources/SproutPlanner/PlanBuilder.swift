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
  /// What the spec's expressions read (found when the graph was built).
  let reads: ExpressionReads
  /// Definitions no trial value reaches, asked by key path (`models.net`): resolved once per plan.
  let invariant: InvariantDefinitions
  /// Which stages read which select stages' choices, and the rounds tasks are planned in.
  let selection: SelectionPlan
  /// Work shared across trials.
  let caches = PlanCaches()
  /// Problems found per trial, merged across trials (one diagnostic per distinct problem).
  var findings = TrialFindings()
  /// Whether trials that read the same values share their tasks' work (``TrialMemo``); off only in tests that
  /// check the memo changes nothing.
  var memoize = true

  init(graph: ExperimentGraph, options: PlanOptions) {
    self.graph = graph
    self.options = options
    self.spec = graph.spec
    self.backend = options.backend ?? graph.spec.backend?.rawValue ?? "cpu"
    var params: [String: Value] = [:]
    for p in graph.spec.params { params[p.name] = p.value }
    self.params = params
    self.perTrialChecks = Set(graph.stageOrder.filter { graph.needsPerTrialChecks($0) })
    self.baseDirectory = GraphBuilder.baseDirectory(of: graph.spec.file)
    let reads = graph.expressionReads
    self.reads = reads
    self.invariant = InvariantDefinitions(graph.spec, reads: reads)
    self.selection = SelectionPlan(graph: graph)
  }

  func expand(diagnostics: inout Diagnostics) -> MatrixExpansion {
    MatrixExpansion.expand(
      spec.matrix.map(SweepDefinition.init), rootSeed: spec.seed, limit: options.maxTrials,
      diagnostics: &diagnostics)
  }

  var specIdentity: SpecIdentity {
    SpecIdentity(
      path: options.specPath.isEmpty ? spec.file : options.specPath,
      textHash: options.specText.isEmpty || options.checkOnly ? "" : SHA256.hash(options.specText).hex,
      name: spec.name ?? "")
  }

  mutating func build(store: StoreView?, diagnostics: inout Diagnostics) -> Plan {
    build(expansion: expand(diagnostics: &diagnostics), store: store, diagnostics: &diagnostics)
  }

  /// The plan as a stream (``PlanStream``): checked in full now, its tasks made when read. A plan the stream cannot
  /// make without holding every trial (listed trials, repeats, stages over all trials or reading a select's choice,
  /// trials the spec tells apart by index, `--only`/`--trial`) is built in full and read from memory.
  mutating func stream(store: StoreView?, diagnostics: inout Diagnostics) -> PlanStream {
    let expansion = expand(diagnostics: &diagnostics)
    let memo = TrialMemo(reads: reads, enabled: memoize)
    let rounds = selection.rounds
    guard !expansion.refused, expansion.formsByIndex, expansion.distinct, memo.enabled, rounds.count == 1,
      rounds[0].across.isEmpty, options.onlyStages.isEmpty, options.onlyTrials.isEmpty
    else {
      return PlanStream(plan: build(expansion: expansion, store: store, diagnostics: &diagnostics))
    }
    let source = TrialSource(expansion: expansion, rootSeed: spec.seed)
    if expansion.mayHaveNonIntegerSeed {
      // The first trial (index order) with one, as listing the trials reports it.
      for i in 0..<source.count {
        if let v = expansion.assignment(at: i).first(where: { $0.axis == "seed" })?.value, v.intValue == nil {
          reportBadSeed(v, diagnostics: &diagnostics)
          break
        }
      }
    }
    check(
      memo: memo, trials: source.count, runIndex: expansion.runIndex(at:), assignment: expansion.assignment(at:)
    ) { source.trial(at: $0) }
    findings.report(to: &diagnostics)
    return PlanStream(
      lazy: PlanStream.Trials(builder: self, memo: memo, source: source, store: store), spec: specIdentity,
      backend: backend, rootSeed: spec.seed, overrides: options.overrides, count: expansion.count)
  }

  mutating func build(expansion: MatrixExpansion, store: StoreView?, diagnostics: inout Diagnostics) -> Plan {
    if expansion.refused {
      // Nothing to resolve: the refusal (with the count) is the one thing to say.
      return Plan(
        spec: SpecIdentity(path: options.specPath.isEmpty ? spec.file : options.specPath, textHash: "",
          name: spec.name ?? ""),
        backend: backend, rootSeed: spec.seed, overrides: options.overrides, count: expansion.count, trials: [],
        tasks: [])
    }
    let trials = makeTrials(expansion, diagnostics: &diagnostics)
    if !expansion.distinct { reportDuplicates(trials, diagnostics: &diagnostics) }

    var tasks: [PlanTask] = []
    var hashes: [TaskKey: String] = [:]
    let rounds = selection.rounds
    let memo = TrialMemo(reads: reads, enabled: memoize)
    if rounds.count == 1 && memo.enabled {
      // No stage reads a select's choice: trials that agree on everything the spec reads of them share their
      // tasks (TrialMemo), each keeping its own key, seed and hash. Checked first (every finding), then the tasks
      // made: the same two passes a streamed plan makes (``PlanStream``).
      let acrossStages = rounds[0].across
      tasks.reserveCapacity(trials.count * rounds[0].perTrial.count + acrossStages.count)
      check(
        memo: memo, trials: trials.count, runIndex: expansion.runIndex(at:), assignment: { trials[$0].assignment }
      ) { trials[$0] }
      for position in 0..<trials.count {
        let trial = trials[expansion.runIndex(at: position)]
        guard let known = memo.entries(for: memo.signature(of: trial)) else {
          preconditionFailure("every trial's signature was planned by the check pass")
        }
        emit(known, trial: trial, hashes: &hashes, keepHashes: !acrossStages.isEmpty) { task, _ in tasks.append(task) }
      }
      for stage in acrossStages {
        var context = TrialContext(builder: self, caches: caches, trial: nil)
        let task = context.task(for: stage, hashes: hashes, findings: &findings, trials: trials)
        hashes[task.key] = task.hash
        tasks.append(task)
      }
    } else if rounds.count == 1 {
      // Every trial distinct to the spec's expressions (it reads `trial.index` or `trial.id`): each does the work.
      let perTrialStages = rounds[0].perTrial
      let acrossStages = rounds[0].across
      tasks.reserveCapacity(trials.count * perTrialStages.count + acrossStages.count)
      for index in expansion.runOrder {
        var context = TrialContext(builder: self, caches: caches, trial: trials[index])
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
    } else {
      // Stages read select choices: rounds, each trial's context kept for its later rounds (no sharing).
      var gates: [TaskKey: [TaskGate]] = [:]
      tasks.reserveCapacity(trials.count * graph.stageOrder.count)
      var kept: [Int: TrialContext] = [:]
      for (r, round) in rounds.enumerated() {
        for index in expansion.runOrder where !round.perTrial.isEmpty {
          let trial = trials[index]
          var context = kept[index] ?? TrialContext(builder: self, caches: caches, trial: trial)
          for stage in round.perTrial {
            let task = context.task(for: stage, hashes: hashes, findings: &findings, gates: gates)
            hashes[task.key] = task.hash
            if let g = task.gates { gates[task.key] = g }
            tasks.append(task)
          }
          if r + 1 < rounds.count { kept[index] = context }
        }
        for stage in round.across {
          var context = TrialContext(builder: self, caches: caches, trial: nil)
          let task = context.task(for: stage, hashes: hashes, findings: &findings, trials: trials, gates: gates)
          hashes[task.key] = task.hash
          tasks.append(task)
        }
      }
    }
    findings.report(to: &diagnostics)
    tasks = select(tasks, trials: trials, diagnostics: &diagnostics)

    var plan = Plan(
      spec: specIdentity, backend: backend, rootSeed: spec.seed, overrides: options.overrides, count: expansion.count,
      trials: trials,
      tasks: [])
    // Moved, not copied: with a second reference, assigning cache states would copy every task.
    swap(&plan.tasks, &tasks)
    CacheState.assign(&plan, store: store, force: options.force)
    return plan
  }

  /// The check pass of a plan whose trials share tasks (``TrialMemo``): in run order, the first trial of each
  /// signature resolves, lowers, checks and digests its tasks (remembered in `memo`); every later one reports
  /// what the first found again under its own label. After it, every finding of the plan is known and every
  /// trial's tasks can be made from the memo (``emit(_:trial:hashes:keepHashes:_:)``) in any order, as often as
  /// wanted: nothing of a trial is kept.
  mutating func check(
    memo: TrialMemo, trials count: Int, runIndex: (Int) -> Int, assignment: (Int) -> [AxisValue],
    trial makeTrial: (Int) -> Trial
  ) {
    // The last signature met and its entries: neighbouring trials often differ only in axes no expression reads
    // (a seed axis, the fastest), and comparing two signatures costs less than hashing one.
    var last: (signature: [JSONValue?], entries: [TrialMemo.Entry])?
    for position in 0..<count {
      let index = runIndex(position)
      // Without `trial.seed` in the signature, a trial whose tasks are known and found nothing is not even made.
      var made: Trial? = memo.readsSeed ? makeTrial(index) : nil
      let signature = made.map(memo.signature(of:)) ?? memo.signature(assignment(index), seed: 0)
      if let known = last?.signature == signature ? last?.entries : memo.entries(for: signature) {
        last = (signature, known)
        var label: String?
        for e in known.indices where !known[e].findings.isEmpty {
          if made == nil { made = makeTrial(index) }
          guard let trial = made else { continue }
          if label == nil { label = trial.assignment.isEmpty ? trial.id : "\(trial.id) (\(trial.assignmentText))" }
          for d in known[e].findings { findings.add(d, trial: label) }
        }
        continue
      }
      let trial = made ?? makeTrial(index)
      var context = TrialContext(builder: self, caches: caches, trial: trial)
      // The trial's own hashes, for its later stages' inputs (the tasks themselves are made by `emit`).
      var own: [TaskKey: String] = [:]
      var entries: [TrialMemo.Entry] = []
      for stage in selection.rounds[0].perTrial {
        findings.recorded = []
        let task = context.task(for: stage, hashes: own, findings: &findings)
        own[task.key] = task.hash
        entries.append(
          TrialMemo.Entry(
            stage: task.key.stage, kind: task.kind, config: task.config, digest: context.digests[stage] ?? "",
            prefix: options.checkOnly
              ? nil : TaskHasher.Prefix(configDigest: context.digests[stage] ?? "", backend: backend),
            upstream: task.inputs.map { ($0.stage, $0.trial == TaskKey.allTrials) }, span: task.span,
            findings: findings.recorded ?? []))
      }
      findings.recorded = nil
      memo.remember(entries, for: signature)
    }
  }

  /// Makes a trial's tasks from the entries of its signature (``TrialMemo``): only keys, seeds and hashes are the
  /// trial's own. Reads nothing but `known` and `hashes` (the plan-wide table, written when `keepHashes`).
  func emit(
    _ known: [TrialMemo.Entry], trial: Trial, hashes: inout [TaskKey: String], keepHashes: Bool,
    _ body: (inout PlanTask, _ serial: Int) -> Void
  ) {
    // This trial's hashes so far, by entry: its tasks read only earlier stages of the same trial, so the plan-wide
    // table is needed only by tasks over all trials (`keepHashes`).
    var own: [String] = []
    own.reserveCapacity(known.count)
    // By index, not `for entry in known`: a copy of each entry (and its retains) per task was a fifth of the cost.
    for e in known.indices {
      let key = TaskKey(trial: trial.id, stage: known[e].stage)
      let inputs = known[e].upstream.map {
        TaskKey(trial: $0.acrossTrials ? TaskKey.allTrials : trial.id, stage: $0.name)
      }
      var hash = ""
      if !options.checkOnly {
        let inputHashes = inputs.map { input in
          (input.trial == trial.id ? known[..<e].firstIndex { $0.stage == input.stage }.map { own[$0] } : nil)
            ?? hashes[input] ?? ""
        }
        hash =
          known[e].prefix?.hash(inputHashes: inputHashes, seed: trial.seed)
          ?? TaskHasher.hash(
            configDigest: known[e].digest, inputHashes: inputHashes, seed: trial.seed, backend: backend)
      }
      own.append(hash)
      if keepHashes { hashes[key] = hash }
      var task = PlanTask(
        key: key, trialIndex: trial.index, kind: known[e].kind, hash: hash, inputs: inputs, config: known[e].config,
        seed: trial.seed, span: known[e].span)
      body(&task, known[e].serial)
    }
  }

  /// Trials with ids and seeds.
  func makeTrials(_ expansion: MatrixExpansion, diagnostics: inout Diagnostics) -> [Trial] {
    let source = TrialSource(expansion: expansion, rootSeed: spec.seed)
    var trials: [Trial] = []
    trials.reserveCapacity(source.count)
    var badSeedReported = false
    for i in 0..<source.count {
      let trial = source.trial(at: i)
      if !badSeedReported, let v = trial["seed"], v.intValue == nil {
        badSeedReported = true
        reportBadSeed(v, diagnostics: &diagnostics)
      }
      trials.append(trial)
    }
    return trials
  }

  func reportBadSeed(_ v: JSONValue, diagnostics: inout Diagnostics) {
    diagnostics.report(
      PlanDiagnostics.badSeed,
      "the seed axis sets each trial's seed, so its values must be integers, found \(v.canonical)",
      at: spec.matrix?.range ?? .wholeFile(spec.file), path: "matrix.seed")
  }

  func reportDuplicates(_ trials: [Trial], diagnostics: inout Diagnostics) {
    var seen: [[UInt8]: String] = [:]
    var numbers: [UInt64: [UInt8]] = [:]
    for t in trials {
      let key = Self.assignmentKey(t.assignment, numbers: &numbers)
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

  /// Bytes equal for two assignments exactly when their canonical JSON objects are: `"axis":value,` in axis order,
  /// the first value of a repeated axis winning as in the object (without building one per trial).
  /// `numbers` keeps the canonical spelling of each double met (by bit pattern), which is the costly part.
  static func assignmentKey(_ assignment: [AxisValue], numbers: inout [UInt64: [UInt8]]) -> [UInt8] {
    let sorted = assignment.indices.sorted {
      assignment[$0].axis != assignment[$1].axis ? assignment[$0].axis < assignment[$1].axis : $0 < $1
    }
    var out: [UInt8] = []
    out.reserveCapacity(16 * sorted.count)
    var previous: String?
    for i in sorted {
      let av = assignment[i]
      if av.axis == previous { continue }
      previous = av.axis
      JSONValue.writeString(av.axis, to: &out)
      out.append(UInt8(ascii: ":"))
      if case .double(let d) = av.value {
        if let known = numbers[d.bitPattern] {
          out += known
        } else {
          let text = av.value.canonicalBytes
          numbers[d.bitPattern] = text
          out += text
        }
      } else {
        av.value.write(to: &out)
      }
      out.append(UInt8(ascii: ","))
    }
    return out
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

/// The trials of an expansion, each made when asked for by its index.
struct TrialSource {
  let expansion: MatrixExpansion
  let rootSeed: Int
  let idWidth: Int
  var count: Int { expansion.trialTotal }

  init(expansion: MatrixExpansion, rootSeed: Int) {
    self.expansion = expansion
    self.rootSeed = rootSeed
    self.idWidth = Trial.idWidth(total: expansion.trialTotal)
  }

  /// Trial `i` (index order) with its id and seed.
  func trial(at i: Int) -> Trial {
    let assignment = expansion.assignment(at: i)
    // The derived seed is only needed without an integer seed axis (it costs a SHA-256 per trial).
    let axisSeed = assignment.first(where: { $0.axis == "seed" })?.value
    let seed = axisSeed?.intValue ?? TrialSeed.derive(rootSeed: rootSeed, assignment: assignment)
    return Trial(index: i, id: Trial.id(index: i, width: idWidth), assignment: assignment, seed: seed)
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
