import SproutDiagnostics

/// Why a value does not fit an argument: the diagnostic id and the words for the message.
public struct ConformanceProblem: Error, Hashable, Sendable {
  /// `spec.wrong-type`, `spec.out-of-range` or `spec.invalid-choice`.
  public var id: DiagnosticID
  /// What was expected ("an integer", "≥ 1").
  public var expected: String
  /// Extra advice.
  public var help: String?

  /// The full message for an argument at `path` whose value is described by `found`.
  public func message(path: String, found: String) -> String {
    if id == "spec.out-of-range" {
      let name = path.split(separator: ".").last.map(String.init) ?? path
      return "\(name) must be \(expected), found \(found.replacingPrefix())"
    }
    return "expected \(expected), found \(found)"
  }
}

extension String {
  /// "the integer 3" → "3" for range messages.
  fileprivate func replacingPrefix() -> String {
    for p in ["the integer ", "the number "] where hasPrefix(p) { return String(dropFirst(p.count)) }
    return self
  }
}

extension Catalogue {
  /// Checks a resolved (expression-free) value against an argument type and range; on success returns it in
  /// canonical form (integers given for a float become floats).
  public static func conform(
    _ value: Value, to type: ArgumentType, bounds: ArgumentSpec?
  )
    -> Result<Value, ConformanceProblem>
  {
    func wrong(_ help: String? = nil) -> Result<Value, ConformanceProblem> {
      .failure(ConformanceProblem(id: "spec.wrong-type", expected: type.phrase, help: help))
    }
    func inRange(_ x: Double, _ v: Value) -> Result<Value, ConformanceProblem> {
      guard let b = bounds, !b.contains(x) else { return .success(v) }
      return .failure(ConformanceProblem(id: "spec.out-of-range", expected: b.rangeText, help: nil))
    }
    switch (type, value) {
    case (_, .expression): return .success(value)
    case (.int, .int(let i)): return inRange(Double(i), value)
    case (.int, .float(let d)):
      return wrong(
        d == d.rounded() && d.isFinite ? "write it without a fractional part, or use // for integer division" : nil)
    case (.float, .int(let i)): return inRange(Double(i), .float(Double(i)))
    case (.float, .float(let d)):
      if d.isNaN { return wrong("NaN is not a usable number") }
      return inRange(d, value)
    case (.bool, .bool): return .success(value)
    case (.string, .string): return .success(value)
    case (.enumeration(let cases), .string(let s)):
      return cases.contains(s)
        ? .success(value) : .failure(ConformanceProblem(id: "spec.invalid-choice", expected: type.phrase, help: nil))
    case (.reference, .string(let s)), (.data, .string(let s)):
      return s.isEmpty ? wrong() : .success(value)
    case (.kind(let sort), .instance(let i)): return i.sort == sort ? .success(value) : wrong()
    case (.list(let element), .list(let items)):
      var out: [Value] = []
      for item in items {
        switch conform(item, to: element, bounds: bounds) {
        case .success(let v): out.append(v)
        case .failure(let p): return .failure(p)
        }
      }
      return .success(.list(out))
    case (.map(let element), .map(let entries)):
      var out: [Value.Entry] = []
      for e in entries {
        switch conform(e.value, to: element, bounds: bounds) {
        case .success(let v): out.append(.init(e.key, v))
        case .failure(let p): return .failure(p)
        }
      }
      return .success(.map(out))
    case (.layerSelector, .int), (.layerSelector, .list): return .success(value)
    case (.layerSelector, .string(let s)):
      return ["first", "last", "all"].contains(s) ? .success(value) : wrong()
    case (.oneOf(let alternatives), _):
      for a in alternatives { if case .success(let v) = conform(value, to: a, bounds: bounds) { return .success(v) } }
      return wrong()
    case (.record(let fields, _), .map(let entries)):
      var out: [Value.Entry] = []
      for e in entries {
        guard let f = fields.first(where: { $0.name == e.key }) else { return wrong() }
        switch conform(e.value, to: f.type, bounds: f) {
        case .success(let v): out.append(.init(e.key, v))
        case .failure(let p): return .failure(p)
        }
      }
      return .success(.map(out))
    case (.record(let fields, let main?), _):
      guard let f = fields.first(where: { $0.name == main }) else { return wrong() }
      return conform(value, to: f.type, bounds: f).map { .map([.init(main, $0)]) }
    default: return wrong()
    }
  }

