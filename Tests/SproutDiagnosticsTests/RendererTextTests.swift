import SproutDiagnostics
import Testing

/// A range on one line, from 1-based column `from` to (exclusive) `to`.
func range(_ line: Int, _ from: Int, _ to: Int, endLine: Int? = nil) -> SourceRange {
  range("spec.yaml", line, from, to, endLine: endLine)
}

/// The same in another file.
func range(_ file: String, _ line: Int, _ from: Int, _ to: Int, endLine: Int? = nil) -> SourceRange {
  SourceRange(
    file: file, start: SourceLocation(line: line, column: from), end: SourceLocation(line: endLine ?? line, column: to))
}

/// Exact text output: excerpts, underlines, notes, help, fix-its, colour.
@Suite struct RendererTextTests {
  static let spec = "optimizer:\n  lr: 0.1\n  lr: 0.01\n"

  @Test func errorWithNoteAndHelp() {
    let d = Diagnostic(
      "syntax.duplicate-key", "duplicate key 'lr'", at: range(3, 3, 5), path: "optimizer.lr", severity: .error,
      notes: [DiagnosticNote("first defined here", at: range(2, 3, 5))],
      help: "remove one of the two definitions")
    let text = DiagnosticRenderer.text([d], sources: ["spec.yaml": Self.spec], color: false)
    #expect(
      text == """
        spec.yaml:3:3: error: duplicate key 'lr' [syntax.duplicate-key]
         3 |   lr: 0.01
           |   ^~
        spec.yaml:2:3: note: first defined here
         2 |   lr: 0.1
           |   ^~
        help: remove one of the two definitions

        1 error

        """)
  }

  @Test func multiByteCharactersBeforeTheRange() {
    // 'é' is 2 bytes and 1 column, '日本' are 2 columns wide each in a terminal.
    let source = "naïve: {名前: ${x}}\n"
    let d = Diagnostic(
      "syntax.unquoted-expression-in-flow", "the expression '${x}' must be quoted inside a flow collection",
      at: range(1, 13, 17), severity: .error, help: "quote the expression: \"${x}\"",
      fixIts: [FixIt("quote the expression", range: range(1, 13, 17), replacement: "\"${x}\"")])
    let text = DiagnosticRenderer.text([d], sources: ["spec.yaml": source], color: false)
    #expect(
      text == """
        spec.yaml:1:13: error: the expression '${x}' must be quoted inside a flow collection \
        [syntax.unquoted-expression-in-flow]
         1 | naïve: {名前: ${x}}
           |               ^~~~
        help: quote the expression: "${x}"

        1 error

        """)
  }

  @Test func multiLineRangeUnderlinesToEndOfFirstLineAndSummaryCountsAll() {
    let source = "models:\n  net:\n    input: 16\nstagez: {}\n"
    let warning = Diagnostic(
      "graph.unused-definition", "model 'net' is never used", at: range(2, 3, 14, endLine: 3), severity: .warning)
    let error = Diagnostic(
      "spec.unknown-key", "unknown key 'stagez'", at: range(4, 1, 7), severity: .error,
      notes: [DiagnosticNote("keys are case-sensitive")],
      fixIts: [FixIt("rename to 'stages'", range: range(4, 1, 7), replacement: "stages")])
    let text = DiagnosticRenderer.text([warning, error, error], sources: ["spec.yaml": source], color: false)
    #expect(
      text == """
        spec.yaml:2:3: warning: model 'net' is never used [graph.unused-definition]
         2 |   net:
           |   ^~~~

        spec.yaml:4:1: error: unknown key 'stagez' [spec.unknown-key]
         4 | stagez: {}
           | ^~~~~~
        note: keys are case-sensitive
        help: rename to 'stages': replace 'stagez' at 4:1 with 'stages'

        spec.yaml:4:1: error: unknown key 'stagez' [spec.unknown-key]
         4 | stagez: {}
           | ^~~~~~
        note: keys are case-sensitive
        help: rename to 'stages': replace 'stagez' at 4:1 with 'stages'

        2 errors, 1 warning

        """)
  }

  @Test func tabsWideGutterAndPositionPastTheEnd() {
    var source = ""
    for i in 1...11 { source += i == 10 ? "\tk: v\n" : "a\(i): [x\n" }
    let tab = Diagnostic("syntax.tab-indentation", "this line is indented with a tab", at: range(10, 1, 2))
    let eof = Diagnostic("syntax.invalid-yaml", "invalid YAML", at: range(9, 8, 8))
    let text = DiagnosticRenderer.text([tab, eof], sources: ["spec.yaml": source], color: false)
    #expect(
      text == """
        spec.yaml:10:1: error: this line is indented with a tab [syntax.tab-indentation]
         10 |     k: v
            | ^~~~

        spec.yaml:9:8: error: invalid YAML [syntax.invalid-yaml]
         9 | a9: [x
           |        ^

        2 errors

        """)
  }

  @Test func missingSourceGivesNoExcerpt() {
    let d = Diagnostic("spec.unknown-key", "unknown key", at: range("other.yaml", 1, 1, 2), severity: .warning)
    #expect(
      DiagnosticRenderer.text([d], sources: [:], color: false)
        == "other.yaml:1:1: warning: unknown key [spec.unknown-key]\n\n1 warning\n")
    #expect(DiagnosticRenderer.text([], sources: [:], color: true) == "")
  }

  @Test func colourOnlyWhenAsked() {
    let d = Diagnostic(
      "syntax.duplicate-key", "duplicate key 'lr'", at: range(3, 3, 5), severity: .error, help: "remove one")
    let plain = DiagnosticRenderer.text([d], sources: ["spec.yaml": Self.spec], color: false)
    #expect(!plain.contains("\u{1B}"))
    let coloured = DiagnosticRenderer.text([d], sources: ["spec.yaml": Self.spec], color: true)
    #expect(
      coloured == """
        \u{1B}[1mspec.yaml:3:3:\u{1B}[0m \u{1B}[1;31merror\u{1B}[0m\u{1B}[1m: duplicate key 'lr'\u{1B}[0m \
        [syntax.duplicate-key]
        \u{1B}[1;34m 3 |\u{1B}[0m   lr: 0.01
        \u{1B}[1;34m   |\u{1B}[0m   \u{1B}[1;31m^~\u{1B}[0m
        \u{1B}[1;36mhelp\u{1B}[0m: remove one

        1 error

        """)
    // Stripping the escapes gives back the plain text.
    let stripped = coloured.replacing(#/\u{1B}\[[0-9;]*m/#, with: "")
    #expect(stripped == plain)
  }

  @Test func colourDecision() {
    #expect(DiagnosticRenderer.shouldUseColor(isTerminal: true, environment: [:]))
    #expect(DiagnosticRenderer.shouldUseColor(isTerminal: true, environment: ["TERM": "xterm-256color"]))
    #expect(!DiagnosticRenderer.shouldUseColor(isTerminal: false, environment: [:]))
    #expect(!DiagnosticRenderer.shouldUseColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
    #expect(!DiagnosticRenderer.shouldUseColor(isTerminal: true, environment: ["NO_COLOR": ""]))
    #expect(!DiagnosticRenderer.shouldUseColor(isTerminal: true, environment: ["TERM": "dumb"]))
  }
}
