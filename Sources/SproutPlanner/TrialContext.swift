import SproutDiagnostics
import SproutGraph
import SproutSpec

/// The resolution of one trial's definitions, shared by the trial's tasks: each definition is resolved and
/// turned into JSON once per trial, and model and data shapes are inferred once per trial for the checks.
struct TrialContext {
  let builder: PlanBuilder
  let trial: Trial?
  let resolver: TrialResolver
  /// `t0003 (init=lowrank width=8)`, for notes.
  let label: String?
  private var models: [ModelID: JSONValue] = [:]
  private var initializers: [InitializerID: JSONValue] = [:]
  private var datasets: [DatasetID: JSONValue] = [:]
  private var modelShapes: [ModelID: ModelShape?] = [:]
  private var dataShapes: [DatasetID: DataShape?] = [:]

  init(builder: PlanBuilder, trial: Trial?) {
    self.builder = builder
    self.trial = trial
    var matrix: [String: Value] = [:]
    for av in trial?.assignment ?? [] { matrix[av.axis] = av.value.specValue }
    let info = TrialInfo(index: trial?.index ?? 0, seed: trial?.seed ?? builder.spec.seed, id: trial?.id ?? TaskKey.allTrials)
    resolver = TrialResolver(env: ExpressionEnvironment(params: builder.params, matrix: matrix, trial: info))
    label = trial.map { $0.assignment.isEmpty ? $0.id : "\($0.id) (\($0.assignmentText))" }
  }

