import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// Parses `text` as a spec and returns the document and its diagnostics.
func parseSpec(_ text: String, limits: ParseLimits = .init()) -> (Document, [Diagnostic]) {
  var diagnostics = Diagnostics()
  let document = YAMLParser.parse(text: text, file: "spec.yaml", limits: limits, diagnostics: &diagnostics)
  return (document, diagnostics.all)
}

/// `line:col-line:col` of a range, for compact assertions.
func span(_ range: SourceRange?) -> String {
  guard let range else { return "none" }
  return "\(range.start.line):\(range.start.column)-\(range.end.line):\(range.end.column)"
}

/// Every syntax diagnostic at its exact position, with its help line.
@Suite struct SyntaxDiagnosticTests {
  @Test func duplicateKeyPointsAtBothOccurrences() throws {
    let (document, diagnostics) = parseSpec("optimizer:\n  lr: 0.1\n  lr: 0.01\n")
    let d = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(d.id == "syntax.duplicate-key")
    #expect(d.severity == .error)
    #expect(span(d.range) == "3:3-3:5")
    #expect(d.path == "optimizer.lr")
    #expect(d.notes.map(\.message) == ["first defined here"])
    #expect(span(d.notes.first?.range) == "2:3-2:5")
    #expect(d.help != nil)
    // The first value is kept, so later phases see one key.
    #expect(document.root?["optimizer"]?["lr"]?.scalar == "0.1")
    #expect(document.root?["optimizer"]?.mapping?.count == 1)
  }

  @Test func duplicateKeyInFlowMapping() throws {
    let (_, diagnostics) = parseSpec("a: {x: 1, y: 2, x: 3}\n")
    let d = try #require(diagnostics.first)
    #expect(d.id == "syntax.duplicate-key")
    #expect(span(d.range) == "1:17-1:18")
    #expect(span(d.notes.first?.range) == "1:5-1:6")
  }

  @Test(arguments: ["", "# only a comment\n", "---\n", "\n\n"])
  func emptyFile(_ text: String) throws {
    let (document, diagnostics) = parseSpec(text)
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.empty-file"])
    #expect(d.range.start.line == 1 && d.range.start.column == 1)
    #expect(d.help != nil)
    #expect(document.root == nil)
  }

  @Test func severalDocuments() throws {
    let (document, diagnostics) = parseSpec("a: 1\n---\nb: 2\n")
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.multiple-documents"])
    #expect(span(d.range) == "2:1-2:4")
    #expect(span(d.notes.first?.range) == "1:1-1:1")
    #expect(d.help != nil)
    #expect(document.root?["a"]?.scalar == "1")
  }

  @Test func topLevelNotMapping() throws {
    let (document, diagnostics) = parseSpec("- sprout: 1\n- b\n")
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.top-level-not-mapping"])
    #expect(span(d.range) == "1:1-2:4")
    #expect(d.message.contains("a list"))
    #expect(document.root == nil)
    let (_, scalar) = parseSpec("hello\n")
    #expect(scalar.map(\.id) == ["syntax.top-level-not-mapping"])
    #expect(scalar.first?.message.contains("the string 'hello'") == true)
  }

  @Test func invalidUTF8PointsAtTheBadByte() throws {
    var diagnostics = Diagnostics()
    // "a: 1\nb: é" then a Latin-1 0xE9 ("é" in Latin-1).
    let bytes: [UInt8] = Array("a: 1\nb: é".utf8) + [0xE9, 0x0A]
    let document = YAMLParser.parse(bytes: bytes, file: "spec.yaml", diagnostics: &diagnostics)
    let d = try #require(diagnostics.all.first)
    #expect(d.id == "syntax.invalid-utf8")
    #expect(span(d.range) == "2:5-2:6")
    #expect(d.range.start.offset == 10)
    #expect(d.message.contains("0xE9"))
    #expect(d.help != nil)
    #expect(document.root == nil)
  }

  @Test func invalidByteAfterByteOrderMark() throws {
    var diagnostics = Diagnostics()
    _ = YAMLParser.parse(bytes: [0xEF, 0xBB, 0xBF, 0x61, 0xA9], file: "spec.yaml", diagnostics: &diagnostics)
    #expect(diagnostics.all.map(\.id) == ["syntax.invalid-utf8"])
    #expect(span(diagnostics.all.first?.range) == "1:2-1:3")
  }

  @Test func utf16IsNamed() throws {
    var diagnostics = Diagnostics()
    _ = YAMLParser.parse(bytes: [0xFF, 0xFE, 0x61, 0x00], file: "spec.yaml", diagnostics: &diagnostics)
    #expect(diagnostics.all.map(\.id) == ["syntax.invalid-utf8"])
    #expect(diagnostics.all.first?.message.contains("UTF-16") == true)
  }

