import ArgumentParser
import SproutCluster
import SproutDriver

/// `sprout status RUN`: per task done, running, pending, stopped, failed or not run.
struct Status: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show where every task of a run stands (from the store, and squeue for a submitted run).",
    discussion: "Exit status: 0 every task done, 1 a task failed or will not run, 3 tasks still pending or running.")

  @Argument(help: "A run id, a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  @Option(help: "Output format: text or json.")
  var format: TextOrJSON = .text

  func run() throws {
    let status: RunStatus
    do { status = try Submitting.status(runID, storePath: store) } catch { throw Failure.report(error) }
    Terminal.write(format == .json ? status.json.pretty() + "\n" : status.text, to: .standardOutput)
    let counts = status.counts
    if (counts[.failed] ?? 0) + (counts[.notRun] ?? 0) + (counts[.stopped] ?? 0) > 0 { throw ExitCode(1) }
    throw ExitCode(status.isComplete ? 0 : 3)
  }
}
