import SproutConfig
import SproutDiagnostics
import SproutSpec

/// The checks of one stage against the definitions it reads: input width, loss, initializer and `from`.
///
/// The same checker serves two callers. The graph phase runs it with literal values, for stages whose inputs are
/// fully literal. The planner runs it once per trial with that trial's resolved values, for stages that involve
/// an expression (`dense: ${params.width}`, `init: ${matrix.init}`), and reports each problem at the same range
/// with a note naming the trial. Shapes come from the caller, which infers them once per model and dataset.
public struct StageChecker {
  /// The spec.
  public var spec: Spec
  /// Resolves argument values (literal-only in the graph phase, per trial in the planner).
  public var resolve: ValueResolver
  /// The shape of a model, if known.
  public var modelShape: (ModelID) -> ModelShape?
  /// The shape of a dataset, if known.
  public var dataShape: (DatasetID) -> DataShape?

  /// Creates a checker.
  public init(
    spec: Spec, resolve: ValueResolver, modelShape: @escaping (ModelID) -> ModelShape?,
    dataShape: @escaping (DatasetID) -> DataShape?
  ) {
    self.spec = spec
    self.resolve = resolve
    self.modelShape = modelShape
    self.dataShape = dataShape
  }

  /// Every problem of `stage` with the references in `binding`.
  public func check(_ stage: StageDef, binding: StageBinding) -> [CheckProblem] {
    var problems: [CheckProblem] = []
    checkUpstream(stage, binding, &problems)
    let model = binding.model.flatMap { spec.model($0) }
    let shape = binding.model.flatMap(modelShape)
    if let model, let shape, let ref = binding.data, let data = dataShape(ref.dataset) {
      checkInput(stage, model, shape, ref, data, &problems)
      // An evaluate stage without its own loss uses its from stage's, whose fit is reported there.
      if let loss = stage.loss { checkLoss(stage, model, loss, shape, ref, data, &problems) }
    }
    // The held-out rows of `eval:` meet the same model.
    if let model, let shape, let text = resolve.string(stage.arguments["eval"]?["data"]),
      let ref = DataReference(parsing: text), let data = dataShape(ref.dataset), shape.input.elementCount != data.features
    {
      problems.append(
        CheckProblem(
          GraphDiagnostics.inputMismatch,
          "model '\(model.id.name)' takes \(shape.input.elementCount) inputs, but the eval data '\(ref)' has \(data.features) "
            + "features",
          at: stage.arguments.argument("eval")?.range ?? stage.range, path: "stages.\(stage.id.name).eval.data",
          notes: [DiagnosticNote("the model's input width is set here", at: model.inputRange)],
          help: "evaluate on rows with the training data's features"))
    }
    if let model, let shape, let id = binding.initializer, let initDef = spec.initializer(id) {
      checkInitializer(stage, initDef, model, shape, &problems)
    }
    if stage.kind == .finetune, let shape { checkAdapters(stage, shape, &problems) }
    return problems
  }

  // MARK: - Adapters

