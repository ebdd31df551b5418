import SproutDiagnostics
import SproutGraph
import SproutSpec

/// The resolution of one trial's definitions, shared by the trial's tasks: each definition is resolved and
/// turned into canonical JSON once per trial (once per plan when no trial value reaches it), and model and
/// data shapes are inferred once per trial for the checks.
struct TrialContext {
  let builder: PlanBuilder
  let caches: PlanCaches
  let trial: Trial?
  let resolver: TrialResolver
  /// `t0003 (init=lowrank width=8)`, for notes.
  let label: String?
  private var parts: [String: Part] = [:]
  /// Each task's definition in this trial, by stage (its dependents' check-cache keys include its bytes).
  private var definitions: [StageID: TaskDefinition] = [:]
  private var modelShapes: [ModelID: ModelShape?] = [:]
  private var dataShapes: [DatasetID: DataShape?] = [:]

  init(builder: PlanBuilder, caches: PlanCaches, trial: Trial?) {
    self.builder = builder
    self.caches = caches
    self.trial = trial
    var matrix: [String: Value] = [:]
    for av in trial?.assignment ?? [] { matrix[av.axis] = av.value.specValue }
    let info = TrialInfo(
      index: trial?.index ?? 0, seed: trial?.seed ?? builder.spec.seed, id: trial?.id ?? TaskKey.allTrials)
    resolver = TrialResolver(env: ExpressionEnvironment(params: builder.params, matrix: matrix, trial: info))
    label = trial.map { $0.assignment.isEmpty ? $0.id : "\($0.id) (\($0.assignmentText))" }
  }

