import SproutDiagnostics
import SproutSyntax

extension Decoder {
  /// Decodes something with a kind, in any of its three forms:
  ///
  /// ```
  /// relu                          bare kind name (no arguments written)
  /// {dense: 256}                  short form: one key = the kind, its value the main argument ...
  /// {dense: {units: 256}}         ... or the argument map
  /// {kind: dense, units: 256}     full form
  /// ```
  /// `extraKeys` are keys the caller decodes itself (an initializer's `layers` and `bias`); they are returned.
  mutating func decodeInstance(
    _ node: Node, _ sort: Sort, path makePath: @autoclosure () -> String, allowShort: Bool, extraKeys: [String] = []
  ) -> (instance: Instance, extra: [Node.Pair])? {
    switch node.content {
    case .scalar:
      // A template layer: `- ${matrix.act}` (the kind chosen per trial).
      if sort == .layer, let text = node.scalar, ExpressionParser.containsExpression(text) {
        return decodeChosenLayer(node, text, path: makePath()).map { ($0, []) }
      }
      guard let name = kindName(node, sort, path: makePath()) else { return nil }
      guard let kind = lookupKind(name, sort, at: node.range, path: makePath()) else { return nil }
      return finish(
        kind, written: [], present: WrittenNames(capacity: 0), node: node, kindRange: node.range, path: makePath()
      ).map { ($0, []) }
    case .sequence:
      reportWrongType(node, .kind(sort), path: makePath(), help: formsHelp(sort))
      return nil
    case .mapping(let pairs):
      if let kindPair = pairs.first(where: { $0.key.scalar == "kind" }) {
        guard let name = kindName(kindPair.value, sort, path: Decoder.join(makePath(), "kind")) else { return nil }
        guard let kind = lookupKind(name, sort, at: kindPair.value.range, path: Decoder.join(makePath(), "kind")) else {
          return nil
        }
        // Sized once: growing from empty reallocated the list (and copied every argument) at the 2nd and 3rd.
        var written: [Argument] = []
        written.reserveCapacity(pairs.count - 1)
        var extra: [Node.Pair] = []
        var ok = true
        var present = WrittenNames(capacity: pairs.count)
        for pair in pairs where pair.key.scalar != "kind" {
          guard let key = scalarKey(pair, path: makePath()) else {
            ok = false
            continue
          }
          if extraKeys.contains(key) {
            extra.append(pair)
            continue
          }
          guard let arg = kind.argument(key) else {
            reportUnknownKey(
              pair.key, key, candidates: ["kind"] + kind.arguments.map(\.name) + extraKeys, path: makePath(),
              what: "\(sort.rawValue) '\(kind.name)'")
            ok = false
            continue
          }
          present.insert(key)
          if let v = decodeValue(pair.value, arg.type, bounds: arg, path: Decoder.join(makePath(), key)) {
            written.append(Argument(name: key, value: v, keyRange: pair.key.range, range: pair.value.range))
          } else {
            ok = false
          }
        }
        guard
          let instance = finish(
            kind, written: written, present: present, node: node, kindRange: kindPair.value.range, path: makePath()),
          ok
        else { return nil }
        return (instance, extra)
      }
      guard allowShort, pairs.count == 1, let name = pairs[0].key.scalar else {
        report(
          "spec.missing-kind", "\(sort.withArticle) needs a 'kind'", at: node.range, path: makePath(),
          help: formsHelp(sort))
        return nil
      }
      let pair = pairs[0]
      guard let kind = lookupKind(name, sort, at: pair.key.range, path: makePath()) else { return nil }
      var written: [Argument] = []
      written.reserveCapacity(pair.value.mapping?.count ?? 1)
      var present = WrittenNames(capacity: pair.value.mapping?.count ?? 1)
      if pair.value.isNull {
        // `- relu:` — the kind alone.
      } else if let argPairs = pair.value.mapping, !(kind.mainArgumentTakesMapping) {
        var ok = true
        for p in argPairs {
          guard let key = scalarKey(p, path: Decoder.join(makePath(), name)) else {
            ok = false
            continue
          }
          guard let arg = kind.argument(key) else {
            reportUnknownKey(
              p.key, key, candidates: kind.arguments.map(\.name), path: Decoder.join(makePath(), name),
              what: "\(sort.rawValue) '\(kind.name)'")
            ok = false
            continue
          }
          present.insert(key)
          if let v = decodeValue(p.value, arg.type, bounds: arg, path: Decoder.join(Decoder.join(makePath(), name), key)) {
            written.append(Argument(name: key, value: v, keyRange: p.key.range, range: p.value.range))
          } else {
            ok = false
          }
        }
        guard ok else { return nil }
      } else {
        guard let mainName = kind.mainArgument, let main = kind.argument(mainName) else {
          report(
            "spec.wrong-type",
            kind.arguments.isEmpty
              ? "\(sort.rawValue) '\(kind.name)' takes no arguments, found \(pair.value.kindDescription)"
              : "\(sort.rawValue) '\(kind.name)' has no main argument, so \(pair.value.kindDescription) cannot "
                + "say which argument it sets", at: pair.value.range, path: Decoder.join(makePath(), name),
            help: kind.arguments.isEmpty
              ? "write just '\(kind.name)'"
              : "write '\(name): {\(kind.arguments[0].name): ...}'")
          return nil
        }
        guard let v = decodeValue(pair.value, main.type, bounds: main, path: Decoder.join(Decoder.join(makePath(), name), mainName)) else {
          return nil
        }
        written.append(Argument(name: mainName, value: v, keyRange: nil, range: pair.value.range))
      }
      if let m = kind.mainArgument, pair.value.mapping == nil { present.insert(m) }
      return finish(kind, written: written, present: present, node: node, kindRange: pair.key.range, path: makePath())
        .map { ($0, []) }
    }
  }

