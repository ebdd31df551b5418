import Foundation
import SproutDiagnostics
import SproutRun

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
    TensorBoardWriter.runName(trial?.values ?? [], id: id)
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
