import ArgumentParser
import SproutDriver

/// `sprout rerun RUN`: verify a recorded run's files, run it again from nothing and compare every output.
struct Rerun: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rerun",
    abstract: "Verify a recorded run, re-execute it in a scratch store and compare every output.",
    discussion: """
      Every stored file of the run is re-read and checked (as `sprout verify` does), the run is replayed into a \
      scratch store, and outputs.json, metrics.jsonl and every checkpoint are compared; the first divergence is \
      named (task, step, tensor or metric, file). Exit status 0 when every task reproduces bit for bit and every \
      file is intact, 1 when any differs or is damaged.
      """)

  @Argument(help: "A run id (from `sprout run`), a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  @Option(help: "Tasks run at once.")
  var jobs: Int = 1

  @Flag(help: "Keep the scratch store (its path is printed) instead of removing it.")
  var keep = false

  @Option(help: "text or json (the comparison as JSON on standard output).")
  var format: TextOrJSON = .text

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  func run() throws {
    let display = ProgressDisplay.forStandardError()
    defer { display.finish() }
    try reportingErrors {
      let report = try Running.rerun(runID, storePath: store, jobs: jobs, keep: keep) { display.handle($0) }
      display.finish()
      Terminal.write(format == .json ? RunJSON.render(report) : RerunText.render(report), to: .standardOutput)
      throw ExitCode(report.allMatch ? 0 : 1)
    }
  }
}

/// `sprout verify RUN`: re-read every file of a recorded run and check it against what was recorded.
struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check every stored file of a run against its checksums, without retraining.",
    discussion: """
      For each completed task: outputs.json and task.json parse and name the task; every checkpoint and metrics \
      file the manifest or outputs.json lists exists; every checkpoint passes its checksums; the final tensors \
      and metrics.jsonl hash to what outputs.json records. Exit status 0 when all is intact, 1 when anything \
      is missing or damaged (each problem is named: task, file, step, tensor).
      """)

  @Argument(help: "A run id (from `sprout run`), a unique prefix, or 'latest'.")
  var runID: String = "latest"

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  @Option(help: "text or json (the problems as JSON on standard output).")
  var format: TextOrJSON = .text

  func run() throws {
    try reportingErrors {
      let report = try Running.verify(runID, storePath: store)
      Terminal.write(format == .json ? RunJSON.render(report) : RerunText.render(report), to: .standardOutput)
      throw ExitCode(report.ok ? 0 : 1)
    }
  }
}
