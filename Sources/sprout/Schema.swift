import ArgumentParser
import SproutDriver

/// `sprout schema`: the JSON Schema of the language, for editors.
struct Schema: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema (2020-12) of the spec language.",
    discussion: "grammar/sprout.schema.json is this output. Point an editor at it for completion.")

  func run() throws {
    print(Languages.jsonSchema(), terminator: "")
  }
}