  func formsHelp(_ sort: Sort) -> String {
    let example = Catalogue.kinds(sort).first { $0.mainArgument != nil } ?? Catalogue.kinds(sort).first
    let name = example?.name ?? "NAME"
    if Catalogue.allowsShortForm(sort) {
      return "write '\(name)', '{\(name): ...}' or '{kind: \(name), ...}'"
    }
    return "add 'kind:' with one of: " + Catalogue.names(sort).joined(separator: ", ")
  }

  /// The kind name of a scalar, rejecting expressions and non-strings.
  mutating func kindName(_ node: Node, _ sort: Sort, path makePath: @autoclosure () -> String) -> String? {
    if let s = node.scalar, ExpressionParser.containsExpression(s) {
      let path = makePath()
      report(
        "spec.expression-not-allowed", "the kind of \(sort.withArticle) cannot be an expression", at: node.range,
        path: path, help: "define one \(sort.rawValue) per kind and sweep over the names of definitions instead")
      return nil
    }
    guard case .string(let s)? = Scalar.resolve(node) else {
      report(
        "spec.wrong-type", "expected the name of \(sort.withArticle) kind, found \(node.kindDescription)",
        at: node.range, path: makePath())
      return nil
    }
    return s
  }

  /// Looks a kind up, reporting unknown kinds with the nearest one (camelCase slips get a fix-it).
  mutating func lookupKind(
    _ name: String, _ sort: Sort, at range: SourceRange, path makePath: @autoclosure () -> String
  ) -> KindSpec? {
    if let k = Catalogue.kind(sort, name) { return k }
    let path = makePath()
    let names = Catalogue.names(sort)
    let snake = Suggestions.snakeCase(name)
    if snake != name, Catalogue.kind(sort, snake) != nil {
      report(
        "spec.snake-case", "'\(name)' is written in camelCase; kinds are snake_case", at: range, path: path,
        help: "rename it to '\(snake)'", fixIts: [FixIt("rename to '\(snake)'", range: range, replacement: snake)])
      return nil
    }
    if let colon = name.firstIndex(of: ":"), Catalogue.kind(sort, String(name[..<colon])) != nil {
      report(
        "spec.unknown-kind", "unknown \(sort.rawValue) '\(name)'", at: range, path: path,
        help: "YAML needs a space after the colon: '\(name[..<colon]): \(name[name.index(after: colon)...])'")
      return nil
    }
    let suggestion = Suggestions.nearest(name, among: names)
    var notes: [DiagnosticNote] = []
    for other in Sort.allCases where other != sort && Catalogue.kind(other, name) != nil {
      notes.append(DiagnosticNote("'\(name)' is \(other.withArticle) kind"))
    }
    report(
      "spec.unknown-kind", "unknown \(sort.rawValue) '\(name)'", at: range, path: path, notes: notes,
      help: suggestion.map { "did you mean '\($0)'?" }
        ?? "known \(sort.rawValue) kinds: " + names.joined(separator: ", "),
      fixIts: suggestion.map { [FixIt("replace with '\($0)'", range: range, replacement: $0)] } ?? [])
    return nil
  }

