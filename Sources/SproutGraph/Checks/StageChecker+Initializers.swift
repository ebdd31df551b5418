import SproutConfig
import SproutDiagnostics
import SproutSpec

/// Does an initializer fit the layers it is applied to?
extension StageChecker {
  func checkInitializer(
    _ stage: StageDef, _ def: InitializerDef, _ model: ModelDef, _ shape: ModelShape, _ problems: inout [CheckProblem]
  ) {
    let count = shape.weights.count
    let tags = shape.weightTags
    let base = "initializers.\(def.id.name)"
    for rule in def.layerRules {
      let selected = rule.selector.resolve(tags: tags)
      if selected.isEmpty {
        problems.append(
          CheckProblem(
            GraphDiagnostics.initLayerSelector,
            "the selector '\(rule.key)' matches none of the \(count) layers with parameters of model "
              + "'\(model.id.name)'",
            at: rule.selectorRange, path: "\(base).layers",
            help: "indices count the layers with weights from 0 (negative from the end); a kind (dense, conv2d, rnn, "
              + "gru, embedding, attention, transformer_block) selects every layer of that kind"))
      } else if let tensor = rule.tensor,
        let layer = Self.layerLacking(tensor, selected.map { shape.weights[$0] }, kindSelector: rule.selector.isKind)
      {
        let names = layer.tensors.map(\.name)
        let has =
          names == ["weight"]
          ? "only one weight" : "the weights " + names.map { "`\($0)`" }.joined(separator: ", ")
        problems.append(
          CheckProblem(
            GraphDiagnostics.initShape,
            "the selector '\(rule.key)' names the \(tensor) weight, but layer \(layer.path) (\(layer.kind.rawValue)) has "
              + has,
            at: rule.selectorRange, path: "\(base).layers.\(rule.key)",
            notes: [DiagnosticNote("layer \(layer.path) has a \(layer.text) weight", at: layer.range)],
            help: Self.tensorHelp, severity: .error))
      }
    }
    // Each rule is checked once, against the first weight tensor it applies to that breaks it (a rule is known by its
    // kind and where it is written).
    var reported: [(kind: String, at: SourceLocation)] = []
    for weight in shape.weights {
      for tensor in weight.tensors {
        let layerRule = def.layerRule(forLayer: weight.index, tensor: tensor.name, tags: tags)
        // Embeddings and attention start as PyTorch's unless a per-layer rule selects them (or the whole model is
        // copied).
        if weight.kind.startsAsPyTorch, layerRule == nil, def.rule.kind != "from_stage" { continue }
        let rule = layerRule?.rule ?? def.rule
        let rulePath = layerRule != nil ? "\(base).layers" : base
        let start = rule.range.start
        guard
          !reported.contains(where: {
            $0.kind == rule.kind && $0.at.line == start.line && $0.at.column == start.column
          })
        else { continue }
        if let p = checkRule(
          rule, weight: weight, tensor: tensor, def: def, model: model, shape: shape, stage: stage, path: rulePath)
        {
          reported.append((rule.kind, start))
          problems.append(p)
        }
      }
    }
  }

  /// A selected layer without the named tensor, when that is an error: any selected by index, and by a kind only
  /// when no layer of the kind has it (`transformer_block.linear1` picks the blocks' first MLP layers among their
  /// attention and MLP layers).
  static func layerLacking(_ tensor: String, _ layers: [WeightShape], kindSelector: Bool) -> WeightShape? {
    let lacking = layers.filter { !$0.tensors.contains { $0.name == tensor } }
    if kindSelector && lacking.count < layers.count { return nil }
    return lacking.first
  }

  static let tensorHelp =
    "`input` and `recurrent` name the two weights of an rnn or gru layer, `token` and `position` an embedding's "
    + "tables, `query`, `key`, `value` and `output` attention's projections, `linear1` and `linear2` a transformer "
    + "block's MLP"

  /// Rules an embedding table or an attention projection cannot honour: those defined by a dense or convolutional
  /// stack (LSUV's per-layer output variance, IBP's and SIREN's layer-by-layer scales), identity on a matrix that is
  /// not square, and a low rank above the matrix's.
  private func tokenLayerProblem(
    _ rule: Instance, weight: WeightShape, tensor: WeightTensorShape, path: String
  ) -> CheckProblem? {
    let layer = weight.kind.rawValue
    let what = weight.kind == .attention ? "\(tensor.name) projection" : "\(tensor.name) table"
    let note = DiagnosticNote("layer \(weight.path) (\(layer)) has \(weight.text) weights", at: weight.range)
    switch rule.kind {
    case "lsuv", "ibp", "siren", "siren_first", "winner":
      let paper =
        rule.kind == "lsuv"
        ? "LSUV rescales the output of each dense or convolutional layer" : rule.kind == "ibp"
          ? "IBP init scales the dense and convolutional layers that interval bounds pass through"
          : "SIREN's scales are for dense layers followed by sine activations"
      return CheckProblem(
        GraphDiagnostics.initShape,
        "\(rule.kind) is not defined for the \(what) of the \(layer) layer \(weight.path) (\(paper))",
        at: rule.kindRange, path: path, notes: [note],
        help: "select the dense layers only (`dense: \(rule.kind)`), and give \(layer) layers a fan rule such as "
          + "`\(layer): xavier_uniform`, or leave them at PyTorch's start", severity: .error)
    case "identity" where tensor.rows != tensor.cols:
      return CheckProblem(
        GraphDiagnostics.initShape,
        "identity needs a square matrix, but the \(what) of the \(layer) layer \(weight.path) is \(tensor.text)",
        at: rule.kindRange, path: path, notes: [note],
        help: "use orthogonal (a semi-orthogonal \(tensor.text) matrix), or make the table square", severity: .error)
    case "low_rank":
      guard let rank = resolve.int(rule["rank"]), rank > min(tensor.rows, tensor.cols) else { return nil }
      return CheckProblem(
        GraphDiagnostics.initRank,
        "rank \(rank) is larger than min(rows, columns) = \(min(tensor.rows, tensor.cols)) of the \(tensor.text) "
          + "\(what) of \(weight.path)",
        at: rule.arguments.argument("rank")?.range ?? rule.range, path: "\(path).rank", notes: [note],
        help: "use a rank of at most \(min(tensor.rows, tensor.cols))")
    default:
      return nil
    }
  }

