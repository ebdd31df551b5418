import SproutDiagnostics

/// A hand-written recursive-descent parser for `${...}` (grammar/expressions.ebnf).
///
/// ```
/// expression     = additive ;
/// additive       = multiplicative , { ( "+" | "-" ) , multiplicative } ;
/// multiplicative = unary , { ( "*" | "/" | "//" | "%" ) , unary } ;
/// unary          = ( "-" | "+" ) , unary | primary ;
/// primary        = INT | FLOAT | reference | "(" , expression , ")" ;
/// reference      = IDENT , { "." , IDENT } ;
/// ```
public enum ExpressionParser {
  /// Most tokens in one `${...}`; also bounds the depth of the tree.
  public static let maxTokens = 256

  /// True when `text` contains `${`, i.e. YAML text that Sprout reads as an expression.
  public static func containsExpression(_ text: String) -> Bool {
    // A byte scan: this runs on every scalar of a spec, and `$` and `{` are ASCII.
    var previousWasDollar = false
    for byte in text.utf8 {
      if previousWasDollar && byte == UInt8(ascii: "{") { return true }
      previousWasDollar = byte == UInt8(ascii: "$")
    }
    return false
  }

  /// Parses a scalar that contains `${`. A scalar that is exactly one `${...}` (surrounding spaces allowed) is that
  /// expression, with the type of its result; any other text around `${...}` makes an interpolated string.
  /// `base` is the range of the scalar's first character (sub-ranges are columns from it).
  public static func parse(_ text: String, base: SourceRange) -> Result<ExpressionValue, ExpressionError> {
    let chars = Array(text.unicodeScalars)
    var parts: [Expression.InterpolationPart] = []
    var literal = ""
    var i = 0
    while i < chars.count {
      if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "{" {
        guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
          return .failure(
            ExpressionError(
              "spec.expression-syntax", "'${' is not closed by '}'", at: base.columns(i, chars.count),
              help: "write the expression as ${...}"))
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        literal = ""
        switch parseInner(chars, start: i + 2, end: close, base: base) {
        case .success(let e): parts.append(.expression(e))
        case .failure(let err): return .failure(err)
        }
        i = close + 1
      } else {
        literal.unicodeScalars.append(chars[i])
        i += 1
      }
    }
    if !literal.isEmpty { parts.append(.text(literal)) }
    let whole = base.columns(0, chars.count)
    let nonBlank = parts.filter {
      if case .text(let t) = $0 { return !t.allSatisfy(\.isWhitespace) }
      return true
    }
    if nonBlank.count == 1, case .expression(let e) = nonBlank[0] {
      return .success(ExpressionValue(expression: e, text: text, range: whole))
    }
    return .success(
      ExpressionValue(
        expression: Expression(.interpolation(parts), range: whole), text: text,
        range: whole))
  }

  static func parseInner(
    _ chars: [Unicode.Scalar], start: Int, end: Int, base: SourceRange
  )
    -> Result<Expression, ExpressionError>
  {
    var lexer = ExpressionLexer(chars: chars, start: start, end: end, base: base)
    switch lexer.tokenize() {
    case .failure(let e): return .failure(e)
    case .success(let tokens):
      // Trees are walked recursively (evaluation, printing): bound their size so no input can exhaust the stack.
      if tokens.count > maxTokens {
        return .failure(
          ExpressionError(
            "spec.expression-syntax", "expression too long (\(tokens.count - 1) tokens; at most \(maxTokens))",
            at: base.columns(start - 2, end + 1), help: "split the computation over several params"))
      }
      if tokens.count == 1 {
        return .failure(
          ExpressionError(
            "spec.expression-syntax", "empty expression '${}'", at: base.columns(start - 2, end + 1),
            help: "write a reference such as ${params.lr} or an arithmetic expression"))
      }
      var parser = Parser(tokens: tokens, base: base)
      return parser.parseAll()
    }
  }

  /// The parser state: a token array and a cursor.
  private struct Parser {
    let tokens: [ExpressionToken]
    let base: SourceRange
    var index = 0

