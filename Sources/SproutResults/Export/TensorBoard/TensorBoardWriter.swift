import Foundation
import SproutDiagnostics
import SproutRun

/// Writes one TensorBoard run (one trial) record by record: the HParams session start with the trial's axis
/// values, a scalar event per metric record (tags `<stage>/<metric>`, per-layer values under
/// `<stage>/<metric>/<layer>`), and the session end. Usable while training (one ``add(_:stage:)`` per
/// record, as a `tensorboard: true` stage option would call it) and by `sprout export`.
public final class TensorBoardWriter: @unchecked Sendable {
  /// The run's directory (`<root>/<run name>`).
  public let directory: String
  private let file: EventFile
  private let wallTime: Double

  /// Opens the run `name` under `root`; with `hparams`, starts an HParams session with those values.
  public init(root: String, name: String, hparams: [AxisAssignment]?, wallTime: Double = Date().timeIntervalSince1970)
    throws
  {
    directory = "\(root)/\(Self.directoryName(name))"
    self.wallTime = wallTime
    file = try EventFile(directory: directory, wallTime: wallTime)
    if let hparams { try file.write([TensorBoardEvents.sessionStart(hparams, group: name, wallTime: wallTime)]) }
  }

  /// Adds one metric record of a stage: every number it holds, at its step.
  public func add(_ record: MetricRecord, stage: String, wallTime: Double? = nil) throws {
    try file.write([TensorBoardEvents.scalars(Self.scalars(record, stage: stage), step: record.step, wallTime: wallTime ?? self.wallTime)])
  }

  /// Adds many records of a stage in one write.
  public func add(_ records: [MetricRecord], stage: String) throws {
    guard !records.isEmpty else { return }
    try file.write(records.map { TensorBoardEvents.scalars(Self.scalars($0, stage: stage), step: $0.step, wallTime: wallTime) })
  }

  /// Ends the HParams session (success or failure) and syncs the file.
  public func finish(success: Bool) throws {
    try file.write([TensorBoardEvents.sessionEnd(success: success, wallTime: wallTime)])
    file.sync()
  }

  /// `(tag, value)` of every number in a record, tags `<stage>/<metric>[/<leaf>]`, in name order.
  public static func scalars(_ record: MetricRecord, stage: String) -> [(tag: String, value: Double)] {
    record.values.keys.sorted().flatMap { name in
      MetricScalar.leaves(record.values[name] ?? .null).map { suffix, x in
        (tag: suffix.isEmpty ? "\(stage)/\(name)" : "\(stage)/\(name)/\(suffix)", value: x)
      }
    }
  }

  /// A run name safe as one directory name (`/` would nest runs).
  static func directoryName(_ name: String) -> String {
    let cleaned = name.map { $0 == "/" || $0 == "\0" ? "_" : $0 }
    let s = String(cleaned)
    return s.isEmpty || s == "." || s == ".." ? "run" : s
  }
}

/// `sprout export --format tensorboard`: a TensorBoard log directory for a run — one TensorBoard run per
/// trial named by its axis values (`init=xavier,seed=0`), every metric record as scalars, and the trials'
/// axis values and final metrics in the HParams dashboard.
public enum TensorBoardExport {
  /// What was written.
  public struct Summary: Sendable {
    /// TensorBoard runs (directories) written.
    public var runs: Int
    /// Scalar values written.
    public var scalars: Int
  }

  /// The TensorBoard run name of a trial: its axis values joined by commas (the trial id when it has none).
  public static func runName(_ trial: RunResults.Trial?, id: String) -> String {
    guard let trial, !trial.values.isEmpty else { return id }
    return trial.values.map { "\($0.axis)=\($0.value.display)" }.joined(separator: ",")
  }

  /// Writes the log directory `out` for `run`.
  @discardableResult
  public static func write(_ run: RunResults, to out: String) throws -> Summary {
    let wallTime = Self.startTime(run)
    let trials = run.trialsByID
    // The experiment: one HParams column per axis, one metric column per final scalar (stage/metric).
    var tags = Set<String>()
    for t in run.tasks {
      for (k, v) in t.finalMetrics where MetricScalar.value(v) != nil && !MetricScalar.isPerLayer(v) {
        tags.insert("\(t.stage)/\(k)")
      }
    }
    let axes = run.axes.map { axis in
      (name: axis, values: Array(Set(run.trials.compactMap { $0[axis] })).sorted { $0.canonical < $1.canonical })
    }
    let top = try EventFile(directory: out, wallTime: wallTime)
    try top.write([TensorBoardEvents.experiment(axes: axes, metricTags: tags.sorted(), wallTime: wallTime)])
    top.sync()

    var order: [String] = []
    var byTrial: [String: [RunResults.Task]] = [:]
    for t in run.tasks {
      if byTrial[t.trial] == nil { order.append(t.trial) }
      byTrial[t.trial, default: []].append(t)
    }
    let store = run.store
    let grouped = byTrial
    let counts = try ParallelMap.map(order) { id -> Result<Int, Error> in
      do {
        let trial = trials[id]
        let writer = try TensorBoardWriter(
          root: out, name: runName(trial, id: id), hparams: trial?.values ?? [], wallTime: wallTime)
        var n = 0
        var success = true
        for task in grouped[id] ?? [] {
          guard task.outputs != nil else {
            success = false
            continue
          }
          let records = try store.metrics(task.hash)
          try writer.add(records, stage: task.stage)
          n += records.reduce(0) { $0 + TensorBoardWriter.scalars($1, stage: task.stage).count }
        }
        try writer.finish(success: success)
        return .success(n)
      } catch {
        return .failure(error)
      }
    }.map { try $0.get() }
    return Summary(runs: order.count, scalars: counts.reduce(0, +))
  }

  /// The run's start as seconds since 1970 (the manifest's ISO-8601 `started`), or now.
  static func startTime(_ run: RunResults) -> Double {
    ISO8601DateFormatter().date(from: run.manifest.started)?.timeIntervalSince1970 ?? Date().timeIntervalSince1970
  }
}