  /// Rules that a recurrent layer's weight cannot honour: those defined by a dense stack (LSUV's per-layer output
  /// variance, IBP's and SIREN's layer-by-layer scales) and identity on a matrix that is not square.
  private func recurrentProblem(
    _ rule: Instance, weight: WeightShape, tensor: WeightTensorShape, path: String
  ) -> CheckProblem? {
    let layer = weight.kind.rawValue
    let note = DiagnosticNote(
      "layer \(weight.path) (\(layer)) has an input weight \(weight.tensors[0].text) and a recurrent weight "
        + "\(weight.tensors[1].text)", at: weight.range)
    switch rule.kind {
    case "lsuv", "ibp", "siren", "siren_first", "winner":
      return CheckProblem(
        GraphDiagnostics.initShape,
        "\(rule.kind) is defined for the weights of a dense stack, not the \(tensor.name) weight of the \(layer) "
          + "layer \(weight.path)",
        at: rule.kindRange, path: path, notes: [note],
        help: "give the \(layer) layer another rule: `\(layer): orthogonal`, or `\(layer).recurrent: identity` for an "
          + "IRNN", severity: .error)
    case "identity" where tensor.rows != tensor.cols:
      let why =
        tensor.name == "input"
        ? "IRNN puts the identity on the recurrent weight" : "a gru's recurrent weight stacks three gates"
      return CheckProblem(
        GraphDiagnostics.initShape,
        "identity needs a square matrix, but the \(tensor.name) weight of the \(layer) layer \(weight.path) is "
          + "\(tensor.text) (\(why))",
        at: rule.kindRange, path: path, notes: [note],
        help: tensor.name == "input"
          ? "select the recurrent weight only: `\(layer).recurrent: identity`" : "use orthogonal on a gru",
        severity: .error)
    case "low_rank":
      guard let rank = resolve.int(rule["rank"]), rank > min(tensor.rows, tensor.cols) else { return nil }
      return CheckProblem(
        GraphDiagnostics.initRank,
        "rank \(rank) is larger than min(rows, columns) = \(min(tensor.rows, tensor.cols)) of the \(tensor.text) "
          + "\(tensor.name) weight of \(weight.path)",
        at: rule.arguments.argument("rank")?.range ?? rule.range, path: "\(path).rank", notes: [note],
        help: "use a rank of at most \(min(tensor.rows, tensor.cols)), or select one weight (`\(layer).recurrent`)")
    default:
      return nil
    }
  }

  private func checkRule(
    _ rule: Instance, weight: WeightShape, tensor: WeightTensorShape, def: InitializerDef, model: ModelDef,
    shape: ModelShape, stage: StageDef, path: String
  ) -> CheckProblem? {
    if weight.kind.isRecurrent {
      if let p = recurrentProblem(rule, weight: weight, tensor: tensor, path: path) { return p }
      if ["low_rank", "identity", "lsuv", "ibp", "siren", "siren_first", "winner"].contains(rule.kind) { return nil }
    }
    if weight.kind.startsAsPyTorch {
      if let p = tokenLayerProblem(rule, weight: weight, tensor: tensor, path: path) { return p }
      if ["low_rank", "identity"].contains(rule.kind) { return nil }
    }
    // Built only for a problem: the weight's text costs more than the checks that pass.
    func layerNote() -> DiagnosticNote {
      DiagnosticNote("layer \(weight.path) has a \(weight.text) weight", at: weight.range)
    }
    // These rules are defined on matrices; a convolution's [F, C, k, k] weight is not one.
    if weight.kind == .conv2d, ["low_rank", "identity"].contains(rule.kind) {
      return CheckProblem(
        GraphDiagnostics.initShape,
        "\(rule.kind) is defined for dense weights, not the \(weight.text) \(weight.kind.rawValue) weight of \(weight.path)",
        at: rule.kindRange, path: path, notes: [layerNote()],
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
        at: rule.arguments.argument("rank")?.range ?? rule.range, path: "\(path).rank", notes: [layerNote()],
        help: "use a rank of at most \(limit), or exclude that layer with a `layers:` rule")
    case "identity":
      guard weight.fanIn != weight.fanOut else { return nil }
      return CheckProblem(
        GraphDiagnostics.initShape,
        "identity on the non-square \(weight.text) weight of \(weight.path) is a rectangular identity: ones on the "
          + "leading diagonal, the remaining \(weight.fanOut > weight.fanIn ? "rows" : "columns") zero",
        at: rule.kindRange, path: path, notes: [layerNote()],
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
