import Foundation

/// The batch script of one job array: each element looks up its task key in the wave's task list and runs
/// `sprout run --plan … --task KEY --run-id RUN` against the shared store.
///
/// Stopping and coming back (the preemption path):
/// ```
///  Slurm ──SIGTERM──► batch shell ──SIGTERM──► sprout: checkpoint, exit 143
///   (--signal=B:TERM@60 before the time limit;      │
///    scancel --signal=TERM; preemption)             ▼
///                                      still RUNNING? ──yes──► scontrol requeue → pending again; the next
///                                                              attempt resumes from the checkpoint
///                                                    ──no (scancel: CANCELLED)──► stays cancelled
/// ```
/// `--signal=B:` signals only the batch shell, so the shell forwards the signal to sprout. A plain `scancel`
/// signals every process and marks the job cancelled first, so the script does not requeue it.
public struct BatchScript: Hashable, Sendable {
  /// One array of a wave: elements `0..<count` run the wave's tasks `offset..<offset + count`.
  public var wave: Int
  /// The number of waves of the submission (for the comment).
  public var waveCount: Int
  /// The position in the wave's task list of this array's element 0 (waves longer than the largest array
  /// Slurm accepts are split into several arrays).
  public var offset: Int
  /// Elements of this array.
  public var count: Int
  /// Index of this array within its wave (0 unless the wave is split).
  public var part: Int
  /// The run id.
  public var runID: String
  /// The experiment name (job names are `sprout-<name>-w<wave>`).
  public var experiment: String
  /// Absolute paths: the store, the plan file, the wave's task list (one key per line), the log pattern
  /// (with `%a`), and the directory jobs start in.
  public var store: String
  /// The plan file.
  public var plan: String
  /// The task list.
  public var taskList: String
  /// The log file pattern, `%a` standing for the element index.
  public var log: String
  /// The working directory of the jobs (where `sprout submit` ran: relative dataset paths resolve the same).
  public var directory: String
  /// Job ids this array waits for (`afterok`): the previous wave's arrays.
  public var after: [String]
  /// `--force` was given: tasks run again even when complete.
  public var force: Bool
  /// Partition, limits and the sprout path.
  public var options: SlurmOptions

  /// Creates a script description.
  public init(
    wave: Int, waveCount: Int, offset: Int, count: Int, part: Int, runID: String, experiment: String,
    store: String, plan: String, taskList: String, log: String, directory: String, after: [String],
    force: Bool, options: SlurmOptions
  ) {
    self.wave = wave
    self.waveCount = waveCount
    self.offset = offset
    self.count = count
    self.part = part
    self.runID = runID
    self.experiment = experiment
    self.store = store
    self.plan = plan
    self.taskList = taskList
    self.log = log
    self.directory = directory
    self.after = after
    self.force = force
    self.options = options
  }

  /// The `#SBATCH` arguments, in order.
  public var arguments: [String] {
    var array = "--array=0-\(count - 1)"
    if let limit = options.arrayLimit { array += "%\(limit)" }
    var args = [
      "--job-name=sprout-\(experiment)-w\(wave + 1)", array, "--output=\(log)", "--open-mode=append",
      "--chdir=\(directory)", "--signal=B:TERM@60", "--requeue", "--kill-on-invalid-dep=yes",
    ]
    if !after.isEmpty { args.append("--dependency=afterok:" + after.joined(separator: ":")) }
    return args + options.sbatchArguments
  }

  /// The script text.
  public var text: String {
    let run =
      [
        Self.quote(options.sproutPath), "run", "--plan", Self.quote(plan), "--task", "\"$key\"", "--run-id",
        Self.quote(runID), "--store", Self.quote(store), "--threads", "\"${SLURM_CPUS_PER_TASK:-1}\"",
      ] + (force ? ["--force"] : [])
    let lines: [String] =
      [
        "#!/bin/bash",
        "# sprout submit: run \(runID), wave \(wave + 1) of \(waveCount)"
          + (part > 0 || offset > 0 ? ", part \(part + 1)" : "") + ": \(count) task\(count == 1 ? "" : "s").",
        "# Each element runs one task of the plan against the shared store (docs/cluster.md).",
      ] + arguments.map { "#SBATCH \($0)" } + [
        "set -u",
        "element=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
        "key=$(sed -n \"$((SLURM_ARRAY_TASK_ID + \(offset + 1)))p\" \(Self.quote(taskList)))",
        "echo \"sprout: task $key, job $element, attempt $((${SLURM_RESTART_COUNT:-0} + 1)), $(hostname),"
          + " $(date -u +%Y-%m-%dT%H:%M:%SZ)\"",
        "# Slurm's warning signal (--signal=B:) reaches only this shell: pass it on, so sprout checkpoints and stops.",
        run.joined(separator: " ") + " &",
        "child=$!",
        "trap 'kill -TERM \"$child\" 2>/dev/null' TERM",
        "wait \"$child\"",
        "status=$?",
        "# wait returns early when the trap runs: wait again for sprout's own status.",
        "while kill -0 \"$child\" 2>/dev/null; do wait \"$child\"; status=$?; done",
        "if [ \"$status\" -eq 143 ] && [ \"$(squeue -h -j \"$element\" -o %T 2>/dev/null)\" = RUNNING ]; then",
        "  # Stopped at a checkpoint by a time limit or preemption warning: queue again; the next attempt resumes.",
        "  echo \"sprout: task $key stopped at a checkpoint; requeueing $element\"",
        "  scontrol requeue \"$element\" && exit 0",
        "fi",
        "exit \"$status\"",
      ]
    return lines.joined(separator: "\n") + "\n"
  }

  /// `text` in single quotes for the shell.
  static func quote(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
