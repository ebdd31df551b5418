import ArgumentParser
import SproutDriver

/// `sprout show RUN`: final metrics and times per trial and stage.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Summarise a run: final metrics and time per task.")

  @Argument(help: "A run id, a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "The store directory.")
  var store: String = ".sprout"

  @Option(help: "Output format: text or json.")
  var format: ShowFormat = .text

  func run() throws {
    do {
      let report = try Running.show(runID, storePath: store)
      Terminal.write(format == .json ? report.json : report.table, to: .standardOutput)
    } catch let error as CommandError {
      Terminal.write("sprout: error: \(error)\n", to: .standardError)
      throw ExitCode(2)
    } catch {
      Terminal.write("sprout: error: \(error)\n", to: .standardError)
      throw ExitCode(2)
    }
  }
}

/// Formats of `sprout show`.
enum ShowFormat: String, ExpressibleByArgument {
  case text, json
}