  /// The task of `stage` in this trial (or, with `trials`, the task over all of them).
  mutating func task(
    for stageID: StageID, hashes: [TaskKey: String], findings: inout TrialFindings, trials: [Trial] = []
  ) -> PlanTask {
    let spec = builder.spec
    guard let def = builder.graph.stages[stageID]?.definition else { preconditionFailure("\(stageID) is not a stage") }
    let key = TaskKey(trial: trial?.id ?? TaskKey.allTrials, stage: stageID.name)
    let seed = trial?.seed ?? spec.seed
    if trial != nil, let fixed = caches.fixedTasks[stageID] {
      for d in fixed.checkFindings { findings.add(d, trial: label) }
      definitions[stageID] = fixed.definition
      // A fixed stage reads no task over all trials (that would make it not fixed): only its own trial's.
      let inputs = fixed.upstream.map { TaskKey(trial: key.trial, stage: $0.name) }
      return PlanTask(
        key: key, trialIndex: trial?.index, kind: def.kind.rawValue,
        hash: hash(digest: fixed.digest, inputs: inputs, hashes: hashes, seed: seed), inputs: inputs,
        definition: fixed.json, seed: seed, span: SourceSpan(def.nameRange))
    }
    let binding = StageBinding.of(def, in: spec, resolve: resolver.checkResolver)
    var fixed = trial != nil && builder.invariant.contains("stages.\(stageID.name)")

    var parts: [String: Part] = ["stage": stagePart(def, findings: &findings)]
    if let m = binding.model, spec.model(m) != nil {
      parts["model"] = modelPart(m, findings: &findings)
      fixed = fixed && builder.invariant.contains("models.\(m.name)")
    }
    if let i = binding.initializer, let initDef = spec.initializer(i) {
      parts["init"] = initializerPart(i, findings: &findings)
      fixed = fixed && builder.invariant.contains("initializers.\(i.name)")
      var initData: [String: Part] = [:]
      for rule in [initDef.rule] + initDef.layerRules.map(\.rule) {
        if let ref = resolver.checkResolver.string(rule["data"]).flatMap({ DataReference(parsing: $0) }),
          spec.dataset(ref.dataset) != nil
        {
          initData[ref.dataset.name] = datasetPart(ref.dataset, findings: &findings)
          fixed = fixed && builder.invariant.contains("datasets.\(ref.dataset.name)")
        }
      }
      if !initData.isEmpty { parts["init_data"] = Part { .object(initData.mapValues(\.json)) } }
    }
    if let ref = binding.data, spec.dataset(ref.dataset) != nil {
      let dataset = datasetPart(ref.dataset, findings: &findings)
      parts["data"] = Part {
        var d: [String: JSONValue] = ["name": .string(ref.dataset.name), "dataset": dataset.json]
        if let s = ref.split { d["split"] = .string(s) }
        return .object(d)
      }
      fixed = fixed && builder.invariant.contains("datasets.\(ref.dataset.name)")
    }

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

    let definition = TaskDefinition(parts)
    definitions[stageID] = definition
    let checkOnly = builder.options.checkOnly

    var checkFindings: [Diagnostic] = []
    if builder.perTrialChecks.contains(stageID) {
      if trial == nil || (fixed && checkOnly) {
        // Checked once: a task over all trials, or a fixed stage whose findings later trials replay.
        checkFindings = check(def, binding: binding, findings: &findings)
      } else {
        var cacheKey = definition.bytes
        for input in inputs {
          cacheKey.append(0)
          cacheKey += definitions[StageID(input.stage)]?.bytes ?? []
        }
        if let known = caches.stageChecks[ByteKey(cacheKey)] {
          for d in known { findings.add(d, trial: label) }
          checkFindings = known
        } else {
          checkFindings = check(def, binding: binding, findings: &findings)
          caches.stageChecks[ByteKey(cacheKey)] = checkFindings
        }
      }
    }

    let digest: String
    if checkOnly {
      digest = ""
    } else if let known = caches.definitionDigests[ByteKey(definition.bytes)] {
      digest = known
    } else {
      digest = SHA256.hash(definition.bytes).hex
      caches.definitionDigests[ByteKey(definition.bytes)] = digest
    }
    let json: JSONValue = checkOnly ? .null : definition.json
    if fixed {
      caches.fixedTasks[stageID] = FixedTask(
        definition: definition, json: json, digest: digest, upstream: upstream, checkFindings: checkFindings)
    }
    return PlanTask(
      key: key, trialIndex: trial?.index, kind: def.kind.rawValue,
      hash: hash(digest: digest, inputs: inputs, hashes: hashes, seed: seed), inputs: inputs, definition: json,
      seed: seed, span: SourceSpan(def.nameRange))
  }

  /// The task's content hash, or "" when planning checks only.
  private func hash(digest: String, inputs: [TaskKey], hashes: [TaskKey: String], seed: Int) -> String {
    guard !builder.options.checkOnly else { return "" }
    return TaskHasher.hash(
      definitionDigest: digest, inputHashes: inputs.map { hashes[$0] ?? "" }, seed: seed, backend: builder.backend)
  }

  /// Whether an upstream stage is read in this trial: a from_stage initializer's stage counts only when the
  /// trial's `init` is that initializer.
  private func isUsed(_ up: StageID, binding: StageBinding, spec: Spec) -> Bool {
    if binding.upstream.contains(up) { return true }
    guard let i = binding.initializer, let initDef = spec.initializer(i) else { return false }
    return ([initDef.rule] + initDef.layerRules.map(\.rule)).contains {
      $0.kind == "from_stage" && resolver.checkResolver.string($0["stage"]) == up.name
    }
  }

  // MARK: - Resolution

