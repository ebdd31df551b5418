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
    let placements = submission?.placements ?? [:]

    var queue: [String: SlurmClient.QueueEntry] = [:]
    var queueNote: String?
    var queueKnown = false
    if let submission, let client {
      do {
        for entry in try client.queue(jobs: submission.jobIDs) { queue["\(entry.job)_\(entry.index)"] = entry }
        queueKnown = true
      } catch {
        queueNote = "squeue unavailable (\(error)); queued tasks show as pending"
      }
    }

    var states: [TaskKey: Task] = [:]
    var tasks: [Task] = []
    for (i, planned) in plan.tasks.enumerated() {
      let entry = manifest.tasks[i]
      let key = entry.key
      let placement = placements[key]
      let element = placement.map { "\($0.job)_\($0.element)" }
      let log = placement.map { "\(store.root)/\($0.log)" }
      var task = Task(key: key, state: .pending, detail: "", log: log, job: element)
      let queued = element.flatMap { queue[$0] }

      if store.isComplete(planned.hash) {
        task.state = .done
        task.detail = entry.status == "cached" ? "cached" : String(format: "%.1fs", entry.seconds)
      } else if TaskClaim.isHeld(store: store, hash: planned.hash) {
        task.state = .running
        let holder = TaskClaim.holder(store: store, hash: planned.hash)
        task.detail = holder.map { "by \($0)" } ?? "claimed by another process"
      } else if let queued {
        task.state = queued.state == "RUNNING" || queued.state == "COMPLETING" ? .running : .pending
        task.detail =
          task.state == .running
          ? "job \(element ?? "") starting on \(queued.node)"
          : "job \(element ?? "") waiting: \(reasonText(queued.reason))"
      } else if entry.status == "failed" {
        task.state = .failed
        task.detail = entry.error ?? "failed"
      } else if entry.status == "cancelled" {
        task.state = .stopped
        task.detail = "stopped at a checkpoint; submit again (or requeue) to resume"
      } else if let blocker = planned.inputs.first(where: {
        states[$0].map { $0.state == .failed || $0.state == .notRun || $0.state == .stopped } ?? false
      }) {
        task.state = .notRun
        task.detail = "input \(blocker) \(states[blocker]?.state == .failed ? "failed" : "did not complete")"
      } else if entry.status == "running" {
        task.state = .notRun
        task.detail = "its process ended without finishing (killed?); submit again to resume"
      } else if submission != nil && queueKnown {
        task.state = .notRun
        task.detail = "its job left the queue without running it (cancelled)"
      } else if submission == nil {
        task.state = .notRun
        task.detail = entry.status == "pending" ? "not started" : entry.status
      } else {
        task.detail = "submitted"
      }
      states[planned.key] = task
      tasks.append(task)
    }
    return RunStatus(
      runID: manifest.runID, experiment: plan.spec.name, submitted: submission?.submitted, tasks: tasks,
      queueNote: queueNote)
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
