import CYAML
import SproutDiagnostics

/// The Syntax phase: YAML text in, one spanned `Node` tree out, every problem as a diagnostic.
///
/// ```
/// bytes ─► size check ─► UTF-8 check ─► libyaml events ─► TreeBuilder ─► documents ─► one mapping
///                                        (pulled one by    (aliases, merges,
///                                         one; stops at     duplicate keys,
///                                         the first limit)  depth/size limits)
/// ```
/// Nothing here prints or traps on user input; a broken file yields `root == nil` and diagnostics.
public enum YAMLParser {
  /// Parses one spec file: exactly one YAML document whose top level is a mapping.
  ///
  /// `root` is `nil` when the file cannot be read as YAML, crosses a limit, is empty or its top level is
  /// not a mapping. With several documents, the first is returned and the others are reported.
  public static func parse(
    bytes: [UInt8], file: String, limits: ParseLimits = .init(), diagnostics: inout Diagnostics
  ) -> Document {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let documents = parseDocuments(bytes: bytes, file: file, limits: limits, diagnostics: &diagnostics)
    else { return Document(file: file, text: text, root: nil) }

    if documents.count > 1 {
      let second = documents[1]
      let marker = second.explicitStart ? second.start : SourceRange(file: file, at: second.start.start)
      let firstStart = SourceRange(file: file, at: documents[0].start.start)
      diagnostics.report(
        .multipleDocuments, "the file holds \(documents.count) YAML documents; a spec is one document",
        at: marker,
        notes: [DiagnosticNote("the first document starts here", at: firstStart)],
        help: "remove the '---' line, or split the documents into separate spec files")
    }
    guard let first = documents.first, let root = first.root, !isEmptyDocument(root) else {
      diagnostics.report(
        .emptyFile, "the file holds no YAML document", at: documents.first?.start ?? .wholeFile(file),
        help: "a spec is a mapping that starts with 'sprout: 1'")
      return Document(file: file, text: text, root: nil)
    }
    guard root.mapping != nil else {
      diagnostics.report(
        .topLevelNotMapping, "the top level of a spec must be a mapping, found \(root.kindDescription)",
        at: root.range, help: "write the spec as 'key: value' lines, starting with 'sprout: 1'")
      return Document(file: file, text: text, root: nil)
    }
    return Document(file: file, text: text, root: root)
  }

  /// Parses one spec file given as text (see `parse(bytes:file:limits:diagnostics:)`).
  public static func parse(
    text: String, file: String, limits: ParseLimits = .init(), diagnostics: inout Diagnostics
  ) -> Document {
    parse(bytes: Array(text.utf8), file: file, limits: limits, diagnostics: &diagnostics)
  }

  /// Parses a YAML stream into the root node of each document, without Sprout's one-mapping rule.
  ///
  /// Returns `nil` after reporting when the input is too large, not UTF-8, not YAML, or crosses a limit.
  /// An empty document (`---` alone) has an empty plain scalar as its root.
  public static func parseStream(
    bytes: [UInt8], file: String, limits: ParseLimits = .init(), diagnostics: inout Diagnostics
  ) -> [Node]? {
    parseDocuments(bytes: bytes, file: file, limits: limits, diagnostics: &diagnostics)?.compactMap(\.root)
  }

