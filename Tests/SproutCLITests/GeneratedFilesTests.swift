import Foundation
import SproutDriver
import Testing

/// Files generated from the catalogues must match what is committed.
@Suite("generated files are current")
struct GeneratedFilesTests {
  @Test("grammar/sprout.schema.json is `sprout schema`")
  func schemaFile() throws {
    let committed = try String(contentsOf: CLI.root.appendingPathComponent("grammar/sprout.schema.json"), encoding: .utf8)
    let result = try CLI.run(["schema"])
    #expect(result.status == 0)
    #expect(result.stdout == committed, "run `make docs` to regenerate")
  }

  @Test("docs/diagnostics.md lists every diagnostic id of every phase")
  func diagnosticsDoc() throws {
    let committed = try String(contentsOf: CLI.root.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
    let generated = Languages.diagnosticsReference()
    #expect(committed == generated, "run `make docs` to regenerate docs/diagnostics.md")
    #expect(generated.contains("`syntax.duplicate-key`"))
    #expect(generated.contains("`spec.unknown-key`"))
    #expect(generated.contains("`graph."))
    #expect(generated.contains("`plan."))
  }

  @Test("docs/language.md is generated from the catalogue")
  func languageDoc() throws {
    let committed = try String(contentsOf: CLI.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
    #expect(committed == Languages.languageReference(), "run `make docs` to regenerate docs/language.md")
  }
}
