import ArgumentParser
import Foundation
import SproutDriver

/// `sprout run FILE`: plan and execute, with checkpoints and resumption.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the tasks of a spec that are not cached.",
    discussion: """
      Ctrl-C or SIGTERM stops cleanly after a checkpoint (exit status 130 or 143); run again to continue. \
      See docs/cli.md.
      """)

  @Argument(help: "The spec file (omit with --plan).")
  var file: String?

  @OptionGroup var selection: Selection

  @Option(help: "Tasks run at once.")
  var jobs: Int = 1

  @Option(help: "Backend threads per task (default: all cores for one job, else 1).")
  var threads: Int?

  @Flag(inversion: .prefixedNo, help: "Continue interrupted tasks from their last checkpoint.")
  var resume = true

  @Option(help: "Path of a CBLAS library for the blas backend (default libopenblas.so.0, or SPROUT_CBLAS).")
  var blasLibrary: String?

  @Option(help: "Execute one task of a plan written by `sprout plan --out`.")
  var plan: String?

  @Option(help: "The task key to execute with --plan (e.g. t0003/train).")
  var task: String?

  @Option(help: "With --plan: record the task into this run (made by `sprout submit`) instead of a new run.")
  var runID: String?

  @Option(help: "A label recorded with the run (`sprout runs --tag NAME` finds it). Repeatable.")
  var tag: [String] = []

  @Option(help: "text (progress on standard error) or json (also the run's summary on standard output).")
  var format: TextOrJSON = .text

  func validate() throws {
    if plan == nil && file == nil { throw ValidationError("give a spec file, or --plan FILE --task K") }
    if plan != nil && task == nil { throw ValidationError("--plan needs --task K") }
    if runID != nil && plan == nil { throw ValidationError("--run-id needs --plan FILE --task K") }
    if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
  }

  func run() throws {
    var request = RunRequest(plan: selection.request(for: file ?? ""))
    request.jobs = jobs
    request.threads = threads
    // More threads than cores only adds switching (a 0.03 s task took 30 s with 100000); results do not depend
    // on the thread count, so the cap changes nothing but the time.
    let cores = ProcessInfo.processInfo.activeProcessorCount
    if let threads, threads > cores {
      Failure.warn("--threads \(threads) is more than this machine's \(cores) cores; using \(cores)")
      request.threads = cores
    }
    request.resume = resume
    request.blasLibrary = blasLibrary
    request.planFile = plan
    request.task = task
    request.existingRun = runID
    request.tags = tag

    let signals = StopSignals.install()
    defer { signals.cancel() }
    let display = ProgressDisplay.forStandardError()
    defer { display.finish() }
    let outcome: RunOutcome
    do {
      outcome = try Running.run(request, stop: signals.flag) { display.handle($0) }
    } catch {
      display.finish()
      throw Failure.report(error)
    }
    display.finish()
    if format == .json { Terminal.write(RunJSON.render(outcome), to: .standardOutput) }
    if !outcome.diagnostics.isEmpty {
      Terminal.write(
        DiagnosticsText.render(outcome.diagnostics, sources: outcome.sources, color: Terminal.useColor(for: .standardError)),
        to: .standardError)
    }
    if let summary = outcome.summary {
      Terminal.write("results: sprout show \(summary.runID)   (store \(selection.store))\n", to: .standardError)
    }
    throw ExitCode(signals.exitCode(normal: outcome.exitCode, stopped: outcome.stopped))
  }
}

/// Output formats of `run`, `rerun` and `status`.
enum TextOrJSON: String, ExpressibleByArgument {
  case text, json
}
