import SproutConfig
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// How `select` stages shape a plan.
///
/// A stage that reads `${select.S.AXIS}` (itself, or through the model, initializer or dataset it uses) is planned
/// like any per-trial stage: in every trial, with the trial's own value of AXIS standing for the choice. So every
/// candidate is lowered, checked and hashed exactly as it would run, and lint sees every instantiation. Each such task
/// carries a ``TaskGate``: it reads the select task (which therefore runs first) and runs only if the select chose
/// its trial's values of the `over` axes for its trial's values of the `per` axes; otherwise the executor marks it
/// not chosen. The select's hash is not part of the gated task's: which candidate wins decides *whether* a task
/// runs, never *what* it computes, so a candidate that ran before stays cached when the choice changes back to it.
///
/// Tasks are planned in rounds: the per-trial stages that read no select (round 0, trial by trial, as before), the
/// tasks over all trials that read them, then the per-trial stages that read those selects (round 1), and so on.
/// A spec without selections has one round, in the order it always had.
struct SelectionPlan {
  /// The axes each select stage chooses over and those it chooses per.
  let axes: [String: SelectAxes]
  /// The select stages each stage may read, in any trial.
  let reads: [StageID: Set<String>]
  /// The rounds, in order.
  let rounds: [Round]

  /// Stages planned together: per-trial ones (for every trial), then the ones over all trials.
  struct Round {
    var perTrial: [StageID] = []
    var across: [StageID] = []
  }

  init(graph: ExperimentGraph) {
    let spec = graph.spec
    // Only the select stages that decoded (a broken one is reported and left out of the spec).
    let axes = spec.selectAxes.filter { spec.stage(StageID($0.key))?.kind == .select }
    self.axes = axes
    var reads: [StageID: Set<String>] = [:]
    // Without a select stage no stage reads a choice (the walk over every definition is skipped).
    for def in spec.stages where !axes.isEmpty {
      let names = Set(spec.selectionsRead(by: def).map(\.stage).filter { axes[$0] != nil })
      if !names.isEmpty { reads[def.id] = names }
    }
    self.reads = reads
    // Round of each stage: a per-trial stage comes after every select it reads; a stage over all trials joins the
    // round of the latest stage it reads.
    var round: [StageID: Int] = [:]
    var rounds: [Round] = [Round()]
    for id in graph.stageOrder {
      let across = graph.stages[id]?.acrossTrials ?? false
      var r = graph.upstreamStages(of: id).map { round[$0] ?? 0 }.max() ?? 0
      for s in reads[id] ?? [] { r = max(r, (round[StageID(s)] ?? 0) + 1) }
      round[id] = r
      while rounds.count <= r { rounds.append(Round()) }
      if across { rounds[r].across.append(id) } else { rounds[r].perTrial.append(id) }
    }
    self.rounds = rounds
  }

  /// The trial's values of `axes`, as settings.
  static func settings(_ trial: Trial, _ axes: [String]) -> [AxisSetting] {
    axes.map { AxisSetting(axis: $0, value: trial[$0]?.canonical ?? "null") }
  }

  /// The `select.S.AXIS` values of a trial: its own values of each select's `over` axes.
  func environment(for trial: Trial?) -> [String: [String: Value]] {
    guard let trial else { return [:] }
    var out: [String: [String: Value]] = [:]
    for (stage, a) in axes {
      var table: [String: Value] = [:]
      for axis in a.over { if let v = trial[axis] { table[axis] = v.specValue } }
      out[stage] = table
    }
    return out
  }

  /// The gate of a task of `trial` reading select `stage`.
  func gate(_ stage: String, trial: Trial) -> TaskGate? {
    guard let a = axes[stage] else { return nil }
    return TaskGate(
      select: TaskKey(trial: TaskKey.allTrials, stage: stage), group: Self.settings(trial, a.per),
      candidate: Self.settings(trial, a.over))
  }

  /// Fills a select's candidates from the trials; reports axes the matrix lacks.
  func complete(
    _ config: inout SelectConfig, def: StageDef, trials: [Trial], axisNames: [String], findings: inout TrialFindings
  ) -> Bool {
    let path = "stages.\(def.id.name)"
    var ok = true
    let a = axes[def.id.name] ?? SelectAxes(over: config.over, per: config.per)
    config.over = a.over
    config.per = a.per
    for (key, list) in [("over", a.over), ("per", a.per)] {
      for axis in list where !axisNames.contains(axis) {
        let near = MatrixExpansion.suggestion(axis, among: axisNames)
        findings.add(
          Diagnostic(
            PlanDiagnostics.unknownAxis, "select chooses \(key) '\(axis)', which is not an axis of the matrix",
            at: def.arguments.argument(key)?.range ?? def.nameRange, path: "\(path).\(key)", help: near),
          trial: nil)
        ok = false
      }
    }
    if let both = a.over.first(where: a.per.contains) {
      findings.add(
        Diagnostic(
          PlanDiagnostics.unknownAxis, "axis '\(both)' is both chosen over and chosen per",
          at: def.arguments.argument("per")?.range ?? def.nameRange, path: "\(path).per",
          help: "list it in only one of over and per"),
        trial: nil)
      ok = false
    }
    if a.over.isEmpty {
      findings.add(
        Diagnostic(
          PlanDiagnostics.unknownAxis, "select has no axis to choose over",
          at: def.arguments.argument("over")?.range ?? def.nameRange, path: "\(path).over",
          help: axisNames.isEmpty ? "give the spec a matrix" : "name the axes to choose with over: [...]"),
        trial: nil)
      ok = false
    }
    config.candidates = trials.map {
      SelectCandidate(trial: $0.id, choice: Self.settings($0, a.over), group: Self.settings($0, a.per))
    }
    return ok
  }
}

extension TrialContext {
  /// The gates of a task of `def` in this trial: one per select its definition, model, initializer or data read
  /// here, and every gate of the tasks it reads. Adds each gate's select task to `inputs`. Nil without gates.
  func gates(
    _ def: StageDef, binding: StageBinding, inputs: inout [TaskKey], planned: [TaskKey: [TaskGate]],
    findings: inout TrialFindings
  ) -> [TaskGate]? {
    let selection = builder.selection
    guard selection.reads[def.id] != nil || inputs.contains(where: { planned[$0] != nil }) else { return nil }
    let spec = builder.spec
    var references = Value.instance(def.definition).selectReferences
    if let m = binding.model, let model = spec.model(m) { references += model.selectReferences }
    if let i = binding.initializer, let initializer = spec.initializer(i) { references += initializer.selectReferences }
    if let d = binding.data, let data = spec.dataset(d.dataset) {
      references += Value.instance(data.definition).selectReferences
    }
    references = references.filter { selection.axes[$0.stage] != nil }
    guard let trial else {
      if let first = references.first {
        findings.add(
          Diagnostic(
            "spec.cannot-run",
            "stage '\(def.id.name)' runs over all trials, so it has no candidate of '\(first.stage)' to stand for; "
              + "only a stage of one trial can read ${select...}",
            at: first.range, path: "stages.\(def.id.name)",
            help: "read the choice in a stage of each trial, and select over its results"),
          trial: nil)
      }
      return nil
    }
    var gates: [TaskGate] = []
    for input in inputs { for g in planned[input] ?? [] where !gates.contains(g) { gates.append(g) } }
    for name in Set(references.map(\.stage)).sorted() {
      if let g = selection.gate(name, trial: trial), !gates.contains(g) { gates.append(g) }
    }
    for g in gates where !inputs.contains(g.select) { inputs.append(g.select) }
    return gates.isEmpty ? nil : gates
  }
}
