import SproutConfig
import SproutDiagnostics
import SproutSyntax

extension Decoder {
  mutating func markInvalid(_ sort: DefinitionSort, _ name: String) {
    spec.invalidNames[sort, default: []].insert(name)
  }

  mutating func decodeDataset(name: String, key: Node, node: Node) {
    let path = "datasets.\(name)"
    guard let (instance, _) = decodeInstance(node, .dataset, path: path, allowShort: false) else {
      return markInvalid(.dataset, name)
    }
    spec.datasets.append(DatasetDef(id: DatasetID(name), nameRange: key.range, definition: instance))
  }

  mutating func decodeModel(name: String, key: Node, node: Node) {
    let path = "models.\(name)"
    guard let pairs = expectMapping(node, path: path) else { return markInvalid(.model, name) }
    var ok = true
    var input: (Value, SourceRange)?
    var layers: [Instance]?
    for pair in pairs {
      guard let k = scalarKey(pair, path: path) else {
        ok = false
        continue
      }
      switch k {
      case "input":
        let spec = Catalogue.modelInput
        if let v = decodeValue(pair.value, spec.type, bounds: spec, path: "\(path).input") {
          // A literal shape is checked here; one with expressions when the planner has resolved it.
          if !v.containsExpression, case .failure(let p) = Catalogue.inputShape(v) {
            report(p.id, p.message, at: pair.value.range, path: "\(path).input", help: p.help)
            ok = false
          } else {
            input = (v, pair.value.range)
          }
        } else {
          ok = false
        }
      case "layers":
        layers = decodeLayerList(pair.value, path: "\(path).layers")
        if layers == nil { ok = false }
      default:
        reportUnknownKey(pair.key, k, candidates: ["input", "layers"], path: path, what: "a model")
        ok = false
      }
    }
    if input == nil && ok {
      report(
        "spec.missing-required", "model '\(name)' needs 'input' (the input width)", at: key.range, path: path,
        help: "add 'input: N', the number of input features")
      ok = false
    }
    if layers == nil && ok {
      report(
        "spec.missing-required", "model '\(name)' needs 'layers'", at: key.range, path: path,
        help: "add 'layers: [{dense: 64}, relu, {dense: 1}]'")
      ok = false
    }
    guard ok, let (inputValue, inputRange) = input, let layers else { return markInvalid(.model, name) }
    spec.models.append(
      ModelDef(
        id: ModelID(name), nameRange: key.range, input: inputValue, inputRange: inputRange, layers: layers,
        range: node.range))
  }

  /// A non-empty list of layers (used by models and `residual`).
  mutating func decodeLayerList(_ node: Node, path: String) -> [Instance]? {
    guard let value = decodeValue(node, .list(.kind(.layer)), bounds: nil, path: path),
      let items = value.listValue
    else { return nil }
    if items.isEmpty {
      report(
        "spec.wrong-type", "a layer list cannot be empty", at: node.range, path: path,
        help: "add at least one layer, e.g. {dense: 1}")
      return nil
    }
    return items.compactMap(\.instanceValue)
  }

  mutating func decodeInitializer(name: String, key: Node, node: Node) {
    let path = "initializers.\(name)"
    guard
      let (rule, extra) = decodeInstance(
        node, .initializer, path: path, allowShort: false, extraKeys: ["layers", "bias"])
    else { return markInvalid(.initializer, name) }
    var ok = true
    var layerRules: [LayerRule] = []
    var bias = Instance(
      sort: .initializer, kind: "zeros", arguments: Arguments(), range: node.range,
      kindRange: node.range)
    for pair in extra {
      switch pair.key.scalar {
      case "bias":
        if let (b, _) = decodeInstance(pair.value, .initializer, path: "\(path).bias", allowShort: true) {
          bias = b
        } else {
          ok = false
        }
      default:
        guard let selectorPairs = expectMapping(pair.value, path: "\(path).layers") else {
          ok = false
          continue
        }
        for sp in selectorPairs {
          let sPath = "\(path).layers.\(sp.key.scalar ?? "?")"
          guard let (selector, tensor) = decodeTensorSelectorKey(sp.key, path: sPath) else {
            ok = false
            continue
          }
          guard let (r, _) = decodeInstance(sp.value, .initializer, path: sPath, allowShort: true) else {
            ok = false
            continue
          }
          layerRules.append(LayerRule(selector: selector, selectorRange: sp.key.range, rule: r, tensor: tensor))
        }
      }
    }
    guard ok else { return markInvalid(.initializer, name) }
    spec.initializers.append(
      InitializerDef(id: InitializerID(name), nameRange: key.range, rule: rule, layerRules: layerRules, bias: bias))
  }

