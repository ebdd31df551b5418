import SproutDiagnostics
import SproutSyntax

extension Decoder {
  /// Decodes a node as a value of `type`, reporting every problem; `nil` when anything inside was wrong.
  /// `bounds` carries the numeric range to check (applied to every number inside lists and maps).
  ///
  /// `path` is built only when something needs it (a report, a reference, a nested definition): most arguments are
  /// scalars that fit, and joining a key path for each was a tenth of decoding.
  mutating func decodeValue(
    _ node: Node, _ type: ArgumentType, bounds: ArgumentSpec?, path makePath: @autoclosure () -> String
  ) -> Value? {
    if let s = node.scalar, ExpressionParser.containsExpression(s), node.tag == nil {
      let path = makePath()
      // A template layer (`- ${matrix.act}`): its kind is chosen per trial.
      if type == .kind(.layer) { return decodeChosenLayer(node, s, path: path).map { .instance($0) } }
      guard type.acceptsExpression else {
        report(
          "spec.expression-not-allowed", "an expression cannot stand for \(type.phrase) here", at: node.range,
          path: path,
          help: type.isKind
            ? "to sweep over kinds, define one definition per kind and sweep over their names" : nil)
        return nil
      }
      let value = decodeExpression(node, s, type: type, bounds: bounds, path: path)
      if case .expression(let ev)? = value {
        switch type {
        case .reference(let sort): pendingExpressions.append((ev, sort, path, currentOwner))
        case .data: pendingExpressions.append((ev, .dataset, path, currentOwner))
        default: break
        }
      }
      return value
    }
    switch type {
    case .int, .float, .bool, .string, .enumeration:
      guard node.scalar != nil else {
        reportWrongType(node, type, path: makePath())
        return nil
      }
      // A non-finite number has its own error where a number is expected; elsewhere it is just of the wrong type.
      let numeric = type == .int || type == .float
      guard let v = numeric ? resolveScalar(node, path: makePath()) : Scalar.resolve(node) else { return nil }
      return checkScalar(v, node: node, type: type, bounds: bounds, path: makePath())
    case .kind(let sort):
      // The path of a nested definition is spelled out only when something in it needs it (a report, a reference).
      return decodeInstance(node, sort, path: makePath(), allowShort: Catalogue.allowsShortForm(sort))
        .map { .instance($0.instance) }
    case .list(let element):
      guard let items = node.sequence else {
        reportWrongType(node, type, path: makePath())
        return nil
      }
      var out: [Value] = []
      out.reserveCapacity(items.count)
      var ok = true
      for (i, item) in items.enumerated() {
        if let v = decodeValue(item, element, bounds: bounds, path: "\(makePath())[\(i)]") {
          out.append(v)
        } else {
          ok = false
        }
      }
      return ok ? .list(out) : nil
    default: break
    }
    let path = makePath()
    switch type {
    case .int, .float, .bool, .string, .enumeration, .kind, .list:
      preconditionFailure("decoded above")
    case .reference(let sort):
      guard let name = nameScalar(node, type, path: path) else { return nil }
      pending.append(
        PendingReference(name: name, split: nil, sort: sort, range: node.range, path: path, owner: currentOwner))
      return .string(name)
    case .data:
      guard let text = nameScalar(node, type, path: path) else { return nil }
      guard let ref = DataReference(parsing: text) else {
        report(
          "spec.wrong-type", "'\(text)' is not a data reference", at: node.range, path: path,
          help: "write a dataset name, or DATASET.SPLIT such as teacher.train")
        return nil
      }
      pending.append(
        PendingReference(
          name: ref.dataset.name, split: ref.split, sort: .dataset, range: node.range, path: path, owner: currentOwner))
      return .string(text)
    case .map(let element):
      guard let pairs = node.mapping else {
        reportWrongType(node, type, path: path)
        return nil
      }
      var out: [Value.Entry] = []
      var ok = true
      for pair in pairs {
        guard let k = scalarKey(pair, path: path) else {
          ok = false
          continue
        }
        if let v = decodeValue(pair.value, element, bounds: bounds, path: Decoder.join(path, k)) {
          out.append(.init(k, v))
        } else {
          ok = false
        }
      }
      return ok ? .map(out) : nil
    case .layerSelector:
      return decodeSelectorValue(node, path: path)
    case .oneOf(let alternatives):
      for alternative in alternatives {
        var trial = self
        trial.diagnostics = Diagnostics()
        if let v = trial.decodeValue(node, alternative, bounds: bounds, path: path), !trial.diagnostics.hasErrors {
          let kept = diagnostics
          self = trial
          diagnostics = kept
          diagnostics.append(contentsOf: trial.diagnostics)
          return v
        }
      }
      reportWrongType(node, type, path: path)
      return nil
    case .record(let fields, let main):
      if let pairs = node.mapping {
        var out: [Value.Entry] = []
        var ok = true
        var written: Set<String> = []
        for pair in pairs {
          guard let k = scalarKey(pair, path: path) else { continue }
          guard let field = fields.first(where: { $0.name == k }) else {
            reportUnknownKey(
              pair.key, k, candidates: fields.map(\.name), path: path,
              what: "'\(path.split(separator: ".").last ?? "")'")
            ok = false
            continue
          }
          written.insert(k)
          if let v = decodeValue(pair.value, field.type, bounds: field, path: Decoder.join(path, k)) {
            out.append(.init(k, v))
          } else {
            ok = false
          }
        }
        for field in fields where !written.contains(field.name) {
          if let d = field.defaultValue { out.append(.init(field.name, d)) }
        }
        return ok ? .map(out) : nil
      }
      guard let main, let field = fields.first(where: { $0.name == main }), node.scalar != nil else {
        reportWrongType(node, type, path: path)
        return nil
      }
      guard let v = decodeValue(node, field.type, bounds: field, path: Decoder.join(path, main)) else { return nil }
      var out = [Value.Entry(main, v)]
      for f in fields where f.name != main { if let d = f.defaultValue { out.append(.init(f.name, d)) } }
      return .map(out)
    }
  }

