import SproutSpec

/// Turns an argument value into a literal, or says it cannot yet.
///
/// The graph phase uses ``literal``: values containing `${...}` are unknown, and checks that need them are
/// skipped. The planner passes a resolver that evaluates expressions for one trial, so the same check
/// functions run again per trial with resolved values.
public struct ValueResolver: Sendable {
  private let body: @Sendable (Value) -> Value?

  /// A resolver from a function; it must return `nil` when it cannot resolve.
  public init(_ body: @escaping @Sendable (Value) -> Value?) { self.body = body }

  /// Resolves a value (`nil` when it still contains an expression the resolver cannot evaluate).
  public func callAsFunction(_ value: Value) -> Value? {
    let v = body(value)
    return v.flatMap { $0.containsExpression ? nil : $0 }
  }

  /// Literals only: expressions are unknown.
  public static let literal = ValueResolver { $0.containsExpression ? nil : $0 }

  /// Resolves an optional value.
  public func callAsFunction(_ value: Value?) -> Value? { value.flatMap { self($0) } }

  /// The integer an argument resolves to.
  public func int(_ value: Value?) -> Int? { self(value)?.intValue }

  /// The number an argument resolves to.
  public func double(_ value: Value?) -> Double? { self(value)?.doubleValue }

  /// The string an argument resolves to.
  public func string(_ value: Value?) -> String? { self(value)?.stringValue }

  /// The boolean an argument resolves to.
  public func bool(_ value: Value?) -> Bool? { self(value)?.boolValue }
}
