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
    // Every subcommand names itself (`commandName:`): without it ArgumentParser spells the name from the type with
    // `String(describing:)`, whose protocol-conformance look-ups over the static binary cost ~0.75 M instructions
    // per subcommand on every call — 24 M of `sprout lint`'s instructions (bench/lint/RESULTS.md).
    subcommands: [
      Lint.self, Plan.self, Run.self, Submit.self, Status.self, Rerun.self, Verify.self, Show.self, Compare.self,
      Report.self, PlotCommand.self, Export.self, Runs.self, Index.self, Gc.self, Schema.self, GenerateDocs.self,
    ])

  /// Parses and runs, mapping usage errors to exit code 2 (ArgumentParser's default is 64).
  static func main() {
    do {
      // The usual `sprout lint FILE...` is read directly (Lint.swift says why); everything else by ArgumentParser.
      var command: ParsableCommand
      if let lint = try Lint.parsedDirectly(Array(CommandLine.arguments.dropFirst())) {
        command = lint
      } else {
        command = try parseAsRoot()
      }
      try command.run()
    } catch let exit as ExitCode {
      Foundation.exit(exit.rawValue)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      // One format for every error (Failing.swift): the parser's `Error: ` becomes `sprout: error: `, and an
      // error a command let through is one that stopped it before its work: exit status 2, like a usage error.
      // The parser gives its own errors (usage, validation) status 64 and anything else EXIT_FAILURE.
      var message = code == .failure ? Failure.message(error) : fullMessage(for: error)
      if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
      FileHandle.standardError.write(Data((Failure.prefix + message + "\n").utf8))
      Foundation.exit(2)
    }
  }
}