  /// A plain name for a reference: a scalar string.
  mutating func nameScalar(_ node: Node, _ type: ArgumentType, path: String) -> String? {
    guard let v = Scalar.resolve(node), case .string(let s) = v, !s.isEmpty else {
      reportWrongType(node, type, path: path)
      return nil
    }
    return s
  }

  /// Type and range checks of one resolved scalar.
  mutating func checkScalar(
    _ v: Value, node: Node, type: ArgumentType, bounds: ArgumentSpec?, path makePath: @autoclosure () -> String
  ) -> Value? {
    switch Catalogue.conform(v, to: type, bounds: bounds) {
    case .success(let value): return value
    case .failure(let problem):
      let path = makePath()
      var help = problem.help
      if case .enumeration(let cases) = type, case .string(let s) = v {
        reportInvalidChoice(s, cases: cases, at: node.range, path: path)
        return nil
      }
      if problem.id == "spec.wrong-type", case .string(let s) = v, node.scalarStyle == .plain, type == .string {
        help = help ?? "quote it: '\(s)'"
      }
      report(
        problem.id, problem.message(path: path, found: node.kindDescription), at: node.range, path: path,
        help: help)
      return nil
    }
  }

  /// `first`, `last`, `all`, an integer, or a list of integers.
  mutating func decodeSelectorValue(_ node: Node, path: String) -> Value? {
    if let items = node.sequence {
      var out: [Value] = []
      for item in items {
        guard case .int(let i)? = Scalar.resolve(item) else {
          report(
            "spec.invalid-selector", "a layer index must be an integer, found \(item.kindDescription)",
            at: item.range, path: path)
          return nil
        }
        out.append(.int(i))
      }
      return .list(out)
    }
    switch Scalar.resolve(node) {
    case .int(let i)?: return .int(i)
    case .string(let s)? where ["first", "last", "all"].contains(s): return .string(s)
    default:
      report(
        "spec.invalid-selector", "expected a layer selector, found \(node.kindDescription)", at: node.range,
        path: path, help: "write first, last, all, an index (from 0; negative from the end) or a list of indices")
      return nil
    }
  }
}

extension ArgumentType {
  var isKind: Bool {
    if case .kind = self { return true }
    return false
  }
}
