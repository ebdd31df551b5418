import SproutDiagnostics

/// A parsed `${...}` expression (grammar: grammar/expressions.ebnf). Every sub-expression keeps the range of its
/// text inside the scalar, so errors point at the exact columns.
public struct Expression: Hashable, Sendable, CustomStringConvertible {
  /// The shape of an expression.
  public indirect enum Node: Hashable, Sendable {
    /// An integer literal.
    case int(Int)
    /// A float literal.
    case float(Double)
    /// A dotted reference: `params.lr` is `["params", "lr"]`.
    case reference([String])
    /// `-x` or `+x`.
    case unary(UnaryOperator, Expression)
    /// `a + b` and friends.
    case binary(BinaryOperator, Expression, Expression)
    /// A string with embedded expressions: `run-${trial.index}` (always evaluates to a string).
    case interpolation([InterpolationPart])
  }

  /// A piece of an interpolated string.
  public enum InterpolationPart: Hashable, Sendable {
    /// Literal text.
    case text(String)
    /// An embedded `${...}`.
    case expression(Expression)
  }

  /// The node.
  public var node: Node
  /// The range of this sub-expression in the source.
  public var range: SourceRange

  /// Creates an expression.
  public init(_ node: Node, range: SourceRange) {
    self.node = node
    self.range = range
  }

  /// Compares structure only.
  public static func == (a: Self, b: Self) -> Bool { a.node == b.node }
  /// Hashes structure only.
  public func hash(into hasher: inout Hasher) { hasher.combine(node) }

  /// A fully parenthesised rendering, for tests and debugging (`(params.width * 2)`).
  public var description: String {
    switch node {
    case .int(let i): return String(i)
    case .float(let d): return Value.format(d)
    case .reference(let path): return path.joined(separator: ".")
    case .unary(let op, let e): return "(\(op.rawValue)\(e))"
    case .binary(let op, let a, let b): return "(\(a) \(op.rawValue) \(b))"
    case .interpolation(let parts):
      return parts.map {
        switch $0 {
        case .text(let t): return t
        case .expression(let e): return "${\(e)}"
        }
      }.joined()
    }
  }

  /// Every reference in the expression, with its range, in source order.
  public var references: [(path: [String], range: SourceRange)] {
    switch node {
    case .int, .float: return []
    case .reference(let path): return [(path, range)]
    case .unary(_, let e): return e.references
    case .binary(_, let a, let b): return a.references + b.references
    case .interpolation(let parts):
      return parts.flatMap {
        if case .expression(let e) = $0 { return e.references }
        return []
      }
    }
  }
}

/// Prefix operators.
public enum UnaryOperator: String, Hashable, Sendable {
  /// Negation.
  case minus = "-"
  /// Identity.
  case plus = "+"
}

/// Infix operators. `/` always gives a float; `//` and `%` keep integers integers (floor semantics, as Python).
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
  /// Addition.
  case add = "+"
  /// Subtraction.
  case subtract = "-"
  /// Multiplication.
  case multiply = "*"
  /// True division (a float).
  case divide = "/"
  /// Floor division.
  case floorDivide = "//"
  /// Modulo with the sign of the divisor.
  case modulo = "%"
}

/// Values an expression can read: params, the trial's matrix assignment and the trial itself.
public struct ExpressionEnvironment: Sendable {
  /// `params.NAME`.
  public var params: [String: Value]
  /// `matrix.AXIS` for the current trial.
  public var matrix: [String: Value]
  /// `trial.index`, `trial.seed`, `trial.id`.
  public var trial: TrialInfo
  /// `select.STAGE.AXIS`: the value a select stage may choose for an axis. A task reading it is planned for every
  /// candidate (the value is the trial's own) and runs only for the chosen one.
  public var select: [String: [String: Value]]

  /// Creates an environment.
  public init(
    params: [String: Value] = [:], matrix: [String: Value] = [:], trial: TrialInfo = TrialInfo(),
    select: [String: [String: Value]] = [:]
  ) {
    self.params = params
    self.matrix = matrix
    self.trial = trial
    self.select = select
  }
}

/// What an expression can know about the current trial.
public struct TrialInfo: Hashable, Sendable {
  /// 0-based index of the trial in expansion order.
  public var index: Int
  /// The trial's seed.
  public var seed: Int
  /// The trial's id (stable text naming it).
  public var id: String

  /// The fields `trial.` accepts, for suggestions and docs.
  public static let fields = ["id", "index", "seed"]

  /// Creates trial info.
  public init(index: Int = 0, seed: Int = 0, id: String = "t0") {
    self.index = index
    self.seed = seed
    self.id = id
  }
}

/// A failure to parse or evaluate an expression, pointing at the offending sub-expression.
public struct ExpressionError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The diagnostic id (`spec.expression-syntax`, `spec.expression-undefined`, `spec.expression-type`, ...).
  public var id: DiagnosticID
  /// What is wrong.
  public var message: String
  /// The sub-expression's range.
  public var range: SourceRange
  /// A suggestion, if any.
  public var help: String?

  /// Creates an error.
  public init(_ id: DiagnosticID, _ message: String, at range: SourceRange, help: String? = nil) {
    self.id = id
    self.message = message
    self.range = range
    self.help = help
  }

  /// `line:col: message`.
  public var description: String { "\(range.start): \(message)" }

  /// As a diagnostic at `path`.
  public func diagnostic(path: String) -> Diagnostic {
    Diagnostic(id, message, at: range, path: path, help: help)
  }
}