  /// The weight tensors a selector key may name after a dot: a recurrent layer's (`rnn.recurrent`, `0.input`), an
  /// embedding's (`embedding.token`, `embedding.position`), attention's (`attention.query`, `key`, `value`,
  /// `output`) and a transformer block's MLP matrices (`transformer_block.linear1`, `linear2`).
  static let tensorWords =
    ["input", "recurrent", "token", "position"] + LayerConfig.attentionTensorWords + ["linear1", "linear2"]

  /// A selector key, optionally naming one weight tensor of the selected layers after a dot: `rnn.recurrent`,
  /// `0.input`, `last.recurrent`.
  mutating func decodeTensorSelectorKey(_ node: Node, path: String) -> (LayerSelector, String?)? {
    if let s = node.scalar, let dot = s.lastIndex(of: "."), !s.contains(",") {
      let word = String(s[s.index(after: dot)...]).trimmingSpaces
      guard Self.tensorWords.contains(word) else {
        report(
          "spec.invalid-selector", "'\(word)' names no weight tensor of a layer", at: node.range, path: path,
          help: Suggestions.nearest(word, among: Self.tensorWords).map { "did you mean '\($0)'?" }
            ?? "name a weight tensor: `input` or `recurrent` (rnn, gru), `token` or `position` (embedding), `query`, "
            + "`key`, `value` or `output` (attention), `linear1` or `linear2` (a transformer block's MLP)")
        return nil
      }
      let base = Node(.scalar(String(s[..<dot]), .plain), range: node.range)
      guard let selector = decodeSelectorKey(base, path: path) else { return nil }
      return (selector, word)
    }
    guard let selector = decodeSelectorKey(node, path: path) else { return nil }
    return (selector, nil)
  }

  /// A selector written as a mapping key: `first`, `last`, an integer, `1,3`, a flow sequence `[1, 3]`, or a kind of
  /// layer with weights (`dense`, `conv2d`, `rnn`, `gru`).
  mutating func decodeSelectorKey(_ node: Node, path: String) -> LayerSelector? {
    if let s = node.scalar, let kind = WeightLayerKind(rawValue: s.trimmingSpaces) { return .kind(kind) }
    if let items = node.sequence {
      let ints = items.compactMap { Scalar.resolve($0)?.intValue }
      if ints.count == items.count, !ints.isEmpty { return .indices(ints) }
    } else if let s = node.scalar {
      switch s {
      case "first": return .first
      case "last": return .last
      default:
        if let i = Int(s.trimmingSpaces) { return .index(i) }
        let parts = s.split(separator: ",").map { Int(String($0).trimmingSpaces) }
        if parts.count > 1, parts.allSatisfy({ $0 != nil }) { return .indices(parts.compactMap { $0 }) }
      }
    }
    let suggestion = node.scalar.flatMap {
      Suggestions.nearest($0, among: ["first", "last"] + WeightLayerKind.allCases.map(\.rawValue))
    }
    report(
      "spec.invalid-selector", "'\(node.scalar ?? node.description)' does not select layers", at: node.range,
      path: path,
      help: suggestion.map { "did you mean '\($0)'?" }
        ?? "use first, last, an index (layers with parameters, from 0; negative from the end), a list like '1,3' "
        + "or a kind (dense, conv2d, rnn, gru, embedding, attention, transformer_block), optionally with one of its "
        + "weights: 'rnn.recurrent', '0.input', 'attention.query', 'transformer_block.linear1'")
    return nil
  }

  mutating func decodeStage(name: String, key: Node, node: Node) {
    let path = "stages.\(name)"
    guard let (instance, _) = decodeInstance(node, .stage, path: path, allowShort: false),
      let kind = StageKind(rawValue: instance.kind)
    else { return markInvalid(.stage, name) }
    spec.stages.append(StageDef(id: StageID(name), nameRange: key.range, kind: kind, definition: instance))
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
