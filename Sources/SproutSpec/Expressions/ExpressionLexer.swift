import SproutDiagnostics

/// A token of the expression language; `start`/`end` are offsets in Unicode scalars into the scalar text (the unit
/// of source columns).
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
  private let chars: [Unicode.Scalar]
  private var position: Int
  private let limit: Int
  private let base: SourceRange

  /// Lexes `chars[start..<end]`; `base` is the range of the scalar's first character.
  init(chars: [Unicode.Scalar], start: Int, end: Int, base: SourceRange) {
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
      if Self.isDigit(c) || (c == "." && position + 1 < limit && Self.isDigit(chars[position + 1])) {
        switch number() {
        case .success(let kind): tokens.append(ExpressionToken(kind: kind, start: start, end: position))
        case .failure(let e): return .failure(e)
        }
        continue
      }
      if c == "_" || Self.isLetter(c) {
        while position < limit,
          chars[position] == "_" || Self.isLetter(chars[position]) || Self.isDigit(chars[position])
            || chars[position] == "-" && identifierDashContinues()
        { position += 1 }
        tokens.append(ExpressionToken(kind: .identifier(text(start, position)), start: start, end: position))
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

  private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
  private static func isLetter(_ c: Unicode.Scalar) -> Bool {
    (c.value >= 0x41 && c.value <= 0x5A) || (c.value >= 0x61 && c.value <= 0x7A)
  }
  private func text(_ start: Int, _ end: Int) -> String {
    // Names and numbers are ASCII, whose scalars are their UTF-8 bytes: written straight into the string (a scalar
    // view built from a slice appends through the generic path, ~5 k instructions per name).
    guard chars[start..<end].allSatisfy(\.isASCII) else {
      var s = ""
      s.unicodeScalars.append(contentsOf: chars[start..<end])
      return s
    }
    return String(unsafeUninitializedCapacity: end - start) { buffer in
      for i in start..<end { buffer[i - start] = UInt8(truncatingIfNeeded: chars[i].value) }
      return end - start
    }
  }

  /// Identifiers never contain `-`: `a-b` is a subtraction. Kept as a hook so the rule is stated in one place.
  private func identifierDashContinues() -> Bool { false }

  private mutating func number() -> Result<ExpressionToken.Kind, ExpressionError> {
    let start = position
    var isFloat = false
    func digits() { while position < limit, Self.isDigit(chars[position]) { position += 1 } }
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
      if p < limit, Self.isDigit(chars[p]) {
        isFloat = true
        position = p
        digits()
      }
    }
    let text = text(start, position)
    if position < limit, chars[position].properties.isAlphabetic || chars[position] == "_" {
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
      guard d.isFinite else {
        return .failure(
          ExpressionError(
            "spec.non-finite-number", "\(text) is too large for a 64-bit float (it reads as infinity)",
            at: base.columns(start, position), help: "write a number of magnitude below 1.8e308"))
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
