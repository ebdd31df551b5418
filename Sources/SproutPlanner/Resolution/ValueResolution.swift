import SproutDiagnostics
import SproutGraph
import SproutSpec

/// Resolving a spec value for one trial: expressions evaluated, the result as a `Value` (for the graph's
/// checks) or as canonical JSON (for definitions and hashes).
struct TrialResolver {
  /// The expression environment of the trial.
  let env: ExpressionEnvironment
  /// Evaluation errors met so far, in order.
  private(set) var errors: [ExpressionError] = []

  init(env: ExpressionEnvironment) { self.env = env }

  /// The value with every expression replaced by its result; a failing expression becomes `.null` and is
  /// recorded in ``errors``.
  mutating func resolve(_ value: Value) -> Value { resolvedIfChanged(value) ?? value }

  /// ``resolve(_:)``, or nil when `value` holds no expression (it resolves to itself). One walk, and only the parts
  /// that hold an expression are rebuilt: a stage's arguments are mostly literal, and copying every one of them per
  /// resolution was most of its cost.
  mutating func resolvedIfChanged(_ value: Value) -> Value? {
    switch value {
    case .null, .bool, .int, .float, .string: return nil
    case .list(let items):
      var out: [Value]?
      for n in items.indices {
        guard let v = resolvedIfChanged(items[n]) else { continue }
        if out == nil { out = items }
        out![n] = v
      }
      return out.map { .list($0) }
    case .map(let entries):
      var out: [Value.Entry]?
      for n in entries.indices {
        guard let v = resolvedIfChanged(entries[n].value) else { continue }
        if out == nil { out = entries }
        out![n].value = v
      }
      return out.map { .map($0) }
    case .expression(let e):
      switch e.evaluate(env) {
      case .success(let v): return v
      case .failure(let error):
        errors.append(error)
        return .null
      }
    case .instance(let i):
      // Most nested definitions (a stage's metrics, an optimizer's schedule) hold no expression.
      guard i.holdsExpression else { return nil }
      var out: Instance?
      for n in i.arguments.entries.indices {
        guard let v = resolvedIfChanged(i.arguments.entries[n].value) else { continue }
        if out == nil { out = i }
        out!.arguments.entries[n].value = v
      }
      return out.map { .instance($0) }
    }
  }

  /// A `ValueResolver` for the graph's check functions, evaluating in this trial (errors are dropped: the
  /// planner reports them when it resolves the definitions).
  var checkResolver: ValueResolver {
    let env = self.env
    return ValueResolver { value in
      var r = TrialResolver(env: env)
      let v = r.resolve(value)
      return r.errors.isEmpty ? v : nil
    }
  }
}

extension JSONValue {
  /// The JSON form of a resolved spec value; an instance becomes an object with its `kind` and every argument
  /// (defaults included, since they decide what runs).
  init(_ value: SproutSpec.Value) {
    switch value {
    case .null: self = .null
    case .bool(let b): self = .bool(b)
    case .int(let i): self = .int(i)
    case .float(let d): self = .double(d)
    case .string(let s): self = .string(s)
    case .list(let items): self = .array(items.map(JSONValue.init))
    case .map(let entries):
      var o: [String: JSONValue] = [:]
      for e in entries { o[e.key] = JSONValue(e.value) }
      self = .object(o)
    case .expression(let e): self = .string(e.text)  // unresolved: only reached when resolution failed
    case .instance(let i):
      var o: [String: JSONValue] = ["kind": .string(i.kind)]
      for a in i.arguments.entries { o[a.name] = JSONValue(a.value) }
      self = .object(o)
    }
  }

  /// The spec value of a JSON value (matrix axis values become expression inputs).
  var specValue: SproutSpec.Value {
    switch self {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .double(let d): return .float(d)
    case .string(let s): return .string(s)
    case .array(let items): return .list(items.map(\.specValue))
    case .object(let o): return .map(o.sorted { $0.key < $1.key }.map { SproutSpec.Value.Entry($0.key, $0.value.specValue) })
    }
  }
}