  static func parseDocuments(
    bytes: [UInt8], file: String, limits: ParseLimits, diagnostics: inout Diagnostics
  ) -> [ParsedDocument]? {
    SyntaxDiagnostics.register()
    guard bytes.count <= limits.maxBytes else {
      diagnostics.report(
        .fileTooLarge, "the file is \(bytes.count) bytes, more than the limit of \(limits.maxBytes)",
        at: .wholeFile(file), help: "keep data in dataset files and out of the spec")
      return nil
    }
    let map = SourceMap(bytes: bytes)
    if let bad = UTF8Validation.firstInvalidByte(in: bytes) {
      let at = map.location(ofByte: bad)
      let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
      let hex = String(bytes[bad], radix: 16, uppercase: true)
      diagnostics.report(
        .invalidUTF8,
        utf16 ? "the file is UTF-16 encoded" : "the file is not valid UTF-8: byte 0x\(hex) at offset \(bad)",
        at: SourceRange(
          file: file, start: at, end: SourceLocation(line: at.line, column: at.column + 1, offset: bad + 1)),
        help: utf16
          ? "save the file as UTF-8"
          : "save the file as UTF-8 (this byte looks like another encoding, such as Latin-1)")
      return nil
    }
    if bytes.isEmpty { return [] }

    // libyaml stops at its first error. An unquoted `${...}` in a flow collection is a slip users repeat, so
    // after reporting one the parser quotes it (in a copy of the input, keeping every offset) and reads again,
    // until none is left: one run reports them all. A scalar that was just the expression holds its text, as if
    // it had been quoted.
    var input = bytes
    var inputMap = map
    var quoted: [Int: String] = [:]
    var found = Diagnostics()
    var budget = min(Self.maxRereads, max(1, Self.rereadBudget / bytes.count))
    while true {
      var attempt = Diagnostics()
      let outcome = readDocuments(
        input, map: inputMap, file: file, limits: limits, quoted: quoted, diagnostics: &attempt)
      if case .unquotedExpression(let range) = outcome, budget > 1,
        let text = Self.quote(range, in: &input, original: bytes)
      {
        found.append(contentsOf: attempt.all.filter { $0.id == .unquotedExpressionInFlow })
        quoted[range.lowerBound] = text
        inputMap = SourceMap(bytes: input)
        budget -= 1
        continue
      }
      diagnostics.append(contentsOf: found)
      diagnostics.append(contentsOf: attempt)
      if case .documents(let documents) = outcome { return documents }
      return nil
    }
  }

  /// Bytes of input the parser may read in all while rereading past unquoted expressions: a small spec is
  /// reread for each one it holds (up to `maxRereads`), a 16 MiB one only a few times.
  static let rereadBudget = 64 << 20
  /// Most rereads of one input: past this many unquoted expressions, the rest are left for the next run.
  static let maxRereads = 100

  /// What one read of the input gave.
  private enum ReadOutcome {
    /// Every document.
    case documents([ParsedDocument])
    /// An unquoted expression in a flow collection (reported), at these bytes.
    case unquotedExpression(Range<Int>)
    /// Another error (reported).
    case failed
  }

  /// Reads the documents of `input`; scalars starting at an offset in `quoted` take the text given there.
  /// `map` is the source map of `input`.
  private static func readDocuments(
    _ input: [UInt8], map: SourceMap, file: String, limits: ParseLimits, quoted: [Int: String],
    diagnostics: inout Diagnostics
  ) -> ReadOutcome {
    var builder = TreeBuilder(file: file, map: map, limits: limits)
    defer { builder.close() }
    builder.substitutions = quoted
    return input.withUnsafeBufferPointer { buffer in
      let reader = LibYAMLReader(input: buffer)
      var event = yaml_event_t()
      while true {
        if let box = reader.next(&event) {
          if let range = box.error.report(file: file, map: map, diagnostics: &diagnostics) {
            return .unquotedExpression(range)
          }
          return .failed
        }
        defer { yaml_event_delete(&event) }
        do {
          try builder.consume(event, diagnostics: &diagnostics)
        } catch {
          return .failed
        }
        if event.type == YAML_STREAM_END_EVENT || event.type == YAML_NO_EVENT { return .documents(builder.documents) }
      }
    }
  }

  /// Turns the unquoted expression at `range` of `input` into a double-quoted scalar of the same length and
  /// the same characters' widths (ASCII inside becomes `_`, other characters stay), so every offset, line and
  /// column after it is unchanged. Returns the expression's text, or `nil` when it cannot be quoted in place.
  private static func quote(_ range: Range<Int>, in input: inout [UInt8], original: [UInt8]) -> String? {
    guard range.count >= 2, range.upperBound <= input.count, input[range.lowerBound] == UInt8(ascii: "$"),
      input[range.upperBound - 1] < 0x80
    else { return nil }
    for i in range where input[i] < 0x80 { input[i] = UInt8(ascii: "_") }
    input[range.lowerBound] = UInt8(ascii: "\"")
    input[range.upperBound - 1] = UInt8(ascii: "\"")
    return String(decoding: original[range], as: UTF8.self)
  }

  /// `---` with nothing after it: libyaml gives an empty plain scalar.
  private static func isEmptyDocument(_ root: Node) -> Bool {
    root.tag == nil && root.scalar == "" && root.scalarStyle == .plain
  }
}
