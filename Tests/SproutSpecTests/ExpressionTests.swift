import SproutDiagnostics
import SproutSpec
import Testing

/// A range on line 3 starting at column 10, as if the scalar began there.
let base = SourceRange(file: "t.yaml", at: SourceLocation(line: 3, column: 10, offset: 100))

func parse(_ text: String) throws -> ExpressionValue {
  try ExpressionParser.parse(text, base: base).get()
}

func eval(
  _ text: String, _ env: ExpressionEnvironment = ExpressionEnvironment()
) throws -> Result<Value, ExpressionError> {
  try parse(text).evaluate(env)
}

let env = ExpressionEnvironment(
  params: ["width": .int(64), "lr": .float(0.1), "name": .string("abc")],
  matrix: ["scale": .int(3), "init": .string("he")],
  trial: TrialInfo(index: 5, seed: 42, id: "t5"))

@Suite struct ExpressionTests {
  @Test func precedenceAndAssociativity() throws {
    #expect(try parse("${1 + 2 * 3}").expression.description == "(1 + (2 * 3))")
    #expect(try parse("${1 - 2 - 3}").expression.description == "((1 - 2) - 3)")
    #expect(try parse("${-(1 + 2) // 4 % 3}").expression.description == "(((-(1 + 2)) // 4) % 3)")
    #expect(try parse("${params.width*2}").expression.description == "(params.width * 2)")
  }

  @Test func integerAndFloatArithmetic() throws {
    #expect(try eval("${7 // 2}", env).get() == .int(3))
    #expect(try eval("${-7 // 2}", env).get() == .int(-4))
    #expect(try eval("${-7 % 3}", env).get() == .int(2))
    #expect(try eval("${7 % -3}", env).get() == .int(-2))
    #expect(try eval("${7 / 2}", env).get() == .float(3.5))
    #expect(try eval("${4 / 2}", env).get() == .float(2.0))
    #expect(try eval("${1 + 0.5}", env).get() == .float(1.5))
    #expect(try eval("${1e-3 * 2}", env).get() == .float(0.002))
    #expect(try eval("${7.5 // 2}", env).get() == .float(3.0))
    #expect(try eval("${params.width * matrix.scale + trial.index}", env).get() == .int(197))
    #expect(try eval("${params.lr / 2}", env).get() == .float(0.05))
    #expect(try eval("${trial.seed}", env).get() == .int(42))
    #expect(try eval("${matrix.init}", env).get() == .string("he"))
    #expect(try eval("  ${ params.width }  ", env).get() == .int(64))
  }

  @Test func interpolation() throws {
    #expect(try eval("run-${trial.index}-${matrix.init}", env).get() == .string("run-5-he"))
    #expect(try eval("w${params.width * 2}", env).get() == .string("w128"))
  }

  @Test func syntaxErrorsPointInsideTheScalar() throws {
    // "${params.width * }": the '}' at offset 17 ends the expression; the error is at the end of the tokens.
    guard case .failure(let e) = ExpressionParser.parse("${params.width * }", base: base) else {
      Issue.record("expected a syntax error")
      return
    }
    #expect(e.id == "spec.expression-syntax")
    #expect(e.range.start.column == 10 + 17)
    guard case .failure(let e2) = ExpressionParser.parse("${1 + $}", base: base) else {
      Issue.record("expected a lexical error")
      return
    }
    #expect(e2.range.start.column == 10 + 6)
    #expect(e2.range.end.column == 10 + 7)
    guard case .failure(let e3) = ExpressionParser.parse("${(1 + 2}", base: base) else {
      Issue.record("expected an unclosed parenthesis")
      return
    }
    #expect(e3.message.contains("')'"))
    #expect(e3.range.start.column == 12)
    #expect(throws: ExpressionError.self) { try ExpressionParser.parse("${1 + 2", base: base).get() }
    #expect(throws: ExpressionError.self) { try ExpressionParser.parse("${}", base: base).get() }
    #expect(throws: ExpressionError.self) { try ExpressionParser.parse("${2 ** 3}", base: base).get() }
    #expect(throws: ExpressionError.self) { try ExpressionParser.parse("${1 2}", base: base).get() }
    #expect(throws: ExpressionError.self) { try ExpressionParser.parse("${params.}", base: base).get() }
  }

