import SproutConfig
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// The tasks of one trial: each stage lowered once into the typed configuration it executes (``TaskConfig``),
/// checked against the definitions it reads, and hashed. Model and data shapes for the checks are inferred once
/// per trial.
struct TrialContext {
  let builder: PlanBuilder
  let caches: PlanCaches
  let trial: Trial?
  let resolver: TrialResolver
  /// `t0003 (init=lowrank width=8)`, for notes.
  let label: String?
  let lowering: TrialLowering
  private var modelShapes: [ModelID: ModelShape?] = [:]
  private var dataShapes: [DatasetID: DataShape?] = [:]
  /// The configuration digest of each stage's task made so far (empty when planning checks only).
  private(set) var digests: [StageID: String] = [:]

  init(builder: PlanBuilder, caches: PlanCaches, trial: Trial?) {
    self.builder = builder
    self.caches = caches
    self.trial = trial
    var matrix: [String: Value] = [:]
    for av in trial?.assignment ?? [] { matrix[av.axis] = av.value.specValue }
    let info = TrialInfo(
      index: trial?.index ?? 0, seed: trial?.seed ?? builder.spec.seed, id: trial?.id ?? TaskKey.allTrials)
    resolver = TrialResolver(
      env: ExpressionEnvironment(
        params: builder.params, matrix: matrix, trial: info, select: builder.selection.environment(for: trial)))
    label = trial.map { $0.assignment.isEmpty ? $0.id : "\($0.id) (\($0.assignmentText))" }
    lowering = TrialLowering(builder: builder, caches: caches, resolver: resolver, label: label)
  }

  /// The task of `stage` in this trial (or, with `trials`, the task over all of them).
  mutating func task(
    for stageID: StageID, hashes: [TaskKey: String], findings: inout TrialFindings, trials: [Trial] = [],
    gates planned: [TaskKey: [TaskGate]] = [:]
  ) -> PlanTask {
    let spec = builder.spec
    guard let def = builder.graph.stages[stageID]?.definition else { preconditionFailure("\(stageID) is not a stage") }
    let key = TaskKey(trial: trial?.id ?? TaskKey.allTrials, stage: stageID.name)
    let seed = trial?.seed ?? spec.seed
    if trial != nil, let fixed = caches.fixedTasks[stageID] {
      for d in fixed.checkFindings { findings.add(d, trial: label) }
      lowering.stages[stageID] = .some(fixed.config)
      digests[stageID] = fixed.digest
      // A fixed stage reads no task over all trials (that would make it not fixed): only its own trial's.
      let inputs = fixed.upstream.map { TaskKey(trial: key.trial, stage: $0.name) }
      return PlanTask(
        key: key, trialIndex: trial?.index, kind: def.kind.rawValue,
        hash: hash(digest: fixed.digest, inputs: inputs, hashes: hashes, seed: seed), inputs: inputs,
        config: fixed.config, seed: seed, span: SourceSpan(def.nameRange))
    }
    let binding = StageBinding.of(def, in: spec, resolve: resolver.checkResolver)
    var fixed = trial != nil && builder.invariant.contains(.stage(stageID))
    if let m = binding.model { fixed = fixed && builder.invariant.contains(.model(m)) }
    if let i = binding.initializer, let initDef = spec.initializer(i) {
      fixed = fixed && builder.invariant.contains(.initializer(i))
      for rule in [initDef.rule] + initDef.layerRules.map(\.rule) {
        if let ref = resolver.checkResolver.string(rule["data"]).flatMap({ DataReference(parsing: $0) }) {
          fixed = fixed && builder.invariant.contains(.dataset(ref.dataset))
        }
      }
    }
    if let ref = binding.data { fixed = fixed && builder.invariant.contains(.dataset(ref.dataset)) }

    // Inputs: the stages read in this trial (or every trial's task of them, for a task over all trials).
    var inputs: [TaskKey] = []
    var upstream: [StageID] = []
    for up in builder.graph.upstreamStages(of: stageID) where isUsed(up, binding: binding, spec: spec) {
      upstream.append(up)
      if builder.graph.stages[up]?.acrossTrials ?? false {
        inputs.append(TaskKey(trial: TaskKey.allTrials, stage: up.name))
        fixed = false
      } else if trial == nil {
        inputs += trials.map { TaskKey(trial: $0.id, stage: up.name) }
      } else {
        inputs.append(TaskKey(trial: key.trial, stage: up.name))
        fixed = fixed && caches.fixedTasks[up] != nil
      }
    }

    var (config, loweringFindings) = lower(def, stageID: stageID, findings: &findings)
    if trial == nil, var c = config, case .select(var s) = c.kind {
      let ok = builder.selection.complete(
        &s, def: def, trials: trials, axisNames: spec.matrix?.axisNames ?? [], findings: &findings)
      c.kind = .select(s)
      config = ok ? c : nil
    }
    lowering.stages[stageID] = .some(config)
    if let config, caches.firstConfigs[stageID] == nil { caches.firstConfigs[stageID] = config }
    let gates = self.gates(def, binding: binding, inputs: &inputs, planned: planned, findings: &findings)
    if gates != nil { fixed = false }
    let checkOnly = builder.options.checkOnly

    var checkFindings: [Diagnostic] = []
    if builder.perTrialChecks.contains(stageID) {
      if trial == nil || (fixed && checkOnly) {
        // Checked once: a task over all trials, or a fixed stage whose findings later trials replay.
        checkFindings = check(def, binding: binding, findings: &findings)
      } else {
        let cacheKey: [TaskConfig?] = [config] + inputs.map { lowering.stages[StageID($0.stage)] ?? nil }
        if let known = caches.stageChecks[cacheKey] {
          for d in known { findings.add(d, trial: label) }
          checkFindings = known
        } else {
          checkFindings = check(def, binding: binding, findings: &findings)
          caches.stageChecks[cacheKey] = checkFindings
        }
      }
    }

    let digest = checkOnly ? "" : config.map(digest(of:)) ?? ""
    digests[stageID] = digest
    if fixed {
      caches.fixedTasks[stageID] = FixedTask(
        config: config, digest: digest, upstream: upstream, checkFindings: loweringFindings + checkFindings)
    }
    let selects = Set(gates?.map(\.select) ?? [])
    return PlanTask(
      key: key, trialIndex: trial?.index, kind: def.kind.rawValue,
      hash: hash(digest: digest, inputs: inputs.filter { !selects.contains($0) }, hashes: hashes, seed: seed),
      inputs: inputs, config: config, seed: seed, span: SourceSpan(def.nameRange), gates: gates)
  }