  /// The task of `stage` in this trial (or, with `trials`, the task over all of them).
  mutating func task(
    for stageID: StageID, hashes: [TaskKey: String], findings: inout TrialFindings, trials: [Trial] = []
  ) -> PlanTask {
    let spec = builder.spec
    let node = builder.graph.stages[stageID]!
    let def = node.definition
    let key = TaskKey(trial: trial?.id ?? TaskKey.allTrials, stage: stageID.name)
    let stageValue = resolve(.instance(def.definition), path: "stages.\(stageID.name)", findings: &findings)
    let binding = StageBinding.of(def, in: spec, resolve: resolver.checkResolver)

    var definition: [String: JSONValue] = ["stage": stageJSON(stageID, stageValue)]
    if let m = binding.model, spec.model(m) != nil { definition["model"] = model(m, findings: &findings) }
    if let i = binding.initializer, let initDef = spec.initializer(i) {
      definition["init"] = initializer(i, findings: &findings)
      var initData: [String: JSONValue] = [:]
      for rule in [initDef.rule] + initDef.layerRules.map(\.rule) {
        if let ref = resolver.checkResolver.string(rule["data"]).flatMap({ DataReference(parsing: $0) }),
          spec.dataset(ref.dataset) != nil
        {
          initData[ref.dataset.name] = dataset(ref.dataset, findings: &findings)
        }
      }
      if !initData.isEmpty { definition["init_data"] = .object(initData) }
    }
    if let ref = binding.data, spec.dataset(ref.dataset) != nil {
      var d: [String: JSONValue] = ["name": .string(ref.dataset.name), "dataset": dataset(ref.dataset, findings: &findings)]
      if let s = ref.split { d["split"] = .string(s) }
      definition["data"] = .object(d)
    }

    // Inputs: the stages read in this trial (or every trial's task of them, for a task over all trials).
    var inputs: [TaskKey] = []
    for up in builder.graph.upstreamStages(of: stageID) where isUsed(up, binding: binding, spec: spec) {
      if builder.graph.stages[up]?.acrossTrials ?? false {
        inputs.append(TaskKey(trial: TaskKey.allTrials, stage: up.name))
      } else if trial == nil {
        inputs += trials.map { TaskKey(trial: $0.id, stage: up.name) }
      } else {
        inputs.append(TaskKey(trial: key.trial, stage: up.name))
      }
    }

    if builder.perTrialChecks.contains(stageID) { check(def, binding: binding, findings: &findings) }

    let seed = trial?.seed ?? spec.seed
    let json = JSONValue.object(definition)
    let hash = TaskHasher.hash(
      definition: json, inputHashes: inputs.map { hashes[$0] ?? "" }, seed: seed, backend: builder.backend)
    return PlanTask(
      key: key, trialIndex: trial?.index, kind: def.kind.rawValue, hash: hash, inputs: inputs, definition: json, seed: seed,
      span: SourceSpan(def.nameRange))
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

  /// Resolves a value for this trial, re-checking resolved instances against the catalogue; problems go to
  /// `findings` with the trial named.
  private func resolve(_ value: Value, path: String, findings: inout TrialFindings) -> Value {
    guard value.containsExpression else { return value }
    var r = resolver
    let resolved = r.resolve(value)
    for e in r.errors { findings.add(e.diagnostic(path: path), trial: label) }
    if r.errors.isEmpty, case .instance(let instance) = resolved {
      var local = Diagnostics()
      Catalogue.check(instance, path: path, diagnostics: &local)
      for d in local { findings.add(d, trial: label) }
    }
    return resolved
  }

  private func stageJSON(_ id: StageID, _ value: Value) -> JSONValue {
    guard case .object(var o) = JSONValue(value) else { return JSONValue(value) }
    o["name"] = .string(id.name)
    return .object(o)
  }

  private mutating func model(_ id: ModelID, findings: inout TrialFindings) -> JSONValue {
    if let cached = models[id] { return cached }
    let def = builder.spec.model(id)!
    let path = "models.\(id.name)"
    let input = resolve(def.input, path: "\(path).input", findings: &findings)
    let layers = def.layers.enumerated().map { n, layer in
      JSONValue(resolve(.instance(layer), path: "\(path).layers[\(n)]", findings: &findings))
    }
    let json = JSONValue.object(["name": .string(id.name), "input": JSONValue(input), "layers": .array(layers)])
    models[id] = json
    return json
  }

  private mutating func initializer(_ id: InitializerID, findings: inout TrialFindings) -> JSONValue {
    if let cached = initializers[id] { return cached }
    let def = builder.spec.initializer(id)!
    let path = "initializers.\(id.name)"
    var o: [String: JSONValue] = [
      "name": .string(id.name), "rule": JSONValue(resolve(.instance(def.rule), path: path, findings: &findings)),
      "bias": JSONValue(resolve(.instance(def.bias), path: "\(path).bias", findings: &findings)),
    ]
    if !def.layerRules.isEmpty {
      o["layers"] = .array(
        def.layerRules.map { rule in
          .object([
            "select": .string(rule.selector.description),
            "rule": JSONValue(resolve(.instance(rule.rule), path: "\(path).layers", findings: &findings)),
          ])
        })
    }
    let json = JSONValue.object(o)
    initializers[id] = json
    return json
  }

  private mutating func dataset(_ id: DatasetID, findings: inout TrialFindings) -> JSONValue {
    if let cached = datasets[id] { return cached }
    let def = builder.spec.dataset(id)!
    let json = JSONValue(resolve(.instance(def.definition), path: "datasets.\(id.name)", findings: &findings))
    datasets[id] = json
    return json
  }

  // MARK: - Per-trial checks

  /// The graph's stage checks with this trial's values.
  private mutating func check(_ def: StageDef, binding: StageBinding, findings: inout TrialFindings) {
    let spec = builder.spec
    let resolve = resolver.checkResolver
    var problems: [CheckProblem] = []
    var dataProblems: [DataShapeProblem] = []
    let baseDirectory = builder.baseDirectory
    for m in [binding.model].compactMap({ $0 }) where modelShapes[m] == nil {
      guard let modelDef = spec.model(m) else { continue }
      modelShapes[m] = modelDef.hasExpressions
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
      dataShapes[d] = Value.instance(dataDef.definition).containsExpression
        ? DataShape.of(dataDef, resolve: resolve, baseDirectory: baseDirectory, problems: &dataProblems)
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
    for p in dataProblems { findings.add(Diagnostic(p.id, p.message, at: p.range, path: p.path, help: p.help), trial: label) }
    for p in problems { findings.add(p.diagnostic(), trial: label) }
  }
}