  /// A definition resolved for this trial, from the per-trial or (when no trial value reaches it) the per-plan
  /// cache. `values` are resolved in order and combined by `combine`; each resolved instance is re-checked
  /// against the catalogue, once per distinct resolved form.
  private mutating func part(
    _ path: String, invariant: Bool, values: [(Value, String)], findings: inout TrialFindings,
    combine: @escaping ([Value]) -> JSONValue
  ) -> Part {
    if let p = parts[path] { return p }
    if invariant, let p = caches.invariant[path] { return p }
    let note = invariant ? nil : label
    var resolved: [Value] = []
    var checks: [(Instance, String)] = []
    for (value, subpath) in values {
      guard value.containsExpression else {
        resolved.append(value)
        continue
      }
      var r = resolver
      let v = r.resolve(value)
      for e in r.errors { findings.add(e.diagnostic(path: subpath), trial: note) }
      if r.errors.isEmpty, case .instance(let i) = v { checks.append((i, subpath)) }
      resolved.append(v)
    }
    let p = Part { combine(resolved) }
    if !checks.isEmpty {
      // An invariant part is resolved once per plan; a trial's part is checked once per distinct resolved form.
      let key = invariant ? nil : ByteKey(Array(path.utf8) + [0] + p.bytes)
      if let key, let known = caches.catalogue[key] {
        for d in known { findings.add(d, trial: note) }
      } else {
        var local = Diagnostics()
        for (i, subpath) in checks { Catalogue.check(i, path: subpath, diagnostics: &local) }
        for d in local { findings.add(d, trial: note) }
        if let key { caches.catalogue[key] = local.all }
      }
    }
    parts[path] = p
    if invariant { caches.invariant[path] = p }
    return p
  }

  private mutating func stagePart(_ def: StageDef, findings: inout TrialFindings) -> Part {
    let path = "stages.\(def.id.name)"
    return part(
      path, invariant: builder.invariant.contains(path), values: [(.instance(def.definition), path)],
      findings: &findings
    ) {
      guard case .object(var o) = JSONValue($0[0]) else { return JSONValue($0[0]) }
      o["name"] = .string(def.id.name)
      return .object(o)
    }
  }

  private mutating func modelPart(_ id: ModelID, findings: inout TrialFindings) -> Part {
    guard let def = builder.spec.model(id) else { preconditionFailure("callers check \(id) exists") }
    let path = "models.\(id.name)"
    let values =
      [(def.input, "\(path).input")] + def.layers.enumerated().map { (Value.instance($1), "\(path).layers[\($0)]") }
    return part(path, invariant: builder.invariant.contains(path), values: values, findings: &findings) { v in
      .object(["name": .string(id.name), "input": JSONValue(v[0]), "layers": .array(v.dropFirst().map(JSONValue.init))])
    }
  }

  private mutating func initializerPart(_ id: InitializerID, findings: inout TrialFindings) -> Part {
    guard let def = builder.spec.initializer(id) else { preconditionFailure("callers check \(id) exists") }
    let path = "initializers.\(id.name)"
    let values =
      [(Value.instance(def.rule), path), (.instance(def.bias), "\(path).bias")]
      + def.layerRules.map { (Value.instance($0.rule), "\(path).layers") }
    return part(path, invariant: builder.invariant.contains(path), values: values, findings: &findings) { v in
      var o: [String: JSONValue] = ["name": .string(id.name), "rule": JSONValue(v[0]), "bias": JSONValue(v[1])]
      if !def.layerRules.isEmpty {
        o["layers"] = .array(
          zip(def.layerRules, v.dropFirst(2)).map { rule, value in
            .object(["select": .string(rule.selector.description), "rule": JSONValue(value)])
          })
      }
      return .object(o)
    }
  }

  private mutating func datasetPart(_ id: DatasetID, findings: inout TrialFindings) -> Part {
    guard let def = builder.spec.dataset(id) else { preconditionFailure("callers check \(id) exists") }
    let path = "datasets.\(id.name)"
    return part(
      path, invariant: builder.invariant.contains(path), values: [(.instance(def.definition), path)],
      findings: &findings
    ) {
      JSONValue($0[0])
    }
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
      modelShapes[m] =
        modelDef.hasExpressions
        ? ModelShape.infer(modelDef, resolve: resolve, problems: &problems) : builder.graph.models[m]?.shape
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
        Value.instance(dataDef.definition).containsExpression
        ? DataShape.of(dataDef, resolve: resolve, baseDirectory: builder.baseDirectory, problems: &dataProblems)
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