  /// Each adapter's layers exist and take an adapter (dense layers, and attention layers on the entry's `tensors`),
  /// and its rank fits every matrix it is put on (a rank above min(fan_in, fan_out) adds nothing a smaller one cannot
  /// express, and PiSSA and SVFit have no more singular directions to take).
  func checkAdapters(_ stage: StageDef, _ shape: ModelShape, _ problems: inout [CheckProblem]) {
    guard let list = stage.arguments["adapters"]?.listValue else { return }
    let count = shape.weights.count
    for (n, item) in list.enumerated() {
      guard let adapter = item.instanceValue else { continue }
      let path = "stages.\(stage.id.name).adapters[\(n)]"
      let layersArgument = adapter.arguments.argument("layers")
      let layersRange = layersArgument?.range ?? adapter.range
      var indices: [Int] = []
      switch resolve(layersArgument?.value) ?? .string("all") {
      case .string("all"): indices = Array(0..<count)
      case .string("first"): indices = count > 0 ? [0] : []
      case .string("last"): indices = count > 0 ? [count - 1] : []
      case .string(let word):
        guard let kind = WeightLayerKind(rawValue: word) else { continue }
        indices = shape.weights.indices.filter { WeightLayerTag(shape.weights[$0].kind, inBlock: shape.weights[$0].inBlock).isSelected(by: kind) }
        if indices.isEmpty {
          problems.append(
            CheckProblem(
              GraphDiagnostics.adapterRank, "the adapter's layers: \(word) selects nothing: the model has no \(word) layer",
              at: layersRange, path: "\(path).layers", help: "select layers the model has"))
        }
      case .int(let i): indices = [i]
      case .list(let items): indices = items.compactMap(\.intValue)
      default: continue
      }
      var selected: [WeightShape] = []
      for i in indices {
        let k = i < 0 ? count + i : i
        guard shape.weights.indices.contains(k) else {
          problems.append(
            CheckProblem(
              GraphDiagnostics.adapterRank,
              "the adapter's layer \(i) does not exist: the model has \(count) weight layers",
              at: layersRange, path: "\(path).layers",
              help: "count weight layers (dense, attention, embedding, ...) from 0 (negative from the end)"))
          continue
        }
        selected.append(shape.weights[k])
      }
      // Adapters are low-rank updates of matrices applied as linear maps: dense weights and attention projections.
      for w in selected where w.kind != .dense && w.kind != .attention {
        problems.append(
          CheckProblem(
            GraphDiagnostics.adapterRank,
            "adapters go on dense layers and attention projections; weight layer \(w.index) is a \(w.kind.rawValue) "
              + "layer, where they are not implemented",
            at: layersRange, path: "\(path).layers", notes: [DiagnosticNote("that layer is defined here", at: w.range)],
            help: "select dense or attention layers (layers: dense, attention, transformer_block, or their indices)"))
      }
      let tensorsArgument = adapter.arguments.argument("tensors")
      if let tensorsArgument, !tensorsArgument.isDefault, !selected.isEmpty, !selected.contains(where: { $0.kind == .attention }) {
        problems.append(
          CheckProblem(
            GraphDiagnostics.adapterRank,
            "`tensors` names attention projections, but the adapter's layers include no attention layer",
            at: tensorsArgument.range, path: "\(path).tensors",
            help: "remove `tensors`, or select attention layers (layers: attention)"))
      }
      let projections = (resolve(tensorsArgument?.value)?.listValue ?? []).compactMap {
        $0.stringValue.flatMap(AttentionProjection.init(rawValue:))
      }
      let initName = resolve.string(adapter["init"]) ?? "gaussian"
      guard let rank = resolve.int(adapter["rank"]) else { continue }
      let what = adapter.kind == "svfit" ? "SVFit" : initName == "pissa" ? "PiSSA" : initName == "eva" ? "EVA" : "LoRA"
      func tooLarge(_ side: Int, _ place: String, _ w: WeightShape) {
        problems.append(
          CheckProblem(
            GraphDiagnostics.adapterRank, "\(what) rank \(rank) exceeds min(fan_in, fan_out) = \(side) of \(place)",
            at: adapter.arguments.argument("rank")?.range ?? adapter.range, path: "\(path).rank",
            notes: [DiagnosticNote("that layer is defined here", at: w.range)],
            help: "lower the rank, or leave that layer out with layers: [...]"))
      }
      for w in selected {
        switch w.kind {
        case .dense where rank > min(w.fanIn, w.fanOut):
          tooLarge(min(w.fanIn, w.fanOut), "the \(w.text) dense layer \(w.index)", w)
        case .attention:
          for p in projections {
            guard let t = w.tensors.first(where: { $0.name == p.rawValue }), t.shape.count == 2,
              rank > min(t.shape[0], t.shape[1])
            else { continue }
            tooLarge(min(t.shape[0], t.shape[1]), "the \(t.text) \(p.rawValue) projection of attention layer \(w.index)", w)
          }
        default: break
        }
      }
    }
  }

  // MARK: - Input

  /// The data must give the model as many values per sample as its input holds; when the data's files say what a
  /// sample's dimensions are, a shaped input that reads them otherwise (an 8×8 image as [4, 16]) is a warning.
  func checkInput(
    _ stage: StageDef, _ model: ModelDef, _ shape: ModelShape, _ ref: DataReference, _ data: DataShape,
    _ problems: inout [CheckProblem]
  ) {
    let range = stage.arguments.argument("data")?.range ?? stage.range
    let path = "stages.\(stage.id.name).data"
    let note = DiagnosticNote("the model's input is set here", at: model.inputRange)
    let input = shape.input
    guard input.elementCount == data.features else {
      let (takes, help) =
        if case .vector(let n) = input {
          ("\(n) inputs", "set models.\(model.id.name).input to \(data.features)")
        } else {
          ("\(input.phrase) (\(input.elementCount) values per sample)", "give the model an input of \(data.features) values")
        }
      problems.append(
        CheckProblem(
          GraphDiagnostics.inputMismatch,
          "model '\(model.id.name)' takes \(takes), but '\(ref)' has \(data.features) features", at: range, path: path,
          notes: [note], help: help))
      return
    }
    guard let dims = data.sampleDimensions, !Self.reads(dims, as: input) else { return }
    let written = dims.map(String.init).joined(separator: "×")
    problems.append(
      CheckProblem(
        GraphDiagnostics.inputMismatch,
        "model '\(model.id.name)' reads the \(written) samples of '\(ref)' as \(input.phrase)", at: range,
        path: path, notes: [note],
        help: "an image of \(written) samples is {image: [\(dims.count == 2 ? "1, " : "")\(dims.map(String.init).joined(separator: ", "))]}",
        severity: .warning))
  }

