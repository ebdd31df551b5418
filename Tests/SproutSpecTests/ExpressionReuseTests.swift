import SproutDiagnostics
import Testing

@testable import SproutSpec

/// The decoder parses each expression text once and moves the result to every place it is written, and remembers the
/// type checks that passed: positions and diagnostics must be those of parsing and checking every occurrence.
@Suite struct ExpressionReuseTests {
  /// Every range inside an expression, in order.
  func ranges(_ e: Expression) -> [SourceRange] {
    switch e.node {
    case .int, .float, .reference: return [e.range]
    case .unary(_, let a): return [e.range] + ranges(a)
    case .binary(_, let a, let b): return [e.range] + ranges(a) + ranges(b)
    case .interpolation(let parts):
      return [e.range]
        + parts.flatMap { part -> [SourceRange] in
          if case .expression(let inner) = part { return ranges(inner) }
          return []
        }
    }
  }

  @Test(arguments: [
    "${params.width}", "${params.width * 2 + 1}", "${-(params.lr / 3) // 1}", "run-${trial.index}-of-${params.n}",
    "  ${matrix.x % 4}  ", "${1.5e-3}",
  ])
  func anExpressionParsedAtTheOriginMovesExactly(_ text: String) throws {
    let file = SourceFileID("moved.yaml")
    let origin = SourceRange(
      fileID: file, start: SourceLocation(line: 1, column: 1, offset: 0), end: SourceLocation(line: 1, column: 1, offset: 0))
    let atOrigin = try ExpressionParser.parse(text, base: origin).get()
    for start in [
      SourceLocation(line: 7, column: 12, offset: 345), SourceLocation(line: 1, column: 1, offset: 0),
      SourceLocation(line: 40, column: 3, offset: -1),
    ] {
      let base = SourceRange(fileID: file, start: start, end: start)
      let direct = try ExpressionParser.parse(text, base: base).get()
      let moved = atOrigin.rebased(onto: base)
      #expect(moved == direct)
      #expect(moved.range == direct.range)
      #expect(ranges(moved.expression) == ranges(direct.expression))
    }
  }

  @Test func theSameExpressionWrittenTwiceKeepsEachPlaceAndEachProblem() throws {
    let yaml = """
      sprout: 1
      params:
        width: 64
        rate: 2.5
      datasets:
        d: {kind: teacher_student, inputs: 4, outputs: 1, samples: 16}
      models:
        a:
          input: 4
          layers: [{dense: "${params.width}"}, {dense: 1}]
        b:
          input: 4
          layers:
            - dense: 1
            - dense:   "${params.width}"
        c:
          input: 4
          layers: [{dropout: "${params.rate}"}, {dense: 1}]
        e:
          input: 4
          layers:
            - dropout: "${params.rate}"
      """
    var d = Diagnostics()
    let spec = SpecDecoder.decode(text: yaml, file: "twice.yaml", diagnostics: &d)
    // Both dropouts are out of range, each reported at its own place.
    let rate = d.all.filter { $0.message.contains("params.rate") }
    #expect(rate.count == 2, "\(d.all.map(\.message))")
    #expect(rate.map(\.range.start.line).sorted() == [18, 22])
    let a = try #require(spec?.models.first { $0.id.name == "a" })
    guard case .expression(let first)? = a.layers[0]["units"] else {
      Issue.record("expected an expression")
      return
    }
    #expect(first.range.start.line == 10)
    #expect(first.range.start.column == 23)
    #expect(first.expression.range.start.column == 25)
    // The same text again (parsed once): at its own place.
    let b = try #require(spec?.models.first { $0.id.name == "b" })
    guard case .expression(let again)? = b.layers[1]["units"] else {
      Issue.record("expected an expression")
      return
    }
    #expect(again.range.start.line == 15)
    #expect(again.range.start.column == 19)
    #expect(again.expression.range.start.line == 15)
    #expect(again.expression.range.start.column == 21)
  }
}