  /// The stage's definition resolved for this trial and lowered; nil when something did not resolve or lower
  /// (reported to `findings`). Also returns the problems found for this trial alone (not those of definitions
  /// lowered once for the whole plan), which a fixed stage's later trials replay.
  private mutating func lower(
    _ def: StageDef, stageID: StageID, findings: inout TrialFindings
  ) -> (TaskConfig?, [Diagnostic]) {
    let path = "stages.\(stageID.name)"
    let invariant = builder.invariant.contains(.stage(stageID))
    var config: TaskConfig?
    if let instance = lowering.resolve(instance: def.definition, path: path, invariant: invariant) {
      do {
        guard case .stage(let stage) = try Lowerer.lower(instance, path: path, context: lowering) else {
          preconditionFailure("a stage instance lowers to a stage")
        }
        config = TaskConfig(stage: stageID.name, kind: stage)
      } catch let e as LoweringError {
        // A stage's own problem is the same in every trial that reaches it; TrialFindings merges them.
        if let d = e.diagnostic { findings.add(d, trial: label) }
        if let d = e.diagnostic { return (nil, [d] + report(lowering.drain(), to: &findings)) }
      } catch {
        preconditionFailure("lowering throws LoweringError only, got \(error)")
      }
    }
    return (config, report(lowering.drain(), to: &findings))
  }

  /// Adds problems to `findings`; returns those that belong to this trial alone.
  private func report(_ problems: [(Diagnostic, String?)], to findings: inout TrialFindings) -> [Diagnostic] {
    var own: [Diagnostic] = []
    for (d, trial) in problems {
      findings.add(d, trial: trial)
      if trial != nil { own.append(d) }
    }
    return own
  }

