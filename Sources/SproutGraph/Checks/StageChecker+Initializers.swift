import SproutConfig
import SproutDiagnostics
import SproutSpec

/// Does an initializer fit the layers it is applied to?
extension StageChecker {
  func checkInitializer(
    _ stage: StageDef, _ def: InitializerDef, _ model: ModelDef, _ shape: ModelShape, _ problems: inout [CheckProblem]
  ) {
    let count = shape.weights.count
    let base = "initializers.\(def.id.name)"
    for (n, rule) in def.layerRules.enumerated() where rule.selector.resolve(count: count).isEmpty {
      problems.append(
        CheckProblem(
          GraphDiagnostics.initLayerSelector,
          "the selector '\(rule.selector)' matches none of the \(count) layers with parameters of model "
            + "'\(model.id.name)'",
          at: rule.selectorRange, path: "\(base).layers",
          help: "indices count dense layers from 0 (negative from the end)"))
      _ = n
    }
    // Each rule is checked once, against the first weight it applies to that breaks it.
    var reported: Set<String> = []
    for weight in shape.weights {
      let rule = def.rule(forLayer: weight.index, of: count)
      let rulePath =
        def.layerRules.contains { $0.rule == rule && $0.selector.resolve(count: count).contains(weight.index) }
        ? "\(base).layers" : base
      let key = "\(rule.kind)@\(rule.range.start)"
      guard !reported.contains(key) else { continue }
      if let p = checkRule(rule, weight: weight, def: def, model: model, shape: shape, stage: stage, path: rulePath) {
        reported.insert(key)
        problems.append(p)
      }
    }
  }

  private func checkRule(
    _ rule: Instance, weight: WeightShape, def: InitializerDef, model: ModelDef, shape: ModelShape, stage: StageDef,
    path: String
  ) -> CheckProblem? {
    let layerNote = DiagnosticNote("layer \(weight.path) has a \(weight.text) weight", at: weight.range)
    // These rules are defined on matrices; a convolution's [F, C, k, k] weight is not one.
    if weight.kind != .dense, ["low_rank", "identity"].contains(rule.kind) {
      return CheckProblem(
        GraphDiagnostics.initShape,
        "\(rule.kind) is defined for dense weights, not the \(weight.text) \(weight.kind.rawValue) weight of \(weight.path)",
        at: rule.kindRange, path: path, notes: [layerNote],
        help: "give the \(weight.kind.rawValue) layers another rule with `layers:`")
    }
    switch rule.kind {
    case "low_rank":
      guard let rank = resolve.int(rule["rank"]) else { return nil }
      let limit = min(weight.fanIn, weight.fanOut)
      guard rank > limit else { return nil }
      return CheckProblem(
        GraphDiagnostics.initRank,
        "rank \(rank) is larger than min(fan_in, fan_out) = \(limit) of the \(weight.text) weight of \(weight.path)",
        at: rule.arguments.argument("rank")?.range ?? rule.range, path: "\(path).rank", notes: [layerNote],
        help: "use a rank of at most \(limit), or exclude that layer with a `layers:` rule")
    case "identity":
      guard weight.fanIn != weight.fanOut else { return nil }
      return CheckProblem(
        GraphDiagnostics.initShape,
        "identity on the non-square \(weight.text) weight of \(weight.path) is a rectangular identity: ones on the "
          + "leading diagonal, the remaining \(weight.fanOut > weight.fanIn ? "rows" : "columns") zero",
        at: rule.kindRange, path: path, notes: [layerNote],
        help: "give that layer another rule with `layers:` if a square identity was meant")
    case "orthogonal":
      return nil  // every weight with parameters is a dense matrix, where (semi-)orthogonal is defined
    case "siren", "siren_first", "winner":
      // winner also reads its target data, which must fit the model like lsuv's batch.
      guard !shape.hasSine else {
        return rule.kind == "winner" ? dataWidthProblem(rule, shape: shape, path: path) : nil
      }
      return CheckProblem(
        GraphDiagnostics.initActivation,
        "\(rule.kind) assumes sine activations, but model '\(model.id.name)' has no sine layer",
        at: rule.kindRange, path: path,
        notes: [DiagnosticNote("stage '\(stage.id.name)' applies it to model '\(model.id.name)'", at: stage.nameRange)],
        help: "add `- sine: {omega: 30}` after the dense layers, or choose an initializer for the model's activation")
    case "lsuv":
      return dataWidthProblem(rule, shape: shape, path: path)
    case "from_stage":
      return transferProblem(rule, model: model, shape: shape, path: path)
    default:
      return nil
    }
  }

  /// lsuv pushes a batch of its data through the model (and winner reads its target), so the data must fit
  /// the model's input.
  private func dataWidthProblem(_ rule: Instance, shape: ModelShape, path: String) -> CheckProblem? {
    guard let ref = resolve.string(rule["data"]).flatMap(DataReference.init(parsing:)),
      let data = dataShape(ref.dataset), data.features != shape.input.elementCount
    else { return nil }
    let count = shape.input.elementCount
    return CheckProblem(
      GraphDiagnostics.inputMismatch,
      "\(rule.kind) reads '\(ref)' (\(data.features) features) for a model that takes \(count) inputs",
      at: rule.arguments.argument("data")?.range ?? rule.range, path: "\(path).data",
      help: "give \(rule.kind) data with \(count) features")
  }

  /// from_stage copies a trained stage's tensors, so that stage must produce a model of the same shape.
  private func transferProblem(_ rule: Instance, model: ModelDef, shape: ModelShape, path: String) -> CheckProblem? {
    guard let name = resolve.string(rule["stage"]), let source = spec.stage(StageID(name)) else { return nil }
    let range = rule.arguments.argument("stage")?.range ?? rule.range
    guard [.train, .finetune, .merge].contains(source.kind) else {
      return CheckProblem(
        GraphDiagnostics.fromMismatch,
        "from_stage copies the trained model of stage '\(name)', but a \(source.kind.rawValue) stage produces no model",
        at: range, path: "\(path).stage", help: "name a train, finetune or merge stage")
    }
    // With a mapping the models may differ (a deeper model reading a shallow one's layers, as learngene does); the
    // tensors are matched by name and shape when the task starts.
    if case .map(let entries)? = resolve(rule["mapping"]), !entries.isEmpty { return nil }
    let sourceBinding = StageBinding.of(source, in: spec, resolve: resolve)
    guard let sourceModel = sourceBinding.model, let sourceShape = modelShape(sourceModel) else { return nil }
    let mine = shape.weights.map(\.text), theirs = sourceShape.weights.map(\.text)
    guard mine != theirs || shape.input != sourceShape.input else { return nil }
    return CheckProblem(
      GraphDiagnostics.fromMismatch,
      "from_stage copies stage '\(name)' (model '\(sourceModel.name)', weights \(theirs.joined(separator: ", "))) into "
        + "model '\(model.id.name)' (weights \(mine.joined(separator: ", ")))",
      at: range, path: "\(path).stage",
      notes: spec.model(sourceModel).map {
        [DiagnosticNote("model '\(sourceModel.name)' is defined here", at: $0.nameRange)]
      } ?? [],
      help: "transfer between models with the same layer widths")
  }
}