  @Test func tabIndentation() throws {
    let (document, diagnostics) = parseSpec("models:\n  a: 1\n\tnet: 2\n")
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.tab-indentation"])
    #expect(span(d.range) == "3:1-3:2")
    #expect(d.help?.contains("spaces") == true)
    #expect(d.fixIts.first?.replacement == "  ")
    #expect(document.root == nil)
  }

  @Test func unquotedExpressionInFlowMapping() throws {
    let (_, diagnostics) = parseSpec("sprout: 1\noptimizer: {lr: ${params.lr}}\n")
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.unquoted-expression-in-flow"])
    #expect(span(d.range) == "2:17-2:29")
    #expect(d.help == "quote the expression: \"${params.lr}\"")
    #expect(d.fixIts.first?.replacement == "\"${params.lr}\"")
    #expect(span(d.fixIts.first?.range) == "2:17-2:29")
  }

  @Test func unquotedExpressionInFlowSequence() throws {
    let (_, diagnostics) = parseSpec("layers: [${a}]\n")
    let d = try #require(diagnostics.first)
    #expect(d.id == "syntax.unquoted-expression-in-flow")
    #expect(span(d.range) == "1:10-1:14")
    #expect(d.help == "quote the expression: \"${a}\"")
    // Across lines, and with a quoted expression earlier on the line that must not be blamed.
    let (_, nested) = parseSpec("layers: [\n  {dense: \"${w}\"}, {dense: ${params.width * 2}}]\n")
    #expect(nested.map(\.id) == ["syntax.unquoted-expression-in-flow"])
    #expect(span(nested.first?.range) == "2:28-2:47")
  }

  @Test func expressionsOutsideFlowAreFine() {
    let (document, diagnostics) = parseSpec("init: ${matrix.init}\nlr: \"${params.lr}\"\nl: [\"${a}\"]\n")
    #expect(diagnostics.isEmpty)
    #expect(document.root?["init"]?.scalar == "${matrix.init}")
  }

  @Test func libyamlErrorsAreReadable() throws {
    let (_, unclosed) = parseSpec("stages: [train, test\n")
    let d = try #require(unclosed.first)
    #expect(d.id == "syntax.invalid-yaml")
    #expect(d.message == "invalid YAML: did not find expected ',' or ']' while parsing a flow sequence")
    // At the end of the input: just after the last character, not on the empty line below.
    #expect(span(d.range) == "1:21-1:21")
    #expect(d.notes.first?.message == "while parsing a flow sequence that starts here")
    #expect(span(d.notes.first?.range) == "1:9-1:9")
    #expect(d.help != nil)

    let (_, colon) = parseSpec("a: b: c\n")
    #expect(colon.first?.id == "syntax.invalid-yaml")
    #expect(span(colon.first?.range) == "1:5-1:6")
    #expect(colon.first?.help?.contains("quote") == true)

    let (_, indent) = parseSpec("a:\n  b: 1\n c: 2\n")
    #expect(indent.first?.id == "syntax.invalid-yaml")
    #expect(span(indent.first?.range) == "3:2-3:3")
    #expect(indent.first?.help?.contains("indentation") == true)

    let (_, quote) = parseSpec("a: \"abc\n")
    #expect(quote.first?.message.contains("quoted scalar") == true)
    #expect(span(quote.first?.notes.first?.range) == "1:4-1:4")
  }

  @Test func controlCharacterPositionFromReader() throws {
    let (_, diagnostics) = parseSpec("a: 1\nb: x\u{01}\n")
    let d = try #require(diagnostics.first)
    #expect(d.id == "syntax.invalid-yaml")
    #expect(d.range.start.line == 2 && d.range.start.column == 5)
  }

  @Test func undefinedAndRecursiveAliases() throws {
    let (document, undefined) = parseSpec("a: *nope\nb: 1\n")
    #expect(undefined.map(\.id) == ["syntax.undefined-alias"])
    #expect(span(undefined.first?.range) == "1:4-1:9")
    #expect(document.root?["b"]?.scalar == "1")

    let (_, recursive) = parseSpec("a: &x [1, *x]\n")
    #expect(recursive.map(\.id) == ["syntax.recursive-alias"])
    #expect(span(recursive.first?.range) == "1:11-1:13")
  }

  @Test func invalidMerge() throws {
    let (_, diagnostics) = parseSpec("base: &b [1]\nnet:\n  <<: *b\n  x: 1\n")
    let d = try #require(diagnostics.first)
    #expect(diagnostics.map(\.id) == ["syntax.invalid-merge"])
    #expect(span(d.range) == "3:7-3:9")
    #expect(d.path == "net.<<")
  }

