import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// Keys compare as resolved scalars, and one parse reports every unquoted `${...}` in flow collections.
@Suite struct ReportEverythingTests {
  @Test(arguments: [
    ("model: a\n\"model\": b\n", "2:1-2:8"),
    ("model: a\n'model': b\n", "2:1-2:8"),
    ("'model': a\n\"model\": b\n", "2:1-2:8"),
    ("model: a\n!!str model: b\n", "2:1-2:12"),
    ("{model: a, \"model\": b}\n", "1:12-1:19"),
    ("\"1\": a\n1: b\n", "2:1-2:2"),
  ])
  func quotedAndPlainSpellingsAreOneKey(_ text: String, _ at: String) throws {
    let (document, diagnostics) = parseSpec(text)
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.duplicate-key"])
    #expect(span(d.range) == at)
    #expect(d.notes.first?.message == "first defined here")
    #expect(d.notes.last?.message.contains("however it is quoted or tagged") == true)
    // The first definition is kept.
    #expect(document.root?.mapping?.count == 1)
    #expect(document.root?.mapping?.first?.value.scalar == "a")
  }

  @Test(arguments: [
    ("~: 1\nnull: 2\n", "null"),
    ("true: 1\nTrue: 2\n", "boolean"),
    ("16: 1\n0x10: 2\n", "integer"),
    ("8: 1\n0o10: 2\n", "integer"),
    ("1.5: 1\n1.50: 2\n", "number"),
    ("0.0: 1\n-0.0: 2\n", "number"),
  ])
  func plainScalarsWithTheSameValueAreOneKey(_ text: String, _ kind: String) throws {
    let (_, diagnostics) = parseSpec(text)
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.duplicate-key"])
    #expect(d.range.start.line == 2)
    #expect(d.notes.last?.message.hasSuffix("as the same \(kind)") == true)
  }

  @Test(arguments: ["1: a\n1.0: b\n", "a: 1\nA: 2\n", "\"true\": 1\nTrue: 2\n", "null: 1\n\"~\": 2\n"])
  func differentKeysStayDifferent(_ text: String) {
    let (document, diagnostics) = parseSpec(text)
    #expect(diagnostics.isEmpty)
    #expect(document.root?.mapping?.count == 2)
  }

  /// Past 16 keys a mapping looks duplicates up in a hash index; it must compare the same way.
  @Test func largeMappingsCompareTheSameWay() throws {
    let keys = (0..<40).map { "k\($0): \($0)" }.joined(separator: "\n")
    let (_, diagnostics) = parseSpec(keys + "\n\"k3\": x\n'k30': y\n0x10: z\n16: w\n")
    #expect(diagnostics.map(\.id) == Array(repeating: "syntax.duplicate-key", count: 3))
    #expect(diagnostics.map(\.range.start.line) == [41, 42, 44])
    #expect(diagnostics.map { $0.notes.first?.range?.start.line } == [4, 31, 43])
  }

  /// A merge brings in only keys the mapping does not define itself, under the same comparison: the mapping's
  /// quoted `"lr"` overrides the anchor's plain `lr`.
  @Test func mergedKeysCompareAsResolvedScalars() throws {
    let (document, diagnostics) = parseSpec(
      "base: &b {lr: 0.1, \"momentum\": 0.9}\nopt:\n  <<: *b\n  \"lr\": 0.5\n  momentum: 0\n")
    #expect(diagnostics.isEmpty)
    let opt = try #require(document.root?["opt"]?.mapping)
    #expect(opt.map(\.key.scalar) == ["lr", "momentum"])
    #expect(opt.map(\.value.scalar) == ["0.5", "0"])
  }

  @Test func everyUnquotedExpressionInFlowIsReported() throws {
    let text = """
      sprout: 1
      models:
        net: {input: 2, layers: [{dense: ${params.w}}, relu, {dense: ${params.w * 2}}]}
      stages:
        train: {optimizer: {lr: "${params.lr}", momentum: ${params.m}}, epochs: 1, epochs: 2}
      """
    let (document, diagnostics) = parseSpec(text)
    #expect(
      diagnostics.map(\.id) == [
        "syntax.unquoted-expression-in-flow", "syntax.unquoted-expression-in-flow",
        "syntax.unquoted-expression-in-flow", "syntax.duplicate-key",
      ])
    #expect(diagnostics.map { span($0.range) } == ["3:36-3:47", "3:64-3:79", "5:53-5:64", "5:78-5:84"])
    #expect(
      diagnostics.prefix(3).map(\.fixIts.first?.replacement) == [
        "\"${params.w}\"", "\"${params.w * 2}\"", "\"${params.m}\"",
      ])
    // The tree holds the expressions as written, as if they had been quoted.
    let layers = try #require(document.root?["models"]?["net"]?["layers"]?.sequence)
    #expect(layers[0]["dense"]?.scalar == "${params.w}")
    #expect(span(layers[0]["dense"]?.range) == "3:36-3:47")
    #expect(layers[2]["dense"]?.scalar == "${params.w * 2}")
    #expect(document.root?["stages"]?["train"]?["optimizer"]?["momentum"]?.scalar == "${params.m}")
    #expect(document.verify() == [])
  }

  /// Positions after a quoted expression are unchanged, multi-byte characters included.
  @Test func rereadingKeepsColumnsAfterMultibyteText() throws {
    let (_, diagnostics) = parseSpec("a: [${ü}, ${ä + 1}]\nb: [c, d\n")
    #expect(diagnostics.map { span($0.range) } == ["1:5-1:9", "1:11-1:19", "2:9-2:9"])
    #expect(diagnostics.last?.id == "syntax.invalid-yaml")
  }

  @Test func coreSchemaResolution() {
    #expect(CoreScalar.resolvePlain("0x10") == .int(16))
    #expect(CoreScalar.resolvePlain("0o17") == .int(15))
    #expect(CoreScalar.resolvePlain("-.inf") == .float(-.infinity))
    #expect(CoreScalar.resolvePlain(".Inf") == .float(.infinity))
    #expect(CoreScalar.resolvePlain("1e999") == .float(.infinity))
    if case .float(let d) = CoreScalar.resolvePlain(".NaN") { #expect(d.isNaN) } else { Issue.record(".NaN") }
    #expect(CoreScalar.resolvePlain("yes") == .string("yes"))
    #expect(CoreScalar.resolvePlain("") == .null)
    #expect(CoreScalar(Node(.scalar("1", .doubleQuoted), range: .wholeFile("f"))) == .string("1"))
    #expect(CoreScalar(Node(.scalar("1", .doubleQuoted), tag: "!!int", range: .wholeFile("f"))) == .int(1))
    #expect(CoreScalar(Node(.scalar("1", .plain), tag: "!!str", range: .wholeFile("f"))) == .string("1"))
  }
}

extension ReportEverythingTests {
  /// Rereading is bounded: past `maxRereads` unquoted expressions the rest wait for the next run.
  @Test func rereadingIsBounded() {
    let items = (0..<150).map { "${p.v\($0)}" }.joined(separator: ", ")
    let clock = ContinuousClock()
    let start = clock.now
    let (document, diagnostics) = parseSpec("a: [\(items)]\n")
    #expect(clock.now - start < .seconds(2))
    #expect(diagnostics.count == YAMLParser.maxRereads)
    #expect(diagnostics.allSatisfy { $0.id == "syntax.unquoted-expression-in-flow" })
    #expect(document.root == nil)
  }
}
