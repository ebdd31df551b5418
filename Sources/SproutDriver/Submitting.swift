import Foundation
import SproutCluster
import SproutDiagnostics
import SproutPlanner
import SproutRun
import SproutTrain

/// What `sprout submit` asks for.
public struct SubmitRequest: Sendable {
  /// Planning options (spec, overrides, backend, selection, force, store).
  public var plan: PlanRequest
  /// Partition, limits, array limit, extra sbatch arguments, the sprout path on the nodes.
  public var options: SlurmOptions
  /// `--dry-run`: print the batch scripts; submit nothing, write nothing.
  public var dryRun = false

  /// Creates a request running `sproutPath` on the nodes.
  public init(plan: PlanRequest, options: SlurmOptions) {
    self.plan = plan
    self.options = options
  }
}

/// The result of `sprout submit`.
public struct SubmitOutcome: Sendable {
  /// Diagnostics of the front end (errors stop before anything is submitted).
  public var diagnostics: [Diagnostic]
  /// Source texts for rendering them.
  public var sources: [String: String]
  /// What was submitted, when the spec was valid.
  public var result: Submitter.Result?
}

/// `sprout submit` and `sprout status`.
public enum Submitting {
  /// Plans a spec against the store and submits the tasks that are not cached as Slurm job arrays.
  public static func submit(_ request: SubmitRequest, client: SlurmClient = SlurmClient()) throws -> SubmitOutcome {
    Languages.registerCatalogs()
    guard request.dryRun || client.isAvailable else {
      throw CommandError("sbatch is not on PATH: submit from a machine of the Slurm cluster (or use --dry-run)")
    }
    // The cluster's array size limit; asking first also means nothing is written when Slurm does not answer.
    // (A dry run asks too, when it can, so it prints the scripts a submission would send.)
    var largest: Int?
    do { largest = try client.maxArrayElements() } catch {
      if !request.dryRun { throw CommandError("cannot reach the Slurm controller: \(error)") }
    }
    let outcome = try Planning.plan(request.plan)
    guard let plan = outcome.plan else {
      return SubmitOutcome(diagnostics: outcome.front.diagnostics.sorted, sources: outcome.front.sources, result: nil)
    }
    var options = request.options
    if let largest { options.maxArrayElements = largest }
    var submit = Submitter.Request(
      plan: plan, specPath: request.plan.path, specText: outcome.front.text, store: Store(root: request.plan.store),
      options: options)
    submit.force = request.plan.force
    submit.dryRun = request.dryRun
    submit.toolVersion = Tool.version
    let result: Submitter.Result
    do { result = try Submitter(client: client).submit(submit) } catch let failure as SlurmClient.Failure {
      throw CommandError("sbatch refused a job: \(failure)")
    }
    return SubmitOutcome(diagnostics: outcome.front.diagnostics.sorted, sources: outcome.front.sources, result: result)
  }

  /// `sprout status RUN`.
  public static func status(_ run: String, storePath: String, client: SlurmClient? = SlurmClient()) throws -> RunStatus
  {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: storePath, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw CommandError("no store at '\(storePath)' (pass --store DIR)")
    }
    return try RunStatus.load(run: run, store: Store(root: storePath), client: client)
  }

  /// Polls a run's status until nothing is pending or running (or `stop` is set), calling `onChange` whenever
  /// the counts change. Polls every 0.5 s at first, backing off to 10 s while nothing changes.
  public static func wait(
    run: String, storePath: String, stop: StopFlag, client: SlurmClient = SlurmClient(),
    onChange: (RunStatus) -> Void
  ) throws -> RunStatus {
    var interval = 0.5
    var last = ""
    while true {
      let status = try Self.status(run, storePath: storePath, client: client)
      if status.countsText != last {
        last = status.countsText
        interval = 0.5
        onChange(status)
      }
      if status.isSettled || stop.isSet { return status }
      Thread.sleep(forTimeInterval: interval)
      interval = min(10, interval * 1.25)
    }
  }

  /// The absolute path of the running `sprout` (what the jobs run unless `--sprout PATH` says otherwise).
  public static var executablePath: String {
    #if os(Linux)
      // Without /proc (a restricted container) the fallback below names the binary from argv instead.
      if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    #endif
    let argument = CommandLine.arguments[0]
    if argument.contains("/") {
      return URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
    }
    return argument
  }
}
