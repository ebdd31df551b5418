import ArgumentParser
import Foundation
import SproutDriver

/// The `sprout` command: argument parsing only; every subcommand calls into SproutDriver.
@main
struct Sprout: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sprout",
    abstract: "Check, plan and run neural-network initialization and activation experiments.",
    discussion: "Docs: docs/cli.md (commands), docs/language.md (the spec language).",
    version: Tool.version,
    subcommands: [
      Lint.self, Plan.self, Run.self, Submit.self, Status.self, Rerun.self, Show.self, Compare.self, Report.self,
      PlotCommand.self, Export.self, Runs.self, Index.self, Gc.self, Schema.self, GenerateDocs.self,
    ])

  /// Parses and runs, mapping usage errors to exit code 2 (ArgumentParser's default is 64).
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let exit as ExitCode {
      Foundation.exit(exit.rawValue)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        print(message)
        Foundation.exit(0)
      }
      FileHandle.standardError.write(Data((message + "\n").utf8))
      Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue)
    }
  }
}
