import Foundation
import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// Inputs the fuzzer (fuzz/run.sh) once crashed on; each must now give diagnostics and sound trees.
@Suite struct FuzzRegressionTests {
  static let inputs: [[UInt8]] = [
    // A directive with no document: libyaml reports the error on the line after the last one.
    Array("%TAG ! tag:x,2000:".utf8),
    // A byte-order mark followed by a stray continuation byte: the column came out as 0.
    [0xEF, 0xBB, 0xBF, 0xA9, 0x70, 0x00, 0x1D, 0x00, 0x0A],
  ]

  @Test(arguments: inputs)
  func noCrash(_ bytes: [UInt8]) {
    var diagnostics = Diagnostics()
    let document = YAMLParser.parse(bytes: bytes, file: "fuzz.yaml", diagnostics: &diagnostics)
    #expect(document.verify() == [])
    for d in diagnostics {
      #expect(d.range.start.line >= 1 && d.range.start.column >= 1)
      #expect(d.range.end.offset <= bytes.count)
    }
    _ = DiagnosticRenderer.text(diagnostics.all, sources: ["fuzz.yaml": document.text], color: false)
  }
}

/// A billion-laughs variant whose broken aliases keep it under the node limit: parsing and verifying the
/// (large, alias-shared) tree must stay fast.
@Test func aliasHeavyDocumentUnderTheLimitIsFast() throws {
  let bytes = try TestData.fixture("fuzz-timeout-aliases.yaml")
  let clock = ContinuousClock()
  var diagnostics = Diagnostics()
  var problems: [String] = ["not run"]
  let elapsed = clock.measure {
    let document = YAMLParser.parse(bytes: bytes, file: "fuzz.yaml", diagnostics: &diagnostics)
    problems = document.verify()
  }
  #expect(problems == [])
  #expect(elapsed < .seconds(3), "took \(elapsed)")
}

/// Key paths stay short whatever the keys: a long or complex key is abbreviated, not copied into every
/// nested path and message.
@Test func longAndComplexKeysAreAbbreviated() throws {
  let long = String(repeating: "k", count: 1_000)  // (YAML caps implicit keys at 1024 characters)
  let (_, diagnostics) = parseSpec("\(long):\n  a: 1\n  a: 2\n? [x, y]\n: {b: 1, b: 2}\n")
  #expect(diagnostics.map(\.path) == [String(repeating: "k", count: 61) + "....a", "[...].b"])
  #expect(diagnostics.allSatisfy { $0.message.count < 100 })
}
