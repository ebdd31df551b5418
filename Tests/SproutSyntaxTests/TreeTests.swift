import Foundation
import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// The shape of the node tree: ranges, styles, tags, aliases and merge keys.
@Suite struct TreeTests {
  @Test func scalarAndCollectionRanges() throws {
    let (document, diagnostics) = parseSpec("a: 1\nlist:\n  - x\n  - {k: v}\nlast: [1, 2]\n")
    #expect(diagnostics.isEmpty)
    let root = try #require(document.root)
    #expect(span(root.range) == "1:1-5:13")
    #expect(span(root.mapping?[0].key.range) == "1:1-1:2")
    #expect(span(root["a"]?.range) == "1:4-1:5")
    #expect(span(root["list"]?.range) == "3:3-4:11")
    #expect(span(root["list"]?.sequence?[1].range) == "4:5-4:11")
    #expect(span(root["last"]?.range) == "5:7-5:13")
    #expect(root["last"]?.range.start.offset == 34)
    #expect(root["last"]?.range.end.offset == 40)
  }

  @Test func columnsCountCharactersAndOffsetsCountBytes() throws {
    let (document, _) = parseSpec("é: ü\nnaïve: [\"日本\", x]\n")
    let root = try #require(document.root)
    let value = try #require(root["é"])
    #expect(span(value.range) == "1:4-1:5")
    #expect(value.range.start.offset == 4 && value.range.end.offset == 6)
    let x = try #require(root["naïve"]?.sequence?[1])
    #expect(span(x.range) == "2:15-2:16")
    #expect(x.range.start.offset == Array("é: ü\nnaïve: [\"日本\", ".utf8).count)
  }

  @Test func byteOrderMarkIsNotAColumn() throws {
    let (document, diagnostics) = parseSpec("\u{FEFF}a: 1\n")
    #expect(diagnostics.isEmpty)
    let key = try #require(document.root?.mapping?.first?.key)
    #expect(span(key.range) == "1:1-1:2")
    #expect(key.range.start.offset == 3)
  }

  @Test func blockScalarEndsAtItsLastCharacter() throws {
    let (document, _) = parseSpec("text: |\n  line one\n  line two\n\nnext: 1\n")
    let text = try #require(document.root?["text"])
    #expect(text.scalar == "line one\nline two\n")
    #expect(text.scalarStyle == .literal)
    #expect(span(text.range) == "1:7-3:11")
  }

  @Test func stylesAndTags() throws {
    let (document, _) = parseSpec("a: 'x'\nb: \"y\"\nc: >\n  z\nd: !!str 1\ne: !custom w\nf: plain\n")
    let root = try #require(document.root)
    #expect(root["a"]?.scalarStyle == .singleQuoted)
    #expect(root["b"]?.scalarStyle == .doubleQuoted)
    #expect(root["c"]?.scalarStyle == .folded)
    #expect(root["d"]?.tag == "!!str")
    #expect(root["e"]?.tag == "!custom")
    #expect(root["f"]?.scalarStyle == .plain && root["f"]?.tag == nil)
  }

  @Test func aliasIsACopyWithItsOwnRange() throws {
    let (document, diagnostics) = parseSpec("base: &b {x: 1}\nuse: *b\n")
    #expect(diagnostics.isEmpty)
    let root = try #require(document.root)
    let use = try #require(root["use"])
    #expect(use == root["base"])
    #expect(span(use.range) == "1:7-1:16")
    #expect(span(use.aliasRange) == "2:6-2:8")
    #expect(root["base"]?.aliasRange == nil)
    #expect(span(use["x"]?.range) == "1:14-1:15")
  }

  @Test func mergeKeys() throws {
    var diagnostics = Diagnostics()
    let document = YAMLParser.parse(
      bytes: try TestData.fixture("anchors-and-merges.yaml"), file: "m.yaml", diagnostics: &diagnostics)
    #expect(diagnostics.isEmpty)
    let stages = try #require(document.root?["stages"])
    // A single merged map; the explicit key overrides the merged one and keeps its own range. Merged
    // pairs take the place of the '<<' entry.
    let a = try #require(stages["a"])
    #expect(a.mapping?.map { $0.key.scalar ?? "" } == ["kind", "momentum", "lr"])
    #expect(a["lr"]?.scalar == "0.01")
    #expect(span(a["lr"]?.range) == "12:9-12:13")
    #expect(a["kind"]?.scalar == "sgd")
    // A list of maps: earlier maps win, explicit keys win over all.
    let b = try #require(stages["b"])
    #expect(b.mapping?.map { $0.key.scalar ?? "" } == ["schedule", "lr", "kind", "momentum", "nesterov"])
    #expect(b["lr"]?.scalar == "0.5")
    #expect(b["<<"] == nil)
    #expect(stages["c"]?["momentum"]?.scalar == "0.9")
    #expect(span(a["kind"]?.aliasRange) == "11:9-11:18")
    #expect(document.verify() == [])
  }

  @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
    let (document, diagnostics) = parseSpec("a: &a {x: 1}\nb:\n  \"<<\": *a\n")
    #expect(diagnostics.isEmpty)
    #expect(document.root?["b"]?["<<"]?["x"]?.scalar == "1")
  }

  @Test func wholeSpecFromDesignParsesClean() throws {
    var diagnostics = Diagnostics()
    let document = YAMLParser.parse(
      bytes: try TestData.fixture("whole-spec.yaml"), file: "spec.yaml", diagnostics: &diagnostics)
    #expect(diagnostics.isEmpty)
    let root = try #require(document.root)
    #expect(root["sprout"]?.scalar == "1")
    #expect(root["stages"]?["train"]?["optimizer"]?["lr"]?.scalar == "${params.lr}")
    #expect(root["stages"]?["train"]?["init"]?.scalar == "${matrix.init}")
    #expect(document.text.hasPrefix("sprout: 1"))
    #expect(document.verify() == [])
  }
}

/// `Document.verify()` finds what it is meant to find.
@Suite struct VerifyTests {
  @Test func reportsBrokenRanges() throws {
    let (document, _) = parseSpec("a: [1, 2]\n")
    var broken = document
    var root = try #require(broken.root)
    guard case .mapping(var pairs) = root.content else { throw VerifyError() }
    pairs[0].value.range = SourceRange(
      file: "spec.yaml", start: SourceLocation(line: 5, column: 1, offset: 40),
      end: SourceLocation(line: 4, column: 1, offset: 30))
    root.content = .mapping(pairs)
    broken.root = root
    let problems = broken.verify()
    #expect(problems.contains { $0.contains("a: end 4:1 before start 5:1") })
    #expect(problems.contains { $0.contains("outside 0..<10") })
    #expect(problems.contains { $0.contains("outside its parent") })
    #expect(document.verify() == [])
  }

  struct VerifyError: Error {}
}
