import Foundation
import SproutDiagnostics
import SproutSpec
import Testing

@Suite struct RobustnessTests {
  /// Every decoded spec (examples and fixtures, errors or not) satisfies the AST invariants: broken parts are
  /// left out rather than half-decoded.
  @Test func decodedSpecsVerify() throws {
    var texts = try exampleFiles().map { try String(contentsOf: $0, encoding: .utf8) }
    texts += try fixtureURLs.map { try String(contentsOf: $0, encoding: .utf8) }
    for text in texts {
      var d = Diagnostics()
      if let spec = SpecDecoder.decode(text: text, file: "t.yaml", diagnostics: &d) {
        #expect(spec.verify().isEmpty, "\(spec.verify())")
      }
    }
  }

  /// Line-level mutations of the examples (dropped lines, truncated lines, swapped values) never trap, and every
  /// diagnostic has a position inside the file.
  @Test func mutatedExamplesNeverTrap() throws {
    var generator = SplitMix64(seed: 42)
    let replacements = [
      "", "-1", "0", "abc", "[]", "{}", "${", "${matrix.x}", "1e999", "~", "[1, [2, {a: b}]]",
      "\"${params.width // 0}\"", "kind", "9223372036854775807",
    ]
    for url in try exampleFiles() {
      let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
      for _ in 0..<150 {
        var mutated = lines.map(String.init)
        let i = Int(generator.next() % UInt64(mutated.count))
        switch generator.next() % 3 {
        case 0: mutated.remove(at: i)
        case 1: mutated[i] = String(mutated[i].prefix(Int(generator.next() % UInt64(mutated[i].count + 1))))
        default:
          if let colon = mutated[i].firstIndex(of: ":") {
            let r = replacements[Int(generator.next() % UInt64(replacements.count))]
            mutated[i] = String(mutated[i][...colon]) + " " + r
          }
        }
        let text = mutated.joined(separator: "\n")
        var d = Diagnostics()
        let spec = SpecDecoder.decode(text: text, file: "m.yaml", diagnostics: &d)
        for diagnostic in d.all {
          #expect(diagnostic.range.start.line >= 1 && diagnostic.range.start.line <= mutated.count + 1)
        }
        if let spec { #expect(spec.verify().isEmpty, "\(spec.verify())\n\(text)") }
      }
    }
  }

  @Test func hugeMatricesDoNotOverflow() throws {
    let axes = (0..<25).map { "  a\($0): [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]" }.joined(separator: "\n")
    var d = Diagnostics()
    let spec = SpecDecoder.decode(text: "sprout: 1\nmatrix:\n\(axes)\n", file: "m.yaml", diagnostics: &d)
    #expect(spec?.matrix?.root.count == Int.max)
  }
}


@Suite struct LimitTests {
  @Test func deepOrLongExpressionsAreRejectedNotRecursed() throws {
    let base = SourceRange(file: "t", at: SourceLocation(line: 1, column: 1))
    for text in [
      "${" + String(repeating: "-", count: 100_000) + "1}",
      "${" + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000) + "}",
      "${" + Array(repeating: "1", count: 50_000).joined(separator: " + ") + "}",
    ] {
      guard case .failure(let e) = ExpressionParser.parse(text, base: base) else {
        Issue.record("expected a length error")
        continue
      }
      #expect(e.message.hasPrefix("expression too long"))
    }
  }

  @Test func manyExpressionsOverAHugeMatrixLintQuickly() throws {
    let axes = (0..<12).map { "  a\($0): [1, 2]" }.joined(separator: "\n")
    let sum = (0..<12).map { "matrix.a\($0)" }.joined(separator: " + ")
    let layers = Array(repeating: "{dense: \"${\(sum)}\"}", count: 400).joined(separator: ", ")
    let text = "sprout: 1\nmatrix:\n\(axes)\nmodels:\n  m: {input: 2, layers: [\(layers)]}\n"
    let start = Date()
    var d = Diagnostics()
    _ = SpecDecoder.decode(text: text, file: "t.yaml", diagnostics: &d)
    // A guard against expanding the 4,096 trials per expression (minutes), not a timing: decoding takes ~1 s idle
    // and up to ~10 s on a machine loaded 16 deep, so the bound leaves room for any load.
    #expect(Date().timeIntervalSince(start) < 60)
    #expect(!d.hasErrors)
  }

  @Test func longWordsGetNoSuggestionWithoutAQuadraticStall() {
    let word = String(repeating: "x", count: 200_000)
    let start = Date()
    #expect(Suggestions.nearest(word, among: ["xx", "name"]) == nil)
    // A guard against the quadratic edit distance (minutes at this length), not a timing.
    #expect(Date().timeIntervalSince(start) < 10)
  }
}