    init(tokens: [ExpressionToken], base: SourceRange) {
      self.tokens = tokens
      self.base = base
    }

    var current: ExpressionToken { tokens[index] }

    func range(_ start: Int, _ end: Int) -> SourceRange { base.columns(start, end) }

    mutating func parseAll() -> Result<Expression, ExpressionError> {
      do {
        let e = try additive()
        if current.kind != .end {
          throw ExpressionError(
            "spec.expression-syntax", "unexpected \(describe(current)) after a complete expression",
            at: range(current.start, current.end), help: "join terms with an operator: + - * / // %")
        }
        return .success(e)
      } catch let error as ExpressionError {
        return .failure(error)
      } catch {
        preconditionFailure("parser throws only ExpressionError")
      }
    }

    func describe(_ t: ExpressionToken) -> String {
      switch t.kind {
      case .int(let i): return "number \(i)"
      case .float(let d): return "number \(d)"
      case .identifier(let s): return "name '\(s)'"
      case .end: return "end of expression"
      case .dot: return "'.'"
      case .plus: return "'+'"
      case .minus: return "'-'"
      case .star: return "'*'"
      case .slash: return "'/'"
      case .slashSlash: return "'//'"
      case .percent: return "'%'"
      case .leftParen: return "'('"
      case .rightParen: return "')'"
      }
    }

    mutating func additive() throws -> Expression {
      var lhs = try multiplicative()
      while true {
        let op: BinaryOperator
        switch current.kind {
        case .plus: op = .add
        case .minus: op = .subtract
        default: return lhs
        }
        index += 1
        let rhs = try multiplicative()
        lhs = Expression(.binary(op, lhs, rhs), range: span(lhs.range, rhs.range))
      }
    }

    mutating func multiplicative() throws -> Expression {
      var lhs = try unary()
      while true {
        let op: BinaryOperator
        switch current.kind {
        case .star: op = .multiply
        case .slash: op = .divide
        case .slashSlash: op = .floorDivide
        case .percent: op = .modulo
        default: return lhs
        }
        index += 1
        let rhs = try unary()
        lhs = Expression(.binary(op, lhs, rhs), range: span(lhs.range, rhs.range))
      }
    }

    mutating func unary() throws -> Expression {
      let t = current
      let op: UnaryOperator
      switch t.kind {
      case .minus: op = .minus
      case .plus: op = .plus
      default: return try primary()
      }
      index += 1
      let operand = try unary()
      return Expression(.unary(op, operand), range: span(range(t.start, t.end), operand.range))
    }

    mutating func primary() throws -> Expression {
      let t = current
      switch t.kind {
      case .int(let i):
        index += 1
        return Expression(.int(i), range: range(t.start, t.end))
      case .float(let d):
        index += 1
        return Expression(.float(d), range: range(t.start, t.end))
      case .identifier(let name):
        index += 1
        var path = [name]
        var end = t.end
        while current.kind == .dot {
          index += 1
          guard case .identifier(let next) = current.kind else {
            throw ExpressionError(
              "spec.expression-syntax", "expected a name after '.', found \(describe(current))",
              at: range(current.start, max(current.end, current.start + 1)))
          }
          path.append(next)
          end = current.end
          index += 1
        }
        return Expression(.reference(path), range: range(t.start, end))
      case .leftParen:
        index += 1
        let inner = try additive()
        guard current.kind == .rightParen else {
          throw ExpressionError(
            "spec.expression-syntax", "expected ')' to close the '(' here, found \(describe(current))",
            at: range(t.start, t.end))
        }
        let close = current
        index += 1
        return Expression(inner.node, range: range(t.start, close.end))
      default:
        throw ExpressionError(
          "spec.expression-syntax", "expected a number, a reference or '(', found \(describe(t))",
          at: range(t.start, max(t.end, t.start + 1)))
      }
    }

    func span(_ a: SourceRange, _ b: SourceRange) -> SourceRange {
      SourceRange(file: a.file, start: a.start, end: b.end)
    }
  }
}
