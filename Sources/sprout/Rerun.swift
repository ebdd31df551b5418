import ArgumentParser
import SproutDriver

/// `sprout rerun RUN`: run a recorded run again from nothing and check every output hash.
struct Rerun: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Re-execute a recorded run in a scratch store and compare every output.",
    discussion: "Exit status 0 when every task reproduces bit for bit, 1 when any differs.")

  @Argument(help: "A run id (from `sprout run`), a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "The store directory.")
  var store: String = ".sprout"

  @Option(help: "Tasks run at once.")
  var jobs: Int = 1

  @Option(help: "text or json (the comparison as JSON on standard output).")
  var format: TextOrJSON = .text

  func run() throws {
    let display = ProgressDisplay.forStandardError()
    defer { display.finish() }
    do {
      let report = try Running.rerun(runID, storePath: store, jobs: jobs) { display.handle($0) }
      display.finish()
      Terminal.write(format == .json ? RunJSON.render(report) : RerunText.render(report), to: .standardOutput)
      throw ExitCode(report.allMatch ? 0 : 1)
    } catch let error as CommandError {
      Terminal.write("sprout: error: \(error)\n", to: .standardError)
      throw ExitCode(2)
    }
  }
}
