import ArgumentParser
import Foundation
import SproutDriver

/// `sprout generate-docs`: rewrites the files generated from the catalogues (for `make docs`; hidden).
struct GenerateDocs: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate-docs", abstract: "Regenerate docs/language.md, docs/diagnostics.md and the schema.",
    shouldDisplay: false)

  @Option(help: "The repository root.")
  var root: String = "."

  func run() throws {
    for (path, text) in [
      ("docs/language.md", Languages.languageReference()),
      ("docs/diagnostics.md", Languages.diagnosticsReference()),
      ("grammar/sprout.schema.json", Languages.jsonSchema()),
    ] {
      try text.write(toFile: "\(root)/\(path)", atomically: true, encoding: .utf8)
      Terminal.write("wrote \(path)\n", to: .standardError)
    }
  }
}