  /// SHA-256 (hex) of a configuration's canonical encoding, once per distinct configuration.
  private func digest(of config: TaskConfig) -> String {
    if let known = caches.digests[config] { return known }
    let bytes: [UInt8]
    do { bytes = try CanonicalEncoder().encode(config) } catch {
      preconditionFailure("a task configuration always encodes: \(error)")
    }
    let digest = SHA256.hash(bytes).hex
    caches.digests[config] = digest
    return digest
  }

  /// The task's content hash, or "" when planning checks only.
  private func hash(digest: String, inputs: [TaskKey], hashes: [TaskKey: String], seed: Int) -> String {
    guard !builder.options.checkOnly else { return "" }
    return TaskHasher.hash(
      configDigest: digest, inputHashes: inputs.map { hashes[$0] ?? "" }, seed: seed, backend: builder.backend)
  }

  /// Whether an upstream stage is read in this trial: a from_stage initializer's stage counts only when the
  /// trial's `init` is that initializer.
  private func isUsed(_ up: StageID, binding: StageBinding, spec: Spec) -> Bool {
    if binding.upstream.contains(up) { return true }
    guard let i = binding.initializer, let initDef = spec.initializer(i) else { return false }
    return ([initDef.rule] + initDef.layerRules.map(\.rule)).contains { rule in
      Self.fromStageNames(rule, resolve: resolver.checkResolver).contains(up.name)
    }
  }

  /// The stages a rule copies from: its own `from_stage`, or one nested as a `base` or `fallback`.
  static func fromStageNames(_ rule: Instance, resolve: ValueResolver) -> [String] {
    var names: [String] = []
    if rule.kind == "from_stage", let s = resolve.string(rule["stage"]) { names.append(s) }
    for key in ["base", "fallback"] {
      if case .instance(let inner)? = rule[key] { names += fromStageNames(inner, resolve: resolve) }
    }
    return names
  }

  // MARK: - Per-trial checks

  /// The graph's stage checks with this trial's values; returns what it found (also added to `findings`).
  @discardableResult
  private mutating func check(_ def: StageDef, binding: StageBinding, findings: inout TrialFindings) -> [Diagnostic] {
    let spec = builder.spec
    let resolve = resolver.checkResolver
    var problems: [CheckProblem] = []
    var dataProblems: [DataShapeProblem] = []
    if let m = binding.model, modelShapes[m] == nil, let modelDef = spec.model(m) {
      if !modelDef.hasExpressions {
        modelShapes[m] = builder.graph.models[m]?.shape
      } else if let lowered = lowering.loweredModel(m.name) {
        // The model as this trial's stage lowering made it: its layers are not lowered a second time.
        modelShapes[m] = ModelShape.infer(modelDef, lowered: lowered, resolve: resolve, problems: &problems)
      } else {
        modelShapes[m] = ModelShape.infer(modelDef, resolve: resolve, problems: &problems)
      }
    }
    var referenced: [DatasetID] = binding.data.map { [$0.dataset] } ?? []
    if let i = binding.initializer, let initDef = spec.initializer(i) {
      referenced += ([initDef.rule] + initDef.layerRules.map(\.rule)).compactMap {
        resolve.string($0["data"]).flatMap { DataReference(parsing: $0) }?.dataset
      }
    }
    for d in referenced where dataShapes[d] == nil {
      guard let dataDef = spec.dataset(d) else { continue }
      dataShapes[d] =
        dataDef.definition.holdsExpression
        ? DataShape.of(
          dataDef, resolve: resolve, baseDirectory: builder.baseDirectory, files: builder.graph.dataFiles,
          problems: &dataProblems)
        : builder.graph.datasets[d]?.shape
    }
    let modelShapes = self.modelShapes
    let dataShapes = self.dataShapes
    let graph = builder.graph
    let checker = StageChecker(
      spec: spec, resolve: resolve,
      modelShape: { id in modelShapes[id] ?? graph.models[id]?.shape },
      dataShape: { id in dataShapes[id] ?? graph.datasets[id]?.shape })
    problems += checker.check(def, binding: binding)
    let found =
      dataProblems.map { Diagnostic($0.id, $0.message, at: $0.range, path: $0.path, help: $0.help) }
      + problems.map { $0.diagnostic() }
    for d in found { findings.add(d, trial: label) }
    return found
  }
}