  /// Fills defaults, reports missing required arguments and broken constraints, runs kind-specific checks.
  /// `present` holds every argument written, including those whose value failed to decode (already reported).
  mutating func finish(
    _ kind: KindSpec, written: [Argument], present: WrittenNames, node: Node, kindRange: SourceRange,
    path makePath: @autoclosure () -> String
  ) -> Instance? {
    var ok = written.count == present.count
    let writtenNames = present
    // By position, without copying each argument spec or written argument to compare names.
    let specs = kind.arguments
    var arguments: [Argument] = []
    arguments.reserveCapacity(specs.count)
    for s in specs.indices {
      if let w = written.firstIndex(where: { $0.name == specs[s].name }) {
        arguments.append(written[w])
      } else if let d = specs[s].defaultValue {
        let value = Decoder.materialize(d, as: specs[s].type, range: node.range)
        arguments.append(
          Argument(name: specs[s].name, value: value, keyRange: nil, range: node.range, isDefault: true))
      } else if specs[s].required && !present.contains(specs[s].name) {
        let spec = specs[s]
        report(
          "spec.missing-required", "\(kind.sort.rawValue) '\(kind.name)' needs '\(spec.name)' (\(spec.type.phrase))",
          at: kindRange, path: makePath(), help: "add '\(spec.name): ...': \(spec.doc)")
        ok = false
      }
    }
    for constraint in kind.constraints {
      ok =
        checkConstraint(constraint, kind: kind, written: written, names: writtenNames, at: kindRange, path: makePath())
        && ok
    }
    let instance = Instance(of: kind, arguments: Arguments(arguments), range: node.range, kindRange: kindRange)
    ok = kindChecks(instance, path: makePath()) && ok
    return ok ? instance : nil
  }

  /// A catalogue default in decoded form: kind names become instances (with their own defaults), recursively.
  static func materialize(_ value: Value, as type: ArgumentType, range: SourceRange) -> Value {
    switch (type, value) {
    case (.kind(let sort), .string(let name)):
      guard let k = Catalogue.kind(sort, name) else { return value }
      let args = k.arguments.compactMap { spec in
        spec.defaultValue.map {
          Argument(
            name: spec.name, value: materialize($0, as: spec.type, range: range), keyRange: nil, range: range,
            isDefault: true)
        }
      }
      return .instance(Instance(of: k, arguments: Arguments(args), range: range, kindRange: range))
    case (.list(let element), .list(let items)):
      return .list(items.map { materialize($0, as: element, range: range) })
    default: return value
    }
  }

  mutating func checkConstraint(
    _ constraint: ArgumentConstraint, kind: KindSpec, written: [Argument], names: WrittenNames, at range: SourceRange,
    path makePath: @autoclosure () -> String
  ) -> Bool {
    // Spelled out only for a report (most constraints hold).
    var what: String { "\(kind.sort.rawValue) '\(kind.name)'" }
    switch constraint {
    case .exactlyOne(let list), .atMostOne(let list):
      let present = written.filter { list.contains($0.name) }
      if present.count > 1 {
        let second = present[1]
        report(
          "spec.conflicting-keys", "\(what) takes only one of " + list.map { "'\($0)'" }.joined(separator: ", "),
          at: second.keyRange ?? second.range, path: Decoder.join(makePath(), second.name),
          notes: [DiagnosticNote("'\(present[0].name)' is already given here", at: present[0].keyRange)],
          help: "remove one of them")
        return false
      }
      if present.isEmpty, !list.contains(where: names.contains), case .exactlyOne = constraint {
        report(
          "spec.missing-required", "\(what) needs one of " + list.map { "'\($0)'" }.joined(separator: " or "),
          at: range, path: makePath())
        return false
      }
      return true
    case .requires(let a, let others):
      guard names.contains(a) else { return true }
      let missing = others.filter { !names.contains($0) }
      if missing.isEmpty { return true }
      report(
        "spec.missing-required", "\(what) with '\(a)' also needs " + missing.map { "'\($0)'" }.joined(separator: ", "),
        at: range, path: makePath())
      return false
    case .requiredWhen(let a, let v, let others):
      guard written.first(where: { $0.name == a })?.value == v else { return true }
      let missing = others.filter { !names.contains($0) }
      if missing.isEmpty { return true }
      report(
        "spec.missing-required", "\(what) with \(a): \(v) needs " + missing.map { "'\($0)'" }.joined(separator: ", "),
        at: range, path: makePath())
      return false
    }
  }
}

extension ArgumentSpec {
  /// The default in decoded form (kind names as instances with their own defaults); `nil` when there is none.
  public func decodedDefault(at range: SourceRange) -> Value? {
    defaultValue.map { Decoder.materialize($0, as: type, range: range) }
  }
}

extension KindSpec {
  /// True when the main argument is itself a mapping, so `{kind_name: {...}}` sets it rather than naming arguments.
  var mainArgumentTakesMapping: Bool {
    guard let m = mainIndex else { return false }
    switch arguments[m].type {
    case .map, .record: return true
    default: return false
    }
  }
}

/// The argument names an instance writes, in order, each once: a handful per instance, so a list compared in place
/// costs less than hashing each name into a set.
struct WrittenNames {
  private var names: [String]

  init(capacity: Int) {
    names = []
    names.reserveCapacity(capacity)
  }

  /// How many distinct names.
  var count: Int { names.count }

  /// Adds a name (once).
  mutating func insert(_ name: String) {
    if !contains(name) { names.append(name) }
  }

  /// True when `name` was written.
  func contains(_ name: String) -> Bool {
    for i in names.indices where names[i] == name { return true }
    return false
  }
}
