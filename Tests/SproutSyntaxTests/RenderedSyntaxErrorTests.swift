import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// What a user sees for the common traps, end to end: parser diagnostics through the text renderer.
@Suite struct RenderedSyntaxErrorTests {
  @Test func unquotedExpression() {
    let source = "sprout: 1\noptimizer: {kind: sgd, lr: ${params.lr}}\n"
    var diagnostics = Diagnostics()
    _ = YAMLParser.parse(text: source, file: "spec.yaml", diagnostics: &diagnostics)
    let text = DiagnosticRenderer.text(diagnostics.sorted, sources: ["spec.yaml": source], color: false)
    #expect(
      text == """
        spec.yaml:2:28: error: the expression '${params.lr}' must be quoted inside a flow collection \
        [syntax.unquoted-expression-in-flow]
         2 | optimizer: {kind: sgd, lr: ${params.lr}}
           |                            ^~~~~~~~~~~~
        note: YAML reads '{' inside '[...]' or '{...}' as the start of a mapping
        help: quote the expression: "${params.lr}"

        1 error

        """)
  }

  @Test func duplicateKey() {
    let source = "stages:\n  train:\n    epochs: 3\n    epochs: 4\n"
    var diagnostics = Diagnostics()
    _ = YAMLParser.parse(text: source, file: "spec.yaml", diagnostics: &diagnostics)
    let text = DiagnosticRenderer.text(diagnostics.sorted, sources: ["spec.yaml": source], color: false)
    #expect(
      text == """
        spec.yaml:4:5: error: duplicate key 'epochs' [syntax.duplicate-key]
         4 |     epochs: 4
           |     ^~~~~~
        spec.yaml:3:5: note: first defined here
         3 |     epochs: 3
           |     ^~~~~~
        help: remove one of the two definitions; a mapping holds one value per key

        1 error

        """)
  }

  @Test func tabIndentationAndEndOfInput() {
    let source = "models:\n  net:\n\tinput: 16\nlayers: [relu,\n\n"
    var diagnostics = Diagnostics()
    _ = YAMLParser.parse(text: source, file: "spec.yaml", diagnostics: &diagnostics)
    let text = DiagnosticRenderer.text(diagnostics.sorted, sources: ["spec.yaml": source], color: false)
    #expect(
      text == """
        spec.yaml:3:1: error: this line is indented with a tab [syntax.tab-indentation]
         3 |     input: 16
           | ^~~~
        help: indent with spaces; YAML does not allow tabs in indentation
        help: replace the tab with two spaces: replace '\\t' at 3:1 with '  '

        1 error

        """)
    let eof = "layers: [relu,\n\n"
    var more = Diagnostics()
    _ = YAMLParser.parse(text: eof, file: "spec.yaml", diagnostics: &more)
    #expect(
      DiagnosticRenderer.text(more.sorted, sources: ["spec.yaml": eof], color: false) == """
        spec.yaml:1:15: error: invalid YAML: did not find expected node content while parsing a flow node \
        [syntax.invalid-yaml]
         1 | layers: [relu,
           |               ^

        1 error

        """)
  }
}
