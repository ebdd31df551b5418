import SproutDiagnostics
import SproutSyntax

/// Model templates: a layer whose kind is an expression (`- ${matrix.act}`), resolved per trial.
extension Instance {
  /// The kind name of a layer whose kind an expression chooses; its only argument, `kind`, holds the expression.
  public static let chosenKind = "${kind}"

  /// True for a layer whose kind an expression chooses.
  public var isChosenKind: Bool { kind == Instance.chosenKind }

  /// A layer whose kind `expression` chooses, written at `range`.
  static func chosenLayer(_ expression: ExpressionValue, range: SourceRange) -> Instance {
    Instance(
      sort: .layer, kind: chosenKind,
      arguments: Arguments([Argument(name: "kind", value: .expression(expression), keyRange: nil, range: range)]),
      range: range, kindRange: range)
  }

  /// The instance of kind `name` with every argument at its catalogue default (kind defaults as instances), at
  /// `range`; nil for an unknown kind.
  public static func withDefaults(_ sort: Sort, _ name: String, range: SourceRange) -> Instance? {
    guard case .instance(let i) = Decoder.materialize(.string(name), as: .kind(sort), range: range) else { return nil }
    return i
  }
}

extension Value {
  /// The value with every layer whose kind an expression chose (and which is resolved to a name) replaced by that
  /// kind with its defaults; a name that is not a layer kind stays as it is (the catalogue check reports it).
  public var choosingKinds: Value {
    containsChosenKind ? replacingChosenKinds : self
  }

  /// True when a layer inside has its kind chosen by an expression (a walk without copying).
  var containsChosenKind: Bool {
    switch self {
    case .null, .bool, .int, .float, .string, .expression: return false
    case .list(let items): return items.contains(where: \.containsChosenKind)
    case .map(let entries): return entries.contains { $0.value.containsChosenKind }
    case .instance(let i): return i.isChosenKind || i.arguments.entries.contains { $0.value.containsChosenKind }
    }
  }

  private var replacingChosenKinds: Value {
    switch self {
    case .null, .bool, .int, .float, .string, .expression: return self
    case .list(let items): return .list(items.map(\.replacingChosenKinds))
    case .map(let entries): return .map(entries.map { Value.Entry($0.key, $0.value.replacingChosenKinds) })
    case .instance(let i):
      if i.isChosenKind, case .string(let name)? = i["kind"],
        let chosen = Instance.withDefaults(i.sort, name, range: i.range)
      {
        return .instance(chosen)
      }
      var out = i
      out.arguments = Arguments(
        i.arguments.entries.map { a in
          var b = a
          b.value = a.value.replacingChosenKinds
          return b
        })
      return .instance(out)
    }
  }
}

extension Decoder {
  /// A layer written as `${...}`: an expression that gives, in every trial, the name of a layer kind that needs no
  /// arguments (an activation, say). Each value is checked against the catalogue now, for every combination of the
  /// axes it reads.
  mutating func decodeChosenLayer(_ node: Node, _ text: String, path: String) -> Instance? {
    let kinds = Catalogue.kinds(.layer).filter { k in !k.arguments.contains { $0.required } }.map(\.name)
    guard case .expression(let ev)? = decodeExpression(node, text, type: .enumeration(kinds), bounds: nil, path: path)
    else {
      return nil
    }
    return Instance.chosenLayer(ev, range: node.range)
  }
}
