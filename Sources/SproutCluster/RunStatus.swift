import Foundation
import SproutPlanner
import SproutRun

/// `sprout status RUN`: where every task of a run stands, read from the store (outputs, claims, the status
/// each job writes) and, for a submitted run, from `squeue`.
///
/// The store alone answers done, running (a process holds the task's claim), failed and stopped; squeue adds
/// pending (and why) for tasks whose job has not started. A task that is not complete and will not run any
/// more — an input failed, or its job left the queue without running it — is `not run`, with the reason.
public struct RunStatus: Sendable {
  /// Where one task stands.
  public enum State: String, Sendable, Hashable, CaseIterable {
    /// Complete in the store (run by this run, or cached).
    case done
    /// A process holds its claim (training it now), or its job is starting.
    case running
    /// Waiting in Slurm's queue.
    case pending
    /// Stopped at a checkpoint (SIGTERM, Ctrl-C) and not queued again: submit again to resume.
    case stopped
    /// Ended with an error.
    case failed
    /// Will not run in this submission: an input did not complete, or its job was cancelled.
    case notRun = "not run"
  }

  /// One task's line.
  public struct Task: Sendable, Hashable {
    /// `t0003/train`.
    public var key: String
    /// Its state.
    public var state: State
    /// Why, in words: the error, the holder, the queue reason, the input that failed.
    public var detail: String
    /// Its log file (a path under the store), for a submitted task.
    public var log: String?
    /// Its Slurm array element (`123_4`), for a submitted task.
    public var job: String?
  }

  /// The run id.
  public var runID: String
  /// The experiment's name.
  public var experiment: String
  /// When it was submitted (nil for a local `sprout run`).
  public var submitted: String?
  /// Every task, in plan order.
  public var tasks: [Task]
  /// Set when squeue could not be asked (then pending tasks show as `pending` with that note).
  public var queueNote: String?

  /// Tasks per state.
  public var counts: [State: Int] { Dictionary(grouping: tasks, by: \.state).mapValues(\.count) }

  /// Whether nothing is pending or running any more.
  public var isSettled: Bool { !tasks.contains { $0.state == .pending || $0.state == .running } }

  /// Whether every task is done.
  public var isComplete: Bool { tasks.allSatisfy { $0.state == .done } }

  /// Reads a run's status. `run` may be an id, `latest` or a unique prefix. `client` is asked for the queue
  /// when the run was submitted (nil: do not ask).
  public static func load(run: String, store: Store, client: SlurmClient? = SlurmClient()) throws -> RunStatus {
    let manifest = try store.manifest(run)
    let plan = try store.plan(of: manifest)
    let submission = try Submission.load(store: store, run: manifest.runID)
    var evidence = Evidence(store: store, submission: submission, entries: [:], queue: [:], queueKnown: false)
    for entry in manifest.tasks { evidence.entries[entry.key] = entry }

    var queueNote: String?
    if let submission, let client {
      do {
        for entry in try client.queue(jobs: submission.jobIDs) { evidence.queue["\(entry.job)_\(entry.index)"] = entry }
        evidence.queueKnown = true
      } catch {
        queueNote = "squeue unavailable (\(error)); queued tasks show as pending"
      }
    }
    // A local run is still going while one of its tasks is running under a held claim. Its manifest may still say
    // `pending` for that task (snapshots are paced, RunRecorder), so a held claim on a pending task counts too.
    evidence.localRunAlive =
      submission == nil
      && plan.tasks.contains {
        let status = evidence.entries[$0.key.description]?.status ?? "pending"
        return (status == "running" || status == "pending") && TaskClaim.isHeld(store: store, hash: $0.hash)
      }

    let placements = submission?.placements ?? [:]
    var states: [TaskKey: Task] = [:]
    var tasks: [Task] = []
    for planned in plan.tasks {
      let task = evidence.task(planned, placement: placements[planned.key.description], earlier: states)
      states[planned.key] = task
      tasks.append(task)
    }
    return RunStatus(
      runID: manifest.runID, experiment: plan.spec.name, submitted: submission?.submitted, tasks: tasks,
      queueNote: queueNote)
  }

  /// What is known about a run's tasks: the store, their recorded entries and the queue.
  private struct Evidence {
    let store: Store
    let submission: Submission?
    var entries: [String: RunManifest.TaskEntry]
    var queue: [String: SlurmClient.QueueEntry]
    var queueKnown: Bool
    var localRunAlive = false

    /// One task's line, given the lines of the tasks before it in plan order (its inputs among them).
    func task(_ planned: PlanTask, placement: Submission.Placement?, earlier: [TaskKey: Task]) -> Task {
      let key = planned.key.description
      let entry = entries[key]
      let status = entry?.status ?? "pending"
      let element = placement.map { "\($0.job)_\($0.element)" }
      var task = Task(
        key: key, state: .pending, detail: "", log: placement.map { "\(store.root)/\($0.log)" }, job: element)
      func set(_ state: State, _ detail: String) -> Task {
        task.state = state
        task.detail = detail
        return task
      }
      let blocked = planned.inputs.first {
        earlier[$0].map { $0.state == .failed || $0.state == .notRun || $0.state == .stopped } ?? false
      }

      if store.isComplete(planned.hash) {
        return set(.done, status == "cached" ? "cached" : String(format: "%.1fs", entry?.seconds ?? 0))
      }
      // A candidate its select did not choose is finished without outputs.
      if status == "not_chosen" { return set(.done, "not chosen by its select") }
      if TaskClaim.isHeld(store: store, hash: planned.hash) {
        let holder = TaskClaim.holder(store: store, hash: planned.hash)
        return set(.running, holder.map { "by \($0)" } ?? "claimed by another process")
      }
      if let element, let queued = queue[element] {
        if queued.state == "RUNNING" || queued.state == "COMPLETING" {
          return set(.running, "job \(element) starting on \(queued.node)")
        }
        return set(.pending, "job \(element) waiting: \(RunStatus.reasonText(queued.reason))")
      }
      if status == "failed" { return set(.failed, entry?.error ?? "failed") }
      if status == "cancelled" { return set(.stopped, "stopped at a checkpoint; submit again (or requeue) to resume") }
      if let blocked {
        return set(.notRun, "input \(blocked) \(earlier[blocked]?.state == .failed ? "failed" : "did not complete")")
      }
      if status == "running" {
        return set(.notRun, "its process ended without finishing (killed?); run or submit again to resume")
      }
      if submission == nil {
        if localRunAlive && status == "pending" { return set(.pending, "not started yet") }
        return set(.notRun, status == "pending" ? "not started" : status)
      }
      if queueKnown { return set(.notRun, "its job left the queue without running it (cancelled)") }
      return set(.pending, "submitted")
    }
  }

  /// Slurm's pending reasons in words.
  static func reasonText(_ reason: String) -> String {
    switch reason {
    case "Dependency": "for the wave it reads (Dependency)"
    case "Resources", "Priority": "for a free slot (\(reason))"
    case "BeginTime": "to start again after a requeue (BeginTime)"
    case "JobArrayTaskLimit": "behind --array-limit (JobArrayTaskLimit)"
    case "DependencyNeverSatisfied": "never: a wave it reads failed (DependencyNeverSatisfied)"
    default: reason
    }
  }
}
