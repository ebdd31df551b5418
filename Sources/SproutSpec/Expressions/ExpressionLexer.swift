import SproutDiagnostics

/// A token of the expression language; `start`/`end` are character offsets into the scalar text.
struct ExpressionToken: Equatable {
  enum Kind: Equatable {
    case int(Int)
    case float(Double)
    case identifier(String)
    case dot, plus, minus, star, slash, slashSlash, percent, leftParen, rightParen
    case end
  }

  var kind: Kind
  var start: Int
  var end: Int
}

/// Splits the text between `${` and `}` into tokens. Offsets are relative to the whole scalar, so the parser can
/// turn them into source columns.
struct ExpressionLexer {
  private let chars: [Character]
  private var position: Int
  private let limit: Int
  private let base: SourceRange

  /// Lexes `chars[start..<end]`; `base` is the range of the scalar's first character.
  init(chars: [Character], start: Int, end: Int, base: SourceRange) {
    self.chars = chars
    self.position = start
    self.limit = end
    self.base = base
  }

  mutating func tokenize() -> Result<[ExpressionToken], ExpressionError> {
    var tokens: [ExpressionToken] = []
    while true {
      while position < limit, chars[position] == " " || chars[position] == "\t" { position += 1 }
      guard position < limit else {
        tokens.append(ExpressionToken(kind: .end, start: limit, end: limit))
        return .success(tokens)
      }
      let start = position
      let c = chars[position]
      if c.isASCII && c.isNumber
        || (c == "." && position + 1 < limit && chars[position + 1].isASCII
          && chars[position + 1].isNumber)
      {
        switch number() {
        case .success(let kind): tokens.append(ExpressionToken(kind: kind, start: start, end: position))
        case .failure(let e): return .failure(e)
        }
        continue
      }
      if c == "_" || (c.isASCII && c.isLetter) {
        while position < limit,
          chars[position] == "_"
            || (chars[position].isASCII
              && (chars[position].isLetter
                || chars[position].isNumber))
            || chars[position] == "-" && identifierDashContinues()
        { position += 1 }
        tokens.append(ExpressionToken(kind: .identifier(String(chars[start..<position])), start: start, end: position))
        continue
      }
      position += 1
      let kind: ExpressionToken.Kind
      switch c {
      case ".": kind = .dot
      case "+": kind = .plus
      case "-": kind = .minus
      case "*": kind = .star
      case "%": kind = .percent
      case "(": kind = .leftParen
      case ")": kind = .rightParen
      case "/":
        if position < limit, chars[position] == "/" {
          position += 1
          kind = .slashSlash
        } else {
          kind = .slash
        }
      default:
        return .failure(
          ExpressionError(
            "spec.expression-syntax", "unexpected character '\(c)' in expression",
            at: base.columns(start, start + 1),
            help: "expressions hold references (params.NAME, matrix.AXIS, trial.index) and + - * / // % ( )"))
      }
      tokens.append(ExpressionToken(kind: kind, start: start, end: position))
    }
  }

  /// Identifiers never contain `-`: `a-b` is a subtraction. Kept as a hook so the rule is stated in one place.
  private func identifierDashContinues() -> Bool { false }

  private mutating func number() -> Result<ExpressionToken.Kind, ExpressionError> {
    let start = position
    var isFloat = false
    func digits() { while position < limit, chars[position].isASCII, chars[position].isNumber { position += 1 } }
    digits()
    if position < limit, chars[position] == "." {
      // `1.x` would be a reference into a number; only digits may follow the point.
      isFloat = true
      position += 1
      digits()
    }
    if position < limit, chars[position] == "e" || chars[position] == "E" {
      var p = position + 1
      if p < limit, chars[p] == "+" || chars[p] == "-" { p += 1 }
      if p < limit, chars[p].isASCII, chars[p].isNumber {
        isFloat = true
        position = p
        digits()
      }
    }
    let text = String(chars[start..<position])
    if position < limit, chars[position].isLetter || chars[position] == "_" {
      return .failure(
        ExpressionError(
          "spec.expression-syntax", "malformed number '\(text)\(chars[position])'",
          at: base.columns(start, position + 1)))
    }
    if isFloat {
      guard let d = Double(text) else {
        return .failure(
          ExpressionError(
            "spec.expression-syntax", "malformed number '\(text)'",
            at: base.columns(start, position)))
      }
      return .success(.float(d))
    }
    guard let i = Int(text) else {
      return .failure(
        ExpressionError(
          "spec.expression-type", "the integer \(text) does not fit in 64 bits",
          at: base.columns(start, position)))
    }
    return .success(.int(i))
  }
}
