import SproutDiagnostics

extension Spec {
  /// Checks the AST's invariants (for tests, as swift-collections' `_checkInvariants()`): names unique per section
  /// and identifiers, every instance's kind in the catalogue with only catalogue arguments, every argument the
  /// catalogue requires present, and every literal reference naming a definition of its sort. Returns the
  /// violations in words; empty when the spec is well-formed.
  public func verify() -> [String] {
    var problems: [String] = []
    func unique(_ names: [String], _ section: String) {
      var seen: Set<String> = []
      for n in names {
        if !seen.insert(n).inserted { problems.append("\(section): '\(n)' defined twice") }
        if !SpecNames.isIdentifier(n) { problems.append("\(section): '\(n)' is not an identifier") }
      }
    }
    unique(datasets.map(\.id.name), "datasets")
    unique(models.map(\.id.name), "models")
    unique(initializers.map(\.id.name), "initializers")
    unique(stages.map(\.id.name), "stages")
    unique(params.map(\.name), "params")

    func instance(_ i: Instance, _ path: String) {
      // A layer whose kind an expression chooses (`- ${matrix.act}`) has a kind only per trial; lint checks each.
      if i.isChosenKind { return }
      guard let kind = i.spec else {
        problems.append("\(path): unknown \(i.sort.rawValue) kind '\(i.kind)'")
        return
      }
      for a in i.arguments {
        guard let spec = kind.argument(a.name) else {
          problems.append("\(path).\(a.name): not an argument of \(i.kind)")
          continue
        }
        if !a.value.containsExpression, case .failure(let p) = Catalogue.conform(a.value, to: spec.type, bounds: spec) {
          problems.append("\(path).\(a.name): \(p.message(path: a.name, found: a.value.kindDescription))")
        }
        nested(a.value, "\(path).\(a.name)")
      }
      for spec in kind.arguments where spec.required && i.arguments.argument(spec.name) == nil {
        problems.append("\(path): missing required '\(spec.name)'")
      }
    }
    func nested(_ v: Value, _ path: String) {
      switch v {
      case .instance(let i): instance(i, path)
      case .list(let items): for (n, item) in items.enumerated() { nested(item, "\(path)[\(n)]") }
      default: break
      }
    }
    func reference(_ v: Value?, _ sort: DefinitionSort, _ path: String) {
      guard case .string(let s)? = v else { return }
      let name = sort == .dataset ? (DataReference(parsing: s)?.dataset.name ?? s) : s
      if !sorts(defining: name).contains(sort) { problems.append("\(path): '\(s)' names no \(sort.rawValue)") }
    }
    for d in datasets { instance(d.definition, "datasets.\(d.id.name)") }
    for m in models {
      if m.layers.isEmpty { problems.append("models.\(m.id.name): no layers") }
      for (n, l) in m.layers.enumerated() { instance(l, "models.\(m.id.name).layers[\(n)]") }
    }
    for i in initializers {
      instance(i.rule, "initializers.\(i.id.name)")
      instance(i.bias, "initializers.\(i.id.name).bias")
      for r in i.layerRules { instance(r.rule, "initializers.\(i.id.name).layers.\(r.key)") }
      if i.rule.kind == "from_stage" { reference(i.rule["stage"], .stage, "initializers.\(i.id.name).stage") }
    }
    for s in stages {
      let path = "stages.\(s.id.name)"
      instance(s.definition, path)
      if s.definition.kind != s.kind.rawValue { problems.append("\(path): kind mismatch") }
      reference(s.arguments["model"], .model, "\(path).model")
      reference(s.arguments["init"], .initializer, "\(path).init")
      reference(s.arguments["data"], .dataset, "\(path).data")
      reference(s.arguments["base"], .stage, "\(path).base")
      if case .list(let l)? = s.arguments["from"] {
        for v in l { reference(v, .stage, "\(path).from") }
      } else {
        reference(s.arguments["from"], .stage, "\(path).from")
      }
    }
    if let m = matrix {
      m.root.visitAxes { a in
        if a.values.isEmpty { problems.append("matrix.\(a.name): no values") }
        if a.values.count != a.valueRanges.count { problems.append("matrix.\(a.name): ranges do not match values") }
      }
    }
    return problems
  }
}

/// Name rules shared by the decoder and `verify()`.
enum SpecNames {
  /// Letters, digits, `_` and `-`, starting with a letter or `_`.
  static func isIdentifier(_ s: String) -> Bool {
    // ASCII fast path: Character properties are slow and names are almost always ASCII.
    let bytes = s.utf8
    if let first = bytes.first, bytes.allSatisfy({ $0 < 0x80 }) {
      func letter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
      guard letter(first) || first == UInt8(ascii: "_") else { return false }
      return bytes.allSatisfy {
        letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
          || $0 == UInt8(ascii: "-")
      }
    }
    guard let first = s.first, first == "_" || first.isLetter else { return false }
    return s.allSatisfy { $0 == "_" || $0 == "-" || $0.isLetter || $0.isNumber }
  }
}
