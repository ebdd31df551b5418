import SproutDiagnostics
import SproutSyntax

extension Decoder {
  mutating func report(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, path: String, notes: [DiagnosticNote] = [],
    help: String? = nil, fixIts: [FixIt] = []
  ) {
    diagnostics.report(id, message, at: range, path: path, notes: notes, help: help, fixIts: fixIts)
  }

  static func join(_ path: String, _ key: String) -> String {
    guard !path.isEmpty else { return key }
    // Built in place: a string interpolation costs about twice as much, and decoding joins a path per argument.
    var s = path
    s.reserveCapacity(path.utf8.count + 1 + key.utf8.count)
    s.append(".")
    s.append(key)
    return s
  }

  /// The text of a mapping key, reporting keys that are not plain text.
  mutating func scalarKey(_ pair: Node.Pair, path: @autoclosure () -> String) -> String? {
    if let s = pair.key.scalar, !pair.key.isNull { return s }
    report(
      "spec.wrong-type", "a key must be a name, found \(pair.key.kindDescription)", at: pair.key.range, path: path())
    return nil
  }

  /// Reports an unknown key: a camelCase slip gets a fix-it, anything else the nearest known key.
  mutating func reportUnknownKey(_ keyNode: Node, _ key: String, candidates: [String], path: String, what: String) {
    let keyPath = Decoder.join(path, key)
    let snake = Suggestions.snakeCase(key)
    if snake != key, candidates.contains(snake) {
      report(
        "spec.snake-case", "'\(key)' is written in camelCase; Sprout's keys are snake_case", at: keyNode.range,
        path: keyPath, help: "rename it to '\(snake)'",
        fixIts: [FixIt("rename to '\(snake)'", range: keyNode.range, replacement: snake)])
      return
    }
    let suggestion = Suggestions.nearest(key, among: candidates)
    report(
      "spec.unknown-key", path.isEmpty ? "unknown top-level key '\(key)'" : "unknown key '\(key)' for \(what)",
      at: keyNode.range, path: keyPath,
      help: suggestion.map { "did you mean '\($0)'?" }
        ?? (candidates.isEmpty ? "this takes no keys" : "known keys: " + candidates.sorted().joined(separator: ", ")),
      fixIts: suggestion.map { [FixIt("replace with '\($0)'", range: keyNode.range, replacement: $0)] } ?? [])
  }

  mutating func reportInvalidChoice(_ s: String, cases: [String], at range: SourceRange, path: String) {
    let suggestion = Suggestions.nearest(s, among: cases)
    report(
      "spec.invalid-choice", "'\(s)' is not one of " + cases.map { "'\($0)'" }.joined(separator: ", "), at: range,
      path: path, help: suggestion.map { "did you mean '\($0)'?" },
      fixIts: suggestion.map { [FixIt("replace with '\($0)'", range: range, replacement: $0)] } ?? [])
  }

  mutating func expectMapping(_ node: Node, path: String) -> [Node.Pair]? {
    if let pairs = node.mapping { return pairs }
    if node.isNull { return [] }
    report("spec.wrong-type", "expected a mapping, found \(node.kindDescription)", at: node.range, path: path)
    return nil
  }

  static func isIdentifier(_ s: String) -> Bool { SpecNames.isIdentifier(s) }

  func isIdentifier(_ s: String) -> Bool { Decoder.isIdentifier(s) }

  mutating func checkName(_ name: String, at range: SourceRange, path: String, what: String) -> Bool {
    if isIdentifier(name) { return true }
    report(
      "spec.invalid-name", "the \(what) name '\(name)' is not an identifier", at: range, path: path,
      help: name.contains(".")
        ? "dots separate a dataset from its split (teacher.train); use '_' in names"
        : "use letters, digits, '_' and '-', starting with a letter or '_'")
    return false
  }

  /// The range of a scalar's first content character (after an opening quote), for columns inside it.
  static func contentBase(_ node: Node) -> SourceRange {
    var r = node.range
    if node.scalarStyle == .singleQuoted || node.scalarStyle == .doubleQuoted {
      r = r.columns(1, 1)
    }
    return SourceRange(file: r.file, start: r.start, end: r.start)
  }

  /// A literal scalar string (no expressions).
  mutating func literalString(_ node: Node, path: String) -> String? {
    literal(node, .string, path: path)?.stringValue
  }

  /// A literal value (no expressions), of `type` when given, of any literal shape otherwise.
  mutating func literal(_ node: Node, _ type: ArgumentType?, path: String) -> Value? {
    if let s = node.scalar, ExpressionParser.containsExpression(s) {
      report(
        "spec.expression-not-allowed", "an expression cannot stand here; write a literal value", at: node.range,
        path: path)
      return nil
    }
    if let type { return decodeValue(node, type, bounds: nil, path: path) }
    switch node.content {
    case .scalar: return resolveScalar(node, path: path)
    case .sequence(let items):
      var out: [Value] = []
      var ok = true
      for (i, item) in items.enumerated() {
        if let v = literal(item, nil, path: "\(path)[\(i)]") { out.append(v) } else { ok = false }
      }
      return ok ? .list(out) : nil
    case .mapping(let pairs):
      var out: [Value.Entry] = []
      var ok = true
      for pair in pairs {
        guard let k = scalarKey(pair, path: path) else {
          ok = false
          continue
        }
        if let v = literal(pair.value, nil, path: Decoder.join(path, k)) { out.append(.init(k, v)) } else { ok = false }
      }
      return ok ? .map(out) : nil
    }
  }

  /// A scalar's value by the YAML core schema; `nil` for a collection, and after reporting it for a number that
  /// is not finite (`.inf`, `.nan`, `1e999`): YAML allows them, but no argument, param or axis value can use one.
  mutating func resolveScalar(_ node: Node, path makePath: @autoclosure () -> String) -> Value? {
    guard let value = Scalar.resolve(node) else { return nil }
    if case .float(let d) = value, !d.isFinite {
      let path = makePath()
      let text = node.scalar ?? ""
      let tooLarge = CoreScalar.isFloatSyntax(text)
      let message =
        d.isNaN
        ? "'\(text)' is not a number (NaN); Sprout's numbers must be finite"
        : tooLarge
          ? "\(text) is too large for a 64-bit float (it reads as \(d < 0 ? "-" : "")infinity)"
          : "'\(text)' is infinite; Sprout's numbers must be finite"
      report(
        "spec.non-finite-number", message, at: node.range, path: path,
        help: tooLarge ? "write a number of magnitude below 1.8e308" : "write a finite number")
      return nil
    }
    return value
  }

  /// "expected an integer, found the string 'abc'".
  mutating func reportWrongType(_ node: Node, _ type: ArgumentType, path: String, help: String? = nil) {
    report(
      "spec.wrong-type", "expected \(type.phrase), found \(node.kindDescription)", at: node.range, path: path,
      help: help)
  }
}