  @Test func fileTooLarge() throws {
    var limits = ParseLimits()
    limits.maxBytes = 8
    let (document, diagnostics) = parseSpec("sprout: 1\n", limits: limits)
    #expect(diagnostics.map(\.id) == ["syntax.file-too-large"])
    #expect(span(diagnostics.first?.range) == "1:1-1:1")
    #expect(document.root == nil)
  }

  @Test func catalogueIsSortedRegisteredAndComplete() {
    let ids = SyntaxDiagnostics.catalog.map(\.id)
    #expect(ids == ids.sorted())
    #expect(Set(ids).count == ids.count)
    _ = parseSpec("a: 1\n")
    for entry in SyntaxDiagnostics.catalog {
      #expect(entry.id.domain == "syntax")
      #expect(entry.id.rawValue.wholeMatch(of: #/syntax\.[a-z0-9]+(-[a-z0-9]+)*/#) != nil)
      #expect(!entry.summary.isEmpty && !entry.example.isEmpty)
      #expect(DiagnosticCatalog.entry(for: entry.id) == entry)
    }
  }
}

/// Keys are first compared by a fingerprint of their text (texts up to 16 bytes through a table of shared strings,
/// longer ones hashed): texts on either side of 16 bytes, long texts that share a 16-byte prefix, and mappings
/// past 16 keys (compared by sorted fingerprints) still find exactly the duplicates, and keep every distinct key.
@Suite struct KeyFingerprintTests {
  @Test func textsAroundSixteenBytes() throws {
    let keys = [
      "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopqr", "abcdefghijklmnopqrstuvwxyz0",
      "abcdefghijklmnopqrstuvwxyz1", "x", "y", "é", "ü", "",
    ]
    var text = "m:\n"
    for (i, key) in keys.enumerated() { text += "  \"\(key)\": \(i)\n" }
    let (clean, none) = parseSpec(text)
    #expect(none.isEmpty)
    #expect(clean.root?["m"]?.mapping?.map { $0.key.scalar ?? "?" } == keys)
    // Each key written again, plain where it can be: every one is reported, in order, at its second line.
    for key in keys where !key.isEmpty { text += "  \(key): again\n" }
    let (document, diagnostics) = parseSpec(text)
    #expect(diagnostics.map(\.id) == Array(repeating: "syntax.duplicate-key", count: keys.count - 1))
    #expect(diagnostics.map(\.range.start.line) == Array((keys.count + 2)...(2 * keys.count)))
    #expect(document.root?["m"]?.mapping?.count == keys.count)
    #expect(document.root?["m"]?["abcdefghijklmnopqrstuvwxyz1"]?.scalar == "5")
  }

  @Test func manyKeysWithOneDuplicateFarApart() throws {
    var text = "m:\n"
    for i in 0..<300 { text += "  key\(i): \(i)\n" }
    text += "  key7: again\n"
    let (document, diagnostics) = parseSpec(text)
    #expect(diagnostics.map(\.id) == ["syntax.duplicate-key"])
    #expect(diagnostics.first?.path == "m.key7")
    #expect(span(diagnostics.first?.notes.first?.range) == "9:3-9:7")
    #expect(document.root?["m"]?.mapping?.count == 300)
    #expect(document.root?["m"]?["key299"]?.scalar == "299")
  }

  @Test func reusedTextsStayDistinctValues() throws {
    // The same short texts recur as keys and values in many mappings; each node still holds its own text.
    var text = "list:\n"
    for i in 0..<200 { text += "  - {kind: k\(i % 7), name: n\(i), kind2: kind}\n" }
    let (document, diagnostics) = parseSpec(text)
    #expect(diagnostics.isEmpty)
    let items = try #require(document.root?["list"]?.sequence)
    #expect(items.count == 200)
    #expect(items[199]["kind"]?.scalar == "k3")
    #expect(items[199]["name"]?.scalar == "n199")
    #expect(items[5]["kind2"]?.scalar == "kind")
  }
}

/// The shared-text table hands back exactly the text it is given, whatever its length, and tells apart texts
/// that differ in one byte anywhere (the table is keyed by the bytes read as words).
@Suite struct ScalarTextsTests {
  @Test func everyLengthAndEveryBytePosition() {
    var texts = ScalarTexts(byteCount: 4096)
    for length in 0...40 {
      let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
      var variants = [base]
      for i in 0..<length {
        var changed = base
        changed[i] = UInt8(ascii: "Z")
        variants.append(changed)
      }
      var prints: [UInt64] = []
      for _ in 0..<2 {
        for bytes in variants {
          let (text, print) = bytes.withUnsafeBufferPointer { texts.text($0.baseAddress, count: $0.count) }
          #expect(Array(text.utf8) == bytes)
          #expect(print == ScalarTexts.fingerprint(of: text))
          prints.append(print)
        }
      }
      #expect(Set(prints.prefix(variants.count)).count == variants.count, "length \(length)")
    }
  }
}