  /// True when samples of `dims` (from a file) are read in their own layout by `input`: a vector flattens anything,
  /// an image is [C, H, W] or [H, W] with one channel, a sequence [L, F] is L rows of F.
  static func reads(_ dims: [Int], as input: TensorShape) -> Bool {
    switch input {
    case .vector, .tokens: return true
    case .image(let c, let h, let w): return dims == [c, h, w] || (c == 1 && dims == [h, w])
    case .sequence(let l, let f): return dims == [l, f]
    }
  }

  // MARK: - Loss

  func checkLoss(
    _ stage: StageDef, _ model: ModelDef, _ loss: Instance, _ shape: ModelShape, _ ref: DataReference, _ data: DataShape,
    _ problems: inout [CheckProblem]
  ) {
    guard let outputShape = shape.output else { return }
    let out = outputShape.elementCount
    let path = "stages.\(stage.id.name).loss"
    let range = loss.range
    let lastLayer = DiagnosticNote("the model's output width is set by its last layer", at: model.layers.last?.range)
    func fail(_ message: String, _ help: String) {
      problems.append(
        CheckProblem(GraphDiagnostics.lossTarget, message, at: range, path: path, notes: [lastLayer], help: help))
    }
    // An ibp objective is a cross-entropy (of clean and worst-case logits): it needs what cross_entropy needs.
    let lossKind = loss.kind == "ibp" ? "cross_entropy" : loss.kind
    if case .tokens(let length, let vocab) = data.target {
      let wanted = TensorShape.sequence(length: length, features: vocab)
      if lossKind != "cross_entropy" {
        fail("'\(ref)' has token-id targets, which only cross_entropy reads", "use loss: cross_entropy")
      } else if outputShape != wanted {
        fail(
          "cross_entropy over token ids [\(length)] of \(vocab) needs logits \(wanted), but the model outputs "
            + "\(outputShape.phrase)",
          "end the model with a dense layer of \(vocab) units (it acts on each position)")
      }
      return
    }
    if lossKind == "cross_entropy", case .classes = data.target, !(outputShape.isVector) {
      fail(
        "cross_entropy over class labels needs a vector of logits, but the model outputs \(outputShape.phrase)",
        "end the model with a dense layer of one unit per class")
      return
    }
    switch (lossKind, data.target) {
    case ("cross_entropy", .values(let w)):
      fail(
        "cross_entropy needs class labels, but '\(ref)' has real-valued targets (\(w) per sample)",
        "use mse for real-valued targets")
    case ("cross_entropy", .classes(let n?, _)) where n != out:
      fail(
        "cross_entropy over \(n) classes needs an output width of \(n), but the model outputs \(out)",
        "make the last dense layer \(n) units")
    case ("mse", .values(let w)) where w != out:
      fail("mse compares \(out) outputs with \(w) target values per sample", "make the last dense layer \(w) units")
    case ("mse", .classes(let n?, true)) where n != out:
      fail(
        "mse against one-hot labels of \(n) classes needs \(n) outputs, but the model outputs \(out)",
        "make the last dense layer \(n) units")
    case ("mse", .classes(_, false)) where out != 1:
      fail(
        "mse against class labels compares \(out) outputs with one label per sample",
        "set one_hot: true on the dataset, or use cross_entropy")
    case ("bce_with_logits", .classes(let n?, _)) where n > 2:
      fail(
        "bce_with_logits is a binary loss, but '\(ref)' has \(n) classes", "use cross_entropy for more than two classes"
      )
    case ("bce_with_logits", .classes(let n?, let oneHot)) where (oneHot ? n : 1) != out:
      fail(
        "bce_with_logits on binary labels needs \(oneHot ? n : 1) output\(oneHot ? "s" : ""), "
          + "but the model outputs \(out)",
        "make the last dense layer \(oneHot ? n : 1) unit\(oneHot ? "s" : "")")
    case ("bce_with_logits", .values(let w)) where w != out:
      fail(
        "bce_with_logits compares \(out) logits with \(w) targets per sample", "make the last dense layer \(w) units")
    default:
      break
    }
  }
}
