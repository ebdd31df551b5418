import Foundation
import SproutPlanner
import SproutRun

/// `sprout submit --scheduler slurm`: turns the tasks of a plan that are not cached into Slurm job arrays,
/// one per dependency wave (``Waves``), each starting after the previous one succeeded (`afterok`).
///
/// Nothing stays alive after it returns: the plan, the task lists and the store are the whole state. Each
/// array element runs one task with `sprout run --plan … --task … --run-id …`, which claims the task
/// (``TaskClaim``), resumes it from its last checkpoint if an earlier attempt was stopped, and records its
/// status in the run. Submitting again after a failure (or a cancelled job) plans again and submits only
/// what is still missing.
public struct Submitter: Sendable {
  /// What to submit.
  public struct Request: Sendable {
    /// The plan (its cache states decide what is submitted).
    public var plan: Plan
    /// The spec's path and text, recorded in the run's manifest.
    public var specPath: String
    /// The spec text.
    public var specText: String
    /// The shared store.
    public var store: Store
    /// Slurm options and the sprout executable.
    public var options: SlurmOptions
    /// `--force`: run every task again, cached or not.
    public var force = false
    /// `--dry-run`: build the scripts but neither write to the store nor call sbatch.
    public var dryRun = false
    /// The jobs' working directory (default: the current directory).
    public var directory = FileManager.default.currentDirectoryPath
    /// The `sprout` version, for the manifest.
    public var toolVersion = SproutVersion.current

    /// Creates a request.
    public init(plan: Plan, specPath: String, specText: String, store: Store, options: SlurmOptions) {
      self.plan = plan
      self.specPath = specPath
      self.specText = specText
      self.store = store
      self.options = options
    }
  }

  /// What was submitted.
  public struct Result: Sendable {
    /// The run id (for a dry run, the id it would have had).
    public var runID: String
    /// The waves of tasks to run (empty when everything was cached).
    public var waves: Waves
    /// Tasks already complete in the store.
    public var cached: Int
    /// Every array's script, in submission order.
    public var scripts: [BatchScript]
    /// The record written into the store (nil for a dry run or when nothing was submitted).
    public var submission: Submission?
  }

  /// The Slurm commands used.
  public let client: SlurmClient

  /// Creates a submitter.
  public init(client: SlurmClient = SlurmClient()) { self.client = client }

  /// Plans the waves, writes the run into the store and submits one array per wave (more only when a wave
  /// exceeds the largest array the cluster accepts).
  ///
  /// Throws `SlurmClient.Failure` when sbatch refuses a script (the waves before it stay submitted and
  /// recorded; `sprout status` shows them) and `RunError(.io)` when the store cannot be written.
  public func submit(_ request: Request) throws -> Result {
    let plan = request.plan
    let toRun = plan.tasks.filter { request.force || $0.state != .cached }
    let waves = Waves(tasks: toRun)
    let cached = plan.tasks.count - toRun.count
    let store = request.store
    let root = Self.absolute(store.root)
    let runID = request.dryRun || toRun.isEmpty ? Store.newRunID() : try store.reserveRunID()
    let runDir = "runs/\(runID)"
    var submission = Submission(
      scheduler: "slurm", runID: runID, submitted: ISO8601DateFormatter().string(from: Date()),
      sprout: request.options.sproutPath, waves: [])
    guard !toRun.isEmpty else {
      return Result(runID: runID, waves: waves, cached: cached, scripts: [], submission: nil)
    }

    if !request.dryRun {
      try AtomicFile.makeDirectory("\(root)/\(runDir)/slurm")
      try AtomicFile.makeDirectory("\(root)/\(runDir)/logs")
      // Compact (canonical) JSON: the jobs parse it, people read it through `sprout plan`; a third the size
      // and time of the indented form for a 10,000-task plan.
      try AtomicFile.write(plan.json.canonicalBytes + [0x0A], to: "\(root)/\(runDir)/plan.json")
      try store.writeManifest(manifest(request, runID: runID, submitted: Set(toRun.map(\.key))))
    }

    var scripts: [BatchScript] = []
    var previous: [String] = []
    let perArray = max(1, request.options.maxArrayElements)
    for (w, keys) in waves.waves.enumerated() {
      let list = "\(runDir)/slurm/w\(w + 1).tasks"
      if !request.dryRun {
        try AtomicFile.write(keys.map { $0.description + "\n" }.joined(), to: "\(root)/\(list)")
      }
      var wave = Submission.Wave(tasks: list, keys: keys.map(\.description), arrays: [])
      var current: [String] = []
      for (part, offset) in stride(from: 0, to: keys.count, by: perArray).enumerated() {
        let count = min(perArray, keys.count - offset)
        let name = part == 0 ? "w\(w + 1)" : "w\(w + 1)-\(part + 1)"
        let script = BatchScript(
          wave: w, waveCount: waves.waves.count, offset: offset, count: count, part: part, runID: runID,
          experiment: Self.jobName(plan.spec.name), store: root, plan: "\(root)/\(runDir)/plan.json",
          taskList: "\(root)/\(list)", log: "\(root)/\(runDir)/logs/\(name)-%a.log", directory: request.directory,
          after: previous, force: request.force,
          options: request.options)
        scripts.append(script)
        var job = ""
        if !request.dryRun {
          let path = "\(root)/\(runDir)/slurm/\(name).sh"
          try AtomicFile.write(script.text, to: path)
          do { job = try client.submit(scriptPath: path) } catch {
            // Nothing submitted yet: leave no run behind. Otherwise the record keeps what was submitted.
            if w == 0 && part == 0 { try? FileManager.default.removeItem(atPath: "\(root)/\(runDir)") }
            throw error
          }
          current.append(job)
        } else {
          current.append("<wave \(w + 1) job>")
        }
        wave.arrays.append(
          Submission.JobArray(
            job: job, offset: offset, count: count, script: "\(runDir)/slurm/\(name).sh",
            log: "\(runDir)/logs/\(name)-%a.log"))
      }
      submission.waves.append(wave)
      // Recorded after every wave: if sbatch refuses a later one, status still knows what runs.
      if !request.dryRun { try submission.save(store: store) }
      previous = current
    }
    return Result(
      runID: runID, waves: waves, cached: cached, scripts: scripts, submission: request.dryRun ? nil : submission)
  }

  /// The run's manifest: every task `submitted` or `cached`, and the plan file's name.
  private func manifest(_ request: Request, runID: String, submitted: Set<TaskKey>) throws -> RunManifest {
    let plan = request.plan
    // The plan lives once, in plan.json (the file the jobs read); the manifest names it.
    return RunManifest(
      runID: runID, specPath: request.specPath, specText: request.specText, plan: .null,
      toolVersion: request.toolVersion, backend: plan.backend, jobs: 1, machine: Executor.machine(),
      started: ISO8601DateFormatter().string(from: Date()),
      tasks: plan.tasks.map {
        RunManifest.TaskEntry(
          key: $0.key.description, hash: $0.hash, trial: $0.key.trial, stage: $0.stage, kind: $0.kind,
          status: submitted.contains($0.key) ? "submitted" : "cached")
      }, planFile: "plan.json")
  }

  /// A job-name part from the experiment name (letters, digits, `-`, `_`, `.`).
  static func jobName(_ name: String) -> String {
    let kept = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" })
    return kept.isEmpty ? "run" : kept
  }

  /// `path` made absolute against the current directory and standardized.
  static func absolute(_ path: String) -> String {
    URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
      .standardizedFileURL.path
  }
}