  /// Re-checks every argument of an instance (recursively) against the catalogue, reporting at each value's range.
  /// The planner calls this after resolving expressions per trial, since a matrix value can be out of range.
  /// Unresolved expressions are skipped. Returns true when everything fits.
  @discardableResult
  public static func check(_ instance: Instance, path: String, diagnostics: inout Diagnostics) -> Bool {
    check(instance, resolvedFrom: nil, path: path, diagnostics: &diagnostics)
  }

  /// ``check(_:path:diagnostics:)`` of `instance`, the resolution for one trial of `written` (the instance as
  /// decoded). An argument that held no expression is the value the decoder already checked against the same
  /// catalogue entry, so only those that held one are checked again (re-checking every argument of a stage was
  /// most of the cost of resolving it).
  @discardableResult
  public static func check(
    _ instance: Instance, resolvedFrom written: Instance?, path: String, diagnostics: inout Diagnostics
  ) -> Bool {
    let sameKind =
      written.map {
        $0.sort == instance.sort && $0.kind == instance.kind
          && $0.arguments.entries.count == instance.arguments.entries.count
      } ?? false
    guard let spec = instance.spec else {
      diagnostics.report(
        "spec.unknown-kind", "unknown \(instance.sort.rawValue) '\(instance.kind)'", at: instance.kindRange, path: path)
      return false
    }
    var ok = true
    for (position, argument) in instance.arguments.enumerated() {
      // The argument as written, when it is the same one: skipped when it held no expression, else the nested
      // definitions inside it are checked against it in turn.
      var writtenValue: Value?
      if sameKind, let w = written?.arguments.entries[position], w.name == argument.name {
        if !w.value.containsExpression { continue }
        writtenValue = w.value
      }
      // Paths are built only for what is reported or descended into: most arguments are plain values that fit.
      func argPath() -> String { path.isEmpty ? argument.name : "\(path).\(argument.name)" }
      let argSpec =
        spec.argument(argument.name, hint: position)
        ?? (instance.sort == .initializer
          ? Catalogue.initializerKeys.first { $0.name == argument.name } : nil)
      guard let argSpec else {
        diagnostics.report(
          "spec.unknown-key", "unknown key '\(argument.name)'", at: argument.keyRange ?? argument.range,
          path: argPath())
        ok = false
        continue
      }
      if case .failure(let problem) = conform(argument.value, to: argSpec.type, bounds: argSpec) {
        let p = argPath()
        diagnostics.report(
          problem.id, problem.message(path: p, found: argument.value.kindDescription), at: argument.range,
          path: p, help: problem.help)
        ok = false
      }
      if holdsInstances(argument.value) {
        ok = checkNested(argument.value, written: writtenValue, path: argPath(), diagnostics: &diagnostics) && ok
      }
    }
    return ok
  }

  /// True when `value` is or contains (in lists) an instance, the only values `checkNested` descends into.
  private static func holdsInstances(_ value: Value) -> Bool {
    switch value {
    case .instance: return true
    case .list(let items): return items.contains(where: holdsInstances)
    default: return false
    }
  }

  /// Checks the instances inside `value`; `written` is the value as decoded, when `value` is its resolution (parts
  /// without an expression are skipped, as in ``check(_:resolvedFrom:path:diagnostics:)``).
  private static func checkNested(_ value: Value, written: Value?, path: String, diagnostics: inout Diagnostics)
    -> Bool
  {
    switch value {
    case .instance(let i): return check(i, resolvedFrom: written?.instanceValue, path: path, diagnostics: &diagnostics)
    case .list(let items):
      let writtenItems = written?.listValue.flatMap { $0.count == items.count ? $0 : nil }
      var ok = true
      for (n, item) in items.enumerated() where holdsInstances(item) {
        if let w = writtenItems?[n], !w.containsExpression { continue }
        ok = checkNested(item, written: writtenItems?[n], path: "\(path)[\(n)]", diagnostics: &diagnostics) && ok
      }
      return ok
    default: return true
    }
  }
}
