import SproutDiagnostics

extension LibYAMLError {
  /// Reports this error as a diagnostic, recognising the traps users fall into.
  ///
  /// Three cases get their own id: an unquoted `${...}` inside a flow collection (YAML reads its `{` as the
  /// start of a mapping, so the error surfaces at a confusing place), a tab in indentation, and everything
  /// else as `syntax.invalid-yaml` with libyaml's problem and context rewritten into one sentence.
  ///
  /// Returns the byte range of the unquoted expression when that is what it reported, so the parser can quote
  /// it and read on to find the next one.
  @discardableResult
  func report(file: String, map: SourceMap, diagnostics: inout Diagnostics) -> Range<Int>? {
    var at: SourceLocation =
      stage == .reader ? map.location(ofByte: problemOffset) : map.location(problemMark)
    // At the end of the input ("unexpected end of stream", an unclosed '['), point just after the last
    // character written rather than at an empty line below it.
    if let end = SourceScan.endOfContent(in: map.bytes, atOrAfter: at.offset) { at = map.location(ofByte: end) }
    var contextAt = contextMark.map { map.location($0) }
    if let c = contextAt, let end = SourceScan.endOfContent(in: map.bytes, atOrAfter: c.offset) {
      contextAt = map.location(ofByte: end)
    }

    if stage == .scanner || stage == .parser,
      let expression = SourceScan.unquotedFlowExpression(
        in: map.bytes, from: contextAt?.offset ?? map.lines.start(ofLine: at.line),
        through: at.offset, contextIsFlow: context?.contains("flow") ?? false)
    {
      let range = map.range(file, bytes: expression.lowerBound, expression.upperBound)
      let text = String(decoding: map.bytes[expression], as: UTF8.self)
      let quoted = "\"" + String(text.flatMap { $0 == "\"" ? ["\\", "\""] : [$0] }) + "\""
      diagnostics.report(
        .unquotedExpressionInFlow, "the expression '\(text)' must be quoted inside a flow collection", at: range,
        notes: [DiagnosticNote("YAML reads '{' inside '[...]' or '{...}' as the start of a mapping")],
        help: "quote the expression: \(quoted)",
        fixIts: [FixIt("quote the expression", range: range, replacement: quoted)])
      return expression
    }

    if stage == .scanner || stage == .parser, let tab = SourceScan.indentationTab(in: map.lines, line: at.line) {
      let tabAt = map.location(ofByte: tab)
      let range = SourceRange(
        file: file, start: tabAt, end: SourceLocation(line: tabAt.line, column: tabAt.column + 1, offset: tab + 1))
      diagnostics.report(
        .tabIndentation, "this line is indented with a tab", at: range,
        help: "indent with spaces; YAML does not allow tabs in indentation",
        fixIts: [FixIt("replace the tab with two spaces", range: range, replacement: "  ")])
      return nil
    }

    var message = problem
    if let context { message += " " + context }
    var notes: [DiagnosticNote] = []
    if let context, let contextAt, contextAt != at {
      notes.append(DiagnosticNote("\(context) that starts here", at: SourceRange(file: file, at: contextAt)))
    }
    let range = SourceRange(file: file, start: at, end: Self.oneCharacter(after: at, in: map))
    diagnostics.report(
      .invalidYAML, "invalid YAML: " + message, at: range, notes: notes, help: help(at: at, map: map))
    return nil
  }

  /// A suggestion for the libyaml problems that have a usual cause.
  private func help(at: SourceLocation, map: SourceMap) -> String? {
    let character = at.offset < map.bytes.count ? map.bytes[at.offset] : 0
    switch problem {
    case "mapping values are not allowed in this context":
      return "a ': ' inside a value starts a new key; quote the value if it contains ': '"
    case "did not find expected key":
      return "check the indentation: the keys of one mapping must start in the same column"
    case "could not find expected ':'":
      return "a key needs ':' after it on the same line; quote text that is not meant as a key"
    case "found character that cannot start any token"
    where character == UInt8(ascii: "@")
      || character == UInt8(ascii: "`"):
      return "'@' and '`' are reserved in YAML; quote the value"
    case "found unexpected end of stream":
      return "a quoted string is not closed; add the closing quote"
    case "did not find expected ',' or ']'":
      return "separate the items of a list with ',' and close it with ']'"
    case "did not find expected ',' or '}'":
      return "separate the entries of a mapping with ',' and close it with '}'"
    case "control characters are not allowed":
      return "remove the control character; a spec is plain text"
    case "found undefined tag handle":
      return "write tags as '!name' or '!!str'; a handle like '!x!' must be declared with %TAG"
    default:
      return nil
    }
  }

  private static func oneCharacter(after at: SourceLocation, in map: SourceMap) -> SourceLocation {
    guard at.offset < map.bytes.count, map.bytes[at.offset] != 0x0A, map.bytes[at.offset] != 0x0D else { return at }
    var end = at.offset + 1
    while end < map.bytes.count, map.bytes[end] & 0xC0 == 0x80 { end += 1 }
    return SourceLocation(line: at.line, column: at.column + 1, offset: end)
  }
}
