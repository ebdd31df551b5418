import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutRun

/// One recorded run as a researcher reads it: its facts, its trials with their axis values, and every task
/// with its final metrics. Built from the store alone (`runs/<id>/manifest.json` and each task's
/// `outputs.json`); learning curves are read from `metrics.jsonl` on demand (``curve(_:)``).
///
/// The plan recorded in the manifest is read as JSON, not decoded into the planner's types: results only need
/// the trials' axis values and the tasks' lowered configurations, and must read runs written by other versions.
public struct RunResults: Sendable {
  /// One trial of the matrix.
  public struct Trial: Sendable, Hashable {
    /// `t0003`.
    public var id: String
    /// Position in the matrix.
    public var index: Int
    /// Axis values in axis order.
    public var values: [AxisAssignment]
    /// The trial's seed.
    public var seed: Int?

    /// The value of one axis.
    public subscript(axis: String) -> JSONValue? { values.first { $0.axis == axis }?.value }

    /// `init=xavier seed=0`.
    public var label: String { values.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ") }
  }

  /// One task of the run.
  public struct Task: Sendable {
    /// `t0003/train`.
    public var key: String
    /// The content hash (directory under `tasks/`).
    public var hash: String
    /// Trial id, or `all` for a task over every trial.
    public var trial: String
    /// Stage name.
    public var stage: String
    /// Stage kind (`train`, `evaluate`, `select`, …).
    public var kind: String
    /// Status in the run (`completed`, `cached`, `failed`, …).
    public var status: String
    /// The outputs record, when the task is complete in the store.
    public var outputs: TaskOutputs?
    /// Seconds the task ran (in the run that computed it, for cached tasks).
    public var seconds: Double
    /// The error message, when failed.
    public var error: String?

    /// Final metrics (empty when the task did not complete).
    public var finalMetrics: [String: JSONValue] { outputs?.finalMetrics ?? [:] }
  }

  /// The manifest as recorded.
  public var manifest: RunManifest
  /// The store it was read from.
  public var store: Store
  /// Trials in matrix order.
  public var trials: [Trial]
  /// Axis names in matrix order.
  public var axes: [String]
  /// Tasks in plan order.
  public var tasks: [Task]
  /// Stage names in plan order.
  public var stages: [String]
  /// The run's labels (tags, git commit of the spec), when recorded.
  public var labels: RunLabels

  /// The run id.
  public var runID: String { manifest.runID }

  /// Reads run `run` (`latest`, an id, or a unique prefix) from `store`.
  ///
  /// Task outputs are read on all cores: a 10,000-task run has 10,000 outputs.json files.
  /// The plan's task list with each task's lowered configuration (most of a large manifest's bytes) is read only
  /// with `configs: true`, for ``configsByKey``; the manifest's own task list has every task's key, status and hash.
  public static func load(_ run: String, store: Store, configs: Bool = false) throws -> RunResults {
    let manifest = try store.manifest(run, omitting: configs ? [] : ["plan.tasks"])
    let plan = manifest.plan
    var trials: [Trial] = []
    var axes: [String] = []
    for t in plan["trials"]?.arrayValue ?? [] {
      guard let id = t["id"]?.stringValue else { continue }
      var values: [AxisAssignment] = []
      for a in t["assignment"]?.arrayValue ?? [] {
        guard let axis = a["axis"]?.stringValue, let value = a["value"] else { continue }
        values.append(AxisAssignment(axis: axis, value: value))
        if !axes.contains(axis) { axes.append(axis) }
      }
      trials.append(Trial(id: id, index: t["index"]?.intValue ?? trials.count, values: values, seed: t["seed"]?.intValue))
    }
    let entries = manifest.tasks
    // A task without readable outputs is an incomplete task in every table and plot (shown as such);
    // `sprout verify` is where damage is reported.
    let outputs = ParallelMap.map(entries) { entry in try? store.outputs(entry.hash) }
    var tasks: [Task] = []
    var stages: [String] = []
    for (entry, out) in zip(entries, outputs) {
      let done = out ?? nil
      tasks.append(
        Task(
          key: entry.key, hash: entry.hash, trial: entry.trial, stage: entry.stage, kind: entry.kind,
          status: entry.status, outputs: done,
          seconds: entry.status == "cached" ? (done?.seconds ?? 0) : entry.seconds, error: entry.error))
      if !stages.contains(entry.stage) { stages.append(entry.stage) }
    }
    return RunResults(
      manifest: manifest, store: store, trials: trials, axes: axes, tasks: tasks, stages: stages,
      labels: RunLabels.read(store: store, runID: manifest.runID))
  }

  /// The trial with an id.
  public func trial(_ id: String) -> Trial? {
    trialIndex[id].map { trials[$0] }
  }

  private var trialIndex: [String: Int] {
    Dictionary(trials.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// Trial id → trial, for many lookups.
  public var trialsByID: [String: Trial] {
    Dictionary(trials.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// Axes whose values are all numbers (with at least two distinct values): the x axes of the report's
  /// "metric against axis" plots.
  public var numericAxes: [String] {
    axes.filter { axis in
      let values = trials.compactMap { $0[axis] }
      guard values.count == trials.count, values.allSatisfy({ $0.doubleValue != nil }) else { return false }
      return Set(values.compactMap(\.doubleValue)).count > 1
    }
  }

  /// Each task's lowered configuration as the plan recorded it (`config`), by task key (O(n) to build); empty
  /// unless the run was loaded with `configs: true`.
  public var configsByKey: [String: JSONValue] {
    var out: [String: JSONValue] = [:]
    for t in manifest.plan["tasks"]?.arrayValue ?? [] {
      if let key = t["key"]?.stringValue { out[key] = t["config"] ?? .null }
    }
    return out
  }

  /// The learning curve of a task: every record of `metrics.jsonl`.
  public func curve(_ task: Task) throws -> [MetricRecord] { try store.metrics(task.hash) }
}

/// Maps over an array on every core, keeping the order.
enum ParallelMap {
  static func map<T: Sendable, U: Sendable>(_ items: [T], _ transform: @Sendable (T) -> U) -> [U] {
    guard items.count > 64 else { return items.map(transform) }
    let slots = Slots<U>(count: items.count)
    let chunks = min(ProcessInfo.processInfo.activeProcessorCount * 4, items.count)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
      let lo = items.count * c / chunks
      let hi = items.count * (c + 1) / chunks
      for i in lo..<hi { slots.set(i, transform(items[i])) }
    }
    return slots.values
  }

  private final class Slots<U>: @unchecked Sendable {
    // @unchecked Sendable: `storage` is read and written under `lock`.
    private var storage: [U?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: U) { lock.withLock { storage[i] = value } }
    var values: [U] { storage.map { $0! } }
  }
}
