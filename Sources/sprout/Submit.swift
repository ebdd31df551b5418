import ArgumentParser
import SproutCluster
import SproutDriver

/// `sprout submit SPEC --scheduler slurm`: the tasks that are not cached, as Slurm job arrays.
struct Submit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit",
    abstract: "Submit the tasks of a spec that are not cached to a cluster scheduler (Slurm).",
    discussion: """
      One job array per dependency wave, each after the previous one (afterok); every element runs \
      `sprout run --plan … --task …` against the shared store. See docs/cluster.md.
      """)

  @Argument(help: "The spec file.")
  var file: String

  @OptionGroup var selection: Selection

  @Option(help: "The scheduler (slurm).")
  var scheduler: SchedulerName

  @Option(help: "Slurm partition (--partition).")
  var partition: String?

  @Option(help: "Time limit per task (--time), e.g. 2:00:00.")
  var time: String?

  @Option(help: "CPUs per task (--cpus-per-task); the backend uses as many threads.")
  var cpusPerTask: Int?

  @Option(help: "Memory per task (--mem), e.g. 4G.")
  var mem: String?

  @Option(help: "Slurm account (--account).")
  var account: String?

  @Option(help: "Quality of service (--qos).")
  var qos: String?

  @Option(help: "At most K tasks of one wave run at once (--array=…%K).")
  var arrayLimit: Int?

  @Option(
    name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue,
    help: "Another sbatch argument, e.g. --sbatch-arg --gres=gpu:1. Repeatable.")
  var sbatchArgs: [String] = []

  @Option(help: "The sprout executable on the compute nodes (default: this one's absolute path).")
  var sprout: String?

  @Flag(help: "Print the batch scripts without submitting or writing anything.")
  var dryRun = false

  @Flag(help: "Wait until every task has finished or cannot run, then print the status.")
  var wait = false

  func validate() throws {
    if let cpusPerTask, cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
    if let arrayLimit, arrayLimit < 1 { throw ValidationError("--array-limit must be at least 1") }
    if dryRun && wait { throw ValidationError("--dry-run submits nothing to wait for") }
  }

  func run() throws {
    var options = SlurmOptions(sproutPath: sprout ?? Submitting.executablePath)
    options.partition = partition
    options.time = time
    options.cpusPerTask = cpusPerTask
    options.memory = mem
    options.account = account
    options.qos = qos
    options.arrayLimit = arrayLimit
    options.extraArguments = sbatchArgs
    var request = SubmitRequest(plan: selection.request(for: file), options: options)
    request.dryRun = dryRun

    let outcome: SubmitOutcome
    do { outcome = try Submitting.submit(request) } catch { throw Failure.report(error) }
    if !outcome.diagnostics.isEmpty {
      Terminal.write(
        DiagnosticsText.render(
          outcome.diagnostics, sources: outcome.sources, color: Terminal.useColor(for: .standardError)),
        to: .standardError)
    }
    guard let result = outcome.result else { throw ExitCode(1) }
    if dryRun {
      for script in result.scripts { Terminal.write(script.text + "\n", to: .standardOutput) }
    }
    Terminal.write(SubmitText.summary(result, store: selection.store, dryRun: dryRun), to: .standardError)
    guard wait, let submission = result.submission else { return }

    let signals = StopSignals.install()
    defer { signals.cancel() }
    let status = try Submitting.wait(run: submission.runID, storePath: selection.store, stop: signals.flag) {
      Terminal.write("\($0.runID): \($0.countsText)\n", to: .standardError)
    }
    if signals.received != nil {
      Terminal.write("stopped waiting; the jobs go on (sprout status \(submission.runID))\n", to: .standardError)
      throw ExitCode(signals.exitCode(normal: 1, stopped: true))
    }
    Terminal.write(status.text, to: .standardOutput)
    throw ExitCode(status.isComplete ? 0 : 1)
  }
}

/// Schedulers `sprout submit` knows.
enum SchedulerName: String, ExpressibleByArgument {
  case slurm
}
