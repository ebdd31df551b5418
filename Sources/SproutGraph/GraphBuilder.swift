import Foundation
import SproutDiagnostics
import SproutSpec

/// The graph phase: typed nodes and edges from a spec, and the checks a compiler would make.
public enum GraphBuilder {
  /// Builds the experiment graph of `spec`, reporting problems to `diagnostics`; `nil` when it found errors.
  ///
  /// Checks, in order: references resolve to a definition of the right sort (and split); data files exist, their
  /// headers are readable and their label files hold valid class labels (read through `files`, which the graph
  /// keeps for the planner); no stage reads itself through a cycle; layer widths fit together; and, for
  /// stages whose definitions are literal, input width against data, loss against targets, initializer against
  /// layers and `from` against the model expected. Stages involving expressions are checked by the planner,
  /// once per trial, with the same ``StageChecker``.
  public static func build(
    _ spec: Spec, files: DataFiles = DataFiles(), diagnostics: inout Diagnostics
  ) -> ExperimentGraph? {
    GraphDiagnostics.register()
    let errorsBefore = diagnostics.errorCount
    let baseDirectory = Self.baseDirectory(of: spec.file)

    let reads = ExpressionReads(spec)
    var datasets: [DatasetID: DatasetNode] = [:]
    for def in spec.datasets {
      var problems: [DataShapeProblem] = []
      let literal = !reads.hasExpression(.dataset(def.id))
      let shape =
        literal
        ? DataShape.of(def, resolve: .literal, baseDirectory: baseDirectory, files: files, problems: &problems) : nil
      for p in problems { diagnostics.report(p.id, p.message, at: p.range, path: p.path, help: p.help) }
      datasets[def.id] = DatasetNode(definition: def, shape: shape)
    }
    var models: [ModelID: ModelNode] = [:]
    for def in spec.models {
      var problems: [CheckProblem] = []
      let shape =
        reads.hasExpression(.model(def.id)) ? nil : ModelShape.infer(def, resolve: .literal, problems: &problems)
      diagnostics.append(contentsOf: problems.map { $0.diagnostic() })
      models[def.id] = ModelNode(definition: def, shape: shape)
    }
    var initializers: [InitializerID: InitializerNode] = [:]
    for def in spec.initializers { initializers[def.id] = InitializerNode(definition: def) }

    var references = ReferenceCheck(spec: spec)
    let edges = references.collect()

    // Stage dependencies: from, base, and the checkpoint of a from_stage initializer a stage may use.
    var upstream: [StageID: [(StageID, SourceRange)]] = [:]
    // Each initializer's checkpoint stages, in edge order (a scan of every edge per stage was quadratic).
    var checkpoints: [InitializerID: [StageID]] = [:]
    for c in edges where c.role == .checkpoint {
      if case .initializer(let i) = c.from, case .stage(let t) = c.to { checkpoints[i, default: []].append(t) }
    }
    for e in edges {
      guard case .stage(let s) = e.from else { continue }
      switch (e.role, e.to) {
      case (.from, .stage(let t)), (.base, .stage(let t)): upstream[s, default: []].append((t, e.range))
      case (.initializer, .initializer(let i)):
        for t in checkpoints[i] ?? [] { upstream[s, default: []].append((t, e.range)) }
      default: break
      }
    }
    // A stage reading `${select.S.AXIS}` runs after S (without becoming a task over all trials: it is planned per
    // candidate), so S must not read it back.
    var ordering = upstream
    // Without a select stage there is no choice to read (and walking every definition for references is a tenth
    // of a large spec's graph phase).
    let hasSelect = spec.stages.contains { $0.kind == .select }
    for stage in spec.stages where hasSelect {
      for (name, range) in spec.selectionsRead(by: stage) where spec.stage(StageID(name))?.kind == .select {
        ordering[stage.id, default: []].append((StageID(name), range))
      }
    }
    let ids = spec.stages.map(\.id)
    let dependencies = CycleCheck(stages: ids, upstream: ordering)
    for cycle in dependencies.cycles() {
      guard let closing = cycle.last else { continue }
      let names = cycle.map(\.0.name) + [cycle[0].0.name]
      diagnostics.report(
        GraphDiagnostics.cycle, "stages read each other in a cycle: " + names.joined(separator: " → "),
        at: closing.1, path: "stages.\(closing.0.name)",
        notes: cycle.dropLast().map { DiagnosticNote("'\($0.0.name)' reads the next stage here", at: $0.1) },
        help: "a stage can only read stages that do not read it back")
    }
    let order = dependencies.order()

    var stages: [StageID: StageNode] = [:]
    for id in order {
      guard let def = spec.stage(id) else { continue }
      let across = def.kind == .select || (upstream[id] ?? []).contains { stages[$0.0]?.acrossTrials ?? false }
      stages[id] = StageNode(definition: def, acrossTrials: across)
    }
    var graph = ExperimentGraph(
      spec: spec, datasets: datasets, models: models, initializers: initializers, stages: stages, edges: edges,
      stageOrder: order, dataFiles: files)
    graph.foundReads = reads
    graph.perTrialChecked = Set(spec.stages.map(\.id).filter(graph.needsPerTrialChecks))

    // Checks of literal stages; the planner repeats them per trial for the others.
    let checker = StageChecker(
      spec: spec, resolve: .literal, modelShape: { models[$0]?.shape }, dataShape: { datasets[$0]?.shape })
    for def in spec.stages where !graph.needsPerTrialChecks(def.id) {
      let binding = StageBinding.of(def, in: spec, resolve: .literal)
      checkModelPresence(def, binding, spec: spec, diagnostics: &diagnostics)
      for p in checker.check(def, binding: binding) { diagnostics.append(p.diagnostic()) }
    }
    return diagnostics.errorCount > errorsBefore ? nil : graph
  }

