import SproutDiagnostics
import SproutGraph
import SproutPlanner
import SproutRun
import SproutSpec
import SproutSyntax

/// Facts about the language as a whole: every diagnostic catalogue, the JSON Schema, the generated docs.
public enum Languages {
  /// Registers every phase's diagnostic catalogue (idempotent, and free after the first call: the front end calls it
  /// for every file it checks, and registering the catalogues' entries again cost ~0.5 M instructions a file).
  public static func registerCatalogs() {
    SyntaxDiagnostics.register()
    SpecDiagnostics.register()
    GraphDiagnostics.register()
    PlanDiagnostics.register()
    RunDiagnostics.register()
  }

  /// Every phase's catalogue, in pipeline order.
  public static var catalogs: [[DiagnosticCatalog.Entry]] {
    [
      SyntaxDiagnostics.catalog, SpecDiagnostics.catalog, GraphDiagnostics.catalog, PlanDiagnostics.catalog,
      RunDiagnostics.catalog,
    ]
  }

  /// The JSON Schema (2020-12) of the language: `sprout schema`, grammar/sprout.schema.json.
  public static func jsonSchema() -> String { SchemaGenerator.jsonSchema() }

  /// docs/language.md.
  public static func languageReference() -> String { LanguageReference.markdown() }

  /// docs/diagnostics.md: every diagnostic id of every phase, what it means and an example.
  public static func diagnosticsReference() -> String {
    // From the phase catalogues themselves, not the process-wide registry (which tests may extend).
    let entries = catalogs.joined().sorted { $0.id < $1.id }
    var out = """
      # Diagnostics

      Every problem Sprout reports has a stable id, `phase.kebab-name`. Ids never change silently: write them in
      CI filters and suppressions. This page is generated from the catalogues in the sources
      (`swift test` fails when it is out of date); `sprout lint --format json|sarif` prints the same ids.

      ## Output formats

      **Text** (standard error): `file:line:col: severity: message [id]`, then the source line with a caret and
      tildes under the exact range, then `note:` and `help:` lines; a last line counts errors and warnings.
      Colour only on a terminal and never when `NO_COLOR` is set.

      **JSON** (`--format json`, standard output): an array with one object per diagnostic:

      | field | type | meaning |
      |---|---|---|
      | `id` | string | the id below |
      | `severity` | string | `error`, `warning` or `note` |
      | `message` | string | what is wrong |
      | `file` | string | the file as given on the command line (`<command line>` for `--set`) |
      | `line`, `column` | integer | 1-based start (columns count characters) |
      | `end_line`, `end_column` | integer | 1-based position just after the range |
      | `path` | string | key path in the spec, e.g. `stages.train.optimizer.lr` (may be empty) |
      | `notes` | array | `{message, file?, line?, column?}` further context |
      | `fixits` | array | `{message, file, line, column, end_line, end_column, replacement}` edits |
      | `help` | string or null | a suggestion in words |

      **SARIF** (`--format sarif`): SARIF 2.1.0, one run whose `tool.driver.rules` has an entry for every id
      used, results with `ruleId`, `level`, `message.text` and a physical location with a region.

      ## Ids by phase


      """
    var domain = ""
    for entry in entries {
      if entry.id.domain != domain {
        domain = entry.id.domain
        out += "\n### \(domain)\n\n"
      }
      out += "#### `\(entry.id)`\n\n"
      out += "Severity: \(entry.severity.rawValue). \(entry.summary)\n\n"
      if !entry.example.isEmpty {
        out += "```yaml\n\(entry.example.hasSuffix("\n") ? entry.example : entry.example + "\n")```\n\n"
      }
    }
    return out
  }
}