  @Test func typeErrorsPointAtTheSubExpression() throws {
    // ${1 + params.name}: params.name spans offsets 6..<17.
    guard case .failure(let e) = try eval("${1 + params.name}", env) else {
      Issue.record("expected a type error")
      return
    }
    #expect(e.id == "spec.expression-type")
    #expect(e.range.start.column == 16 && e.range.end.column == 27)
    #expect(e.message.contains("the string 'abc'"))
    guard case .failure(let z) = try eval("${params.width // (matrix.scale - 3)}", env) else {
      Issue.record("expected division by zero")
      return
    }
    #expect(z.message == "division by zero")
    #expect(z.range.start.column == 10 + 18 && z.range.end.column == 10 + 36)
    guard case .failure(let o) = try eval("${9223372036854775807 + 1}", env) else {
      Issue.record("expected overflow")
      return
    }
    #expect(o.message.contains("overflow"))
  }

  /// Numbers in a spec are finite: a literal too large for a double is an error at its columns, and arithmetic
  /// that overflows to infinity (or gives NaN) is an error at the whole operation.
  @Test func nonFiniteNumbers() throws {
    guard case .failure(let big) = ExpressionParser.parse("${params.lr * 1e999}", base: base) else {
      Issue.record("expected 1e999 to be refused")
      return
    }
    #expect(big.id == "spec.non-finite-number")
    #expect(big.range.start.column == 10 + 14 && big.range.end.column == 10 + 19)
    for text in ["${1e308 * 10}", "${-1e308 - 1e308}", "${1e300 / 1e-300}", "${1.0e308 + 1e308 - 1e308}"] {
      guard case .failure(let e) = try eval(text, env) else {
        Issue.record("expected \(text) to overflow")
        continue
      }
      #expect(e.id == "spec.expression-type")
      #expect(e.message.contains("overflows a 64-bit float"))
    }
    #expect(try eval("${1e308 * 1.5 / 2}", env).get() == .float(1e308 * 1.5 / 2))
  }

  @Test func undefinedReferencesSuggest() throws {
    guard case .failure(let e) = try eval("${2 * params.widht}", env) else {
      Issue.record("expected undefined")
      return
    }
    #expect(e.id == "spec.expression-undefined")
    #expect(e.range.start.column == 16 && e.range.end.column == 28)
    #expect(e.help == "did you mean 'params.width'?")
    guard case .failure(let m) = try eval("${matrx.scale}", env) else {
      Issue.record("expected undefined root")
      return
    }
    #expect(m.help == "did you mean 'matrix.scale'?")
    guard case .failure(let t) = try eval("${trial.seeds}", env) else {
      Issue.record("expected undefined trial field")
      return
    }
    #expect(t.help == "did you mean 'trial.seed'?")
  }

  @Test func referencesAreListedWithRanges() throws {
    let refs = try parse("${params.a + matrix.b * 2}").expression.references
    #expect(refs.map(\.path) == [["params", "a"], ["matrix", "b"]])
    #expect(refs[1].range.start.column == 10 + 13)
  }
}

@Suite struct SuggestionTests {
  @Test func damerauLevenshtein() {
    #expect(Suggestions.distance("kaiming_norml", "kaiming_normal") == 1)
    #expect(Suggestions.distance("momentun", "momentum") == 1)
    #expect(Suggestions.distance("ca", "ac") == 1)
    #expect(Suggestions.distance("", "abc") == 3)
    #expect(Suggestions.distance("abc", "abc") == 0)
  }

  @Test func nearest() {
    #expect(Suggestions.nearest("kaiming_norml", among: ["kaiming_normal", "kaiming_uniform"]) == "kaiming_normal")
    #expect(Suggestions.nearest("weightDecay", among: ["weight_decay", "lr"]) == "weight_decay")
    #expect(Suggestions.nearest("zzz", among: ["lr", "momentum"]) == nil)
  }

  @Test func snakeCase() {
    #expect(Suggestions.snakeCase("weightDecay") == "weight_decay")
    #expect(Suggestions.snakeCase("checkpointEvery") == "checkpoint_every")
    #expect(Suggestions.snakeCase("HTTPServer") == "http_server")
    #expect(Suggestions.snakeCase("max-iter") == "max_iter")
    #expect(Suggestions.snakeCase("s0Max") == "s0_max")
  }
}
