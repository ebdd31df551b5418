import Foundation
import SproutConfig
import SproutPlanner
import SproutTrain

/// The shared state of the executor's worker pool: which tasks are taken, which are done and how, and which
/// were found claimed by another process and put back for a while.
///
/// A worker takes the first task in plan order whose inputs are done. When another process holds that task's
/// claim (``TaskClaim``), the worker puts it back (``deferTask(_:)``) and takes the next ready task instead;
/// the deferred task is offered again after ``retryInterval``, by which time the other process may have
/// finished it (then it is cached) or died (then its claim is free and this process resumes it). With nothing
/// else to do, workers wait for the interval and try again, so a process never spins.
final class SchedulerState: @unchecked Sendable {
  // @unchecked Sendable: every mutable field is read and written under `lock` (the workers' only shared state).
  /// How long a task found claimed elsewhere is left alone before its claim is tried again.
  static let retryInterval: TimeInterval = 0.5

  private let plan: Plan
  private let stop: StopFlag
  private let condition = NSCondition()
  private var taken: [Bool]
  private var done: [TaskResult?]
  private var deferredUntil: [Date?]
  private let indexByKey: [TaskKey: Int]
  private let selected: Set<String>?

  /// State for `plan`; `selected` are the tasks the run may execute (nil: all), the others only pass through.
  init(plan: Plan, stop: StopFlag, selected: Set<String>? = nil) {
    self.plan = plan
    self.stop = stop
    self.selected = selected
    taken = Array(repeating: false, count: plan.tasks.count)
    done = Array(repeating: nil, count: plan.tasks.count)
    deferredUntil = Array(repeating: nil, count: plan.tasks.count)
    indexByKey = plan.positions
  }

  /// The first untaken task in plan order whose inputs are all done and that is not waiting out a deferral;
  /// waits while only blocked or deferred tasks remain; nil when everything is taken.
  func next() -> Int? {
    condition.lock()
    defer { condition.unlock() }
    while true {
      var anyUntaken = false
      var earliestRetry: Date?
      let now = Date()
      // Once a stop is requested deferred tasks are handed out at once: the worker skips them without waiting.
      let stopping = stop.isSet
      for i in plan.tasks.indices where !taken[i] {
        anyUntaken = true
        guard isReady(i) else { continue }
        if let until = deferredUntil[i], until > now, !stopping {
          earliestRetry = min(earliestRetry ?? until, until)
          continue
        }
        taken[i] = true
        return i
      }
      if !anyUntaken { return nil }
      if let earliestRetry {
        _ = condition.wait(until: earliestRetry)
      } else {
        condition.wait()
      }
    }
  }

  /// What a worker should say about a task it found claimed elsewhere.
  enum Deferral {
    /// The first time: another task is ready, so this process moves on to it.
    case movingOn
    /// The first time: nothing else is ready, so this process waits for the claim.
    case waiting
    /// Found busy before; already said.
    case again
  }

  /// Puts a task another process is running back, to be tried again after ``retryInterval``.
  func deferTask(_ index: Int) -> Deferral {
    condition.lock()
    defer { condition.unlock() }
    taken[index] = false
    let first = deferredUntil[index] == nil
    deferredUntil[index] = Date().addingTimeInterval(Self.retryInterval)
    guard first else { return .again }
    let otherReady = plan.tasks.indices.contains {
      !taken[$0] && $0 != index && deferredUntil[$0] == nil && isReady($0)
        && selected?.contains(plan.tasks[$0].key.description) ?? true
    }
    return otherReady ? .movingOn : .waiting
  }

  /// Outputs of a task's inputs by key text, or nil when one of them did not complete.
  func inputOutputs(of task: PlanTask) -> [String: TaskOutputs]? {
    condition.lock()
    defer { condition.unlock() }
    var out: [String: TaskOutputs] = [:]
    let acrossTrials = task.key.trial == TaskKey.allTrials
    for key in task.inputs {
      guard let i = indexByKey[key] else { return nil }
      // A task over all trials reads the candidates that ran; those a select did not choose are left out.
      if acrossTrials, done[i]?.status == .notChosen { continue }
      guard let outputs = done[i]?.outputs else { return nil }
      out[key.description] = outputs
    }
    return out
  }

  /// Why a gated task does not run — the select chose another candidate — or nil when every gate holds (or a select
  /// has not completed, which its skipped input reports).
  func unchosen(_ task: PlanTask) -> String? {
    guard let gates = task.gates else { return nil }
    condition.lock()
    defer { condition.unlock() }
    for gate in gates {
      guard let i = indexByKey[gate.select], let outputs = done[i]?.outputs else { continue }
      let group = AxisSetting.text(gate.group)
      let chosen = outputs.extra["chosen"]?.objectValue?[group]?.stringValue
      if chosen != AxisSetting.text(gate.candidate) {
        return "select '\(gate.select.stage)' chose \(chosen ?? "nothing")"
          + (gate.group.isEmpty ? "" : " for \(group)") + ", not \(AxisSetting.text(gate.candidate))"
      }
    }
    return nil
  }

  /// Records a task's result and wakes the workers waiting for it.
  func finish(_ index: Int, _ result: TaskResult) {
    condition.lock()
    done[index] = result
    condition.broadcast()
    condition.unlock()
  }

  /// Every task's result in plan order (`skipped` for tasks never finished).
  func results() -> [TaskResult] {
    condition.lock()
    defer { condition.unlock() }
    return done.enumerated().map { i, r in
      r ?? TaskResult(key: plan.tasks[i].key.description, hash: plan.tasks[i].hash, status: .skipped, seconds: 0)
    }
  }

  /// Whether every input of task `i` is done (called with the condition locked).
  private func isReady(_ i: Int) -> Bool {
    plan.tasks[i].inputs.allSatisfy { key in indexByKey[key].map { done[$0] != nil } ?? true }
  }
}