  /// The directory relative data paths of a spec read from `file` are taken from: the file's directory, or the
  /// current directory for a bare file name (and standard input).
  public static func baseDirectory(of file: String) -> String {
    let base = directory(of: file)
    return base.isEmpty ? FileManager.default.currentDirectoryPath : base
  }

  /// `NSString.deletingLastPathComponent`, read from the path's bytes for all but paths with a doubled slash or only
  /// slashes. The Foundation call cost ~20 k instructions (twice per spec: the graph and the planner), and it traps on
  /// a one-character name (`sprout lint x` crashed): a name without a directory has none, whatever its length.
  static func directory(of path: String) -> String {
    // An array of the bytes: a walk over a substring's UTF-8 view instantiated generic types at run time, whose first
    // use cost ~400 k instructions of protocol-conformance look-ups.
    let bytes = Array(path.utf8)
    let slash = UInt8(ascii: "/")
    var end = bytes.count
    while end > 0 && bytes[end - 1] == slash { end -= 1 }
    if end == 0 { return (path as NSString).deletingLastPathComponent }  // "", "/", "//": Foundation's answer
    var lastSlash = -1
    for i in 0..<end where bytes[i] == slash {
      if i > 0 && bytes[i - 1] == slash { return (path as NSString).deletingLastPathComponent }
      lastSlash = i
    }
    if lastSlash < 0 { return "" }
    return lastSlash == 0 ? "/" : String(decoding: bytes[..<lastSlash], as: UTF8.self)
  }

  static func checkModelPresence(_ def: StageDef, _ binding: StageBinding, spec: Spec, diagnostics: inout Diagnostics) {
    guard [.train, .evaluate, .measure, .finetune].contains(def.kind), binding.model == nil else { return }
    // An unresolved or undefined reference was already reported; only a chain with no model at all is new.
    guard def.arguments["model"] == nil, !binding.upstream.isEmpty,
      binding.upstream.allSatisfy({ spec.stage($0) != nil })
    else { return }
    diagnostics.report(
      GraphDiagnostics.noModel, "stage '\(def.id.name)' needs a model, but no stage it reads from names one",
      at: def.arguments.argument("from")?.range ?? def.range, path: "stages.\(def.id.name).from",
      help: "read from a stage that trains a model")
  }
}

extension ModelDef {
  /// True when the input or any layer argument is an expression.
  public var hasExpressions: Bool {
    input.containsExpression || layers.contains { Value.instance($0).containsExpression }
  }
}

extension ExperimentGraph {
  /// True when a stage's checks depend on values only known per trial: its definition, or a definition it
  /// reads (model, initializer, dataset, the stages it reads from), contains an expression.
  public func needsPerTrialChecks(_ id: StageID) -> Bool {
    if let known = perTrialChecked { return known.contains(id) }
    guard let def = spec.stage(id) else { return false }
    if hasExpression(.stage(id)) { return true }
    let binding = StageBinding.of(def, in: spec, resolve: .literal)
    // An undefined name has no expression (``ExpressionReads`` knows only defined ones).
    if let m = binding.model, hasExpression(.model(m)) { return true }
    if let i = binding.initializer, hasExpression(.initializer(i)) { return true }
    if let d = binding.data, hasExpression(.dataset(d.dataset)) { return true }
    return binding.upstream.contains { hasExpression(.stage($0)) }
  }
}

extension InitializerDef {
  /// True when any rule's argument is an expression.
  public var hasExpressions: Bool {
    Value.instance(rule).containsExpression || Value.instance(bias).containsExpression
      || layerRules.contains { Value.instance($0.rule).containsExpression }
  }
}
