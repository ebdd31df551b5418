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
}
