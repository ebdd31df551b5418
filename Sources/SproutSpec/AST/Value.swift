import Foundation
import SproutDiagnostics

/// An argument value as written in a spec, after YAML scalar resolution.
///
/// Plain scalars become null, booleans, integers or floats by YAML 1.2's core schema; quoted scalars stay
/// strings. A scalar containing `${...}` becomes an `.expression` that the planner resolves per trial.
/// Nested definitions with a kind (an optimizer inside a stage, a layer inside a model) are `.instance`.
/// Ranges inside `.expression` and `.instance` are ignored by `==` and hashing.
///
/// Only `.expression` and `.instance` are boxed (`indirect`): scalars, lists and maps are stored inline, so making a
/// number or a name allocates nothing (every case boxed cost a heap allocation per argument value).
public enum Value: Hashable, Sendable, CustomStringConvertible {
  /// `null`, `~` or an empty plain scalar.
  case null
  /// `true` / `false`.
  case bool(Bool)
  /// An integer.
  case int(Int)
  /// A floating-point number (`0.1`, `1e-3`, `.inf`).
  case float(Double)
  /// A string.
  case string(String)
  /// A sequence.
  case list([Value])
  /// A mapping with string keys, in document order.
  case map([Entry])
  /// A `${...}` expression (or a string that interpolates expressions), resolved per trial.
  indirect case expression(ExpressionValue)
  /// A nested definition with a kind (`optimizer: {kind: sgd, lr: 0.1}`, a layer, a metric).
  indirect case instance(Instance)

  /// One key/value pair of a `.map`.
  public struct Entry: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: Value
    /// Creates an entry.
    public init(_ key: String, _ value: Value) {
      self.key = key
      self.value = value
    }
  }

  /// The integer, if this is `.int`.
  public var intValue: Int? {
    if case .int(let i) = self { return i }
    return nil
  }

  /// The number as a Double, if this is `.int` or `.float`.
  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .float(let d): return d
    default: return nil
    }
  }

  /// The string, if this is `.string`.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The boolean, if this is `.bool`.
  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// The items, if this is `.list`.
  public var listValue: [Value]? {
    if case .list(let items) = self { return items }
    return nil
  }

  /// The instance, if this is `.instance`.
  public var instanceValue: Instance? {
    if case .instance(let i) = self { return i }
    return nil
  }

  /// The value for `key`, if this is a `.map` holding it.
  public subscript(key: String) -> Value? {
    if case .map(let entries) = self { return entries.first { $0.key == key }?.value }
    return nil
  }

  /// True when this value or anything inside it is an unresolved expression.
  public var containsExpression: Bool {
    switch self {
    case .expression: return true
    case .list(let items):
      for n in items.indices where items[n].containsExpression { return true }
      return false
    case .map(let entries):
      for n in entries.indices where entries[n].value.containsExpression { return true }
      return false
    case .instance(let i): return i.holdsExpression
    default: return false
    }
  }

  /// A short human description for messages: "the integer 3", "the string 'abc'", "a list".
  public var kindDescription: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return "the boolean \(b)"
    case .int(let i): return "the integer \(i)"
    case .float(let d): return "the number \(Value.format(d))"
    case .string(let s): return "the string '\(s.count > 40 ? String(s.prefix(37)) + "..." : s)'"
    case .list: return "a list"
    case .map: return "a mapping"
    case .expression(let e): return "the expression '\(e.text)'"
    case .instance(let i): return "a \(i.sort.rawValue) '\(i.kind)'"
    }
  }

  /// A compact, deterministic YAML-flow rendering (also the canonical text used in hashes and docs).
  public var description: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .float(let d): return Value.format(d)
    case .string(let s): return Value.quoteIfNeeded(s)
    case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .map(let entries):
      return "{" + entries.map { "\($0.key): \($0.value.description)" }.joined(separator: ", ") + "}"
    case .expression(let e): return "\"\(e.text)\""
    case .instance(let i): return i.description
    }
  }

  /// Formats a double so it reads back as a float (`1.0`, `0.001`, `1e-08`, `.inf`).
  public static func format(_ d: Double) -> String {
    if d.isNaN { return ".nan" }
    if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
    let s = "\(d)"
    return s
  }

  static func quoteIfNeeded(_ s: String) -> String {
    let plainSafe =
      !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
      && Scalar.resolvePlain(s) == .string(s)
    if plainSafe { return s }
    let escaped = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    return "\"\(escaped)\""
  }
}

/// A `${...}` expression as written, with its parsed form and the range of the scalar it came from.
public struct ExpressionValue: Hashable, Sendable {
  /// The parsed expression.
  public var expression: Expression
  /// The scalar text as written (`${params.width * 2}`).
  public var text: String
  /// The range of the scalar's content in the source.
  public var range: SourceRange

  /// Creates an expression value.
  public init(expression: Expression, text: String, range: SourceRange) {
    self.expression = expression
    self.text = text
    self.range = range
  }

  /// Evaluates the expression for one trial.
  public func evaluate(_ env: ExpressionEnvironment) -> Result<Value, ExpressionError> {
    expression.evaluate(env)
  }

  /// Compares the text only.
  public static func == (a: Self, b: Self) -> Bool { a.text == b.text }
  /// Hashes the text only.
  public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
