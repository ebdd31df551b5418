import Foundation
import SproutDiagnostics
import SproutRun

/// `sprout export --format csv`: every recorded number of a run in tidy long form, one line per
/// (task, step, metric): `run, task, stage, <axis>…, step, metric, value`.
///
/// Written so that pandas and polars infer numeric dtypes: axis values that are numbers stay numbers,
/// `value` is always written as a float (`1.0`, never `1`), and non-finite values are `NaN`, `inf` and `-inf`,
/// which both parse as floats. Per-layer metrics get one line per layer (`weight_change/layers.0.weight`),
/// vectors one per element (`spectrum/3`).
public enum TidyCSV {
  /// Column names: the fixed ones and the run's axes (an axis named like a fixed column gets `axis_`).
  public static func header(axes: [String]) -> [String] {
    let fixed: Set<String> = ["run", "task", "stage", "step", "metric", "value"]
    return ["run", "task", "stage"] + axes.map { fixed.contains($0) ? "axis_\($0)" : $0 } + ["step", "metric", "value"]
  }

  /// Writes the CSV of a run to `emit` in pieces (a 10,000-task run need not be held in memory at once).
  public static func write(_ run: RunResults, stage: String? = nil, to emit: (String) throws -> Void) throws {
    let axes = run.axes
    try emit(CSV.line(header(axes: axes)))
    let trials = run.trialsByID
    let tasks = run.tasks.filter { $0.outputs != nil && (stage == nil || $0.stage == stage) }
    let store = run.store
    // Read and format in parallel chunks, emit in plan order.
    let chunk = 256
    for start in stride(from: 0, to: tasks.count, by: chunk) {
      let slice = Array(tasks[start..<min(start + chunk, tasks.count)])
      // A completed task's unreadable or corrupt metrics file fails the export rather than leaving its rows out.
      let texts = ParallelMap.map(slice) { task -> Result<String, any Error> in
        let records: [MetricRecord]
        do { records = try store.metrics(task.hash) } catch { return .failure(error) }
        let trial = trials[task.trial]
        let prefix = [run.runID, task.key, task.stage] + axes.map { axis in trial?[axis].map(cell) ?? "" }
        let prefixText = prefix.map(CSV.quote).joined(separator: ",") + ","
        var out = ""
        for r in records {
          for name in r.values.keys.sorted() {
            for (suffix, x) in MetricScalar.leaves(r.values[name] ?? .null) {
              let metric = suffix.isEmpty ? name : "\(name)/\(suffix)"
              out += prefixText + "\(r.step)," + CSV.quote(metric) + "," + value(x) + "\n"
            }
          }
        }
        return .success(out)
      }
      for result in texts {
        let t = try result.get()
        if !t.isEmpty { try emit(t) }
      }
    }
  }

  /// The whole CSV as one string.
  public static func text(_ run: RunResults, stage: String? = nil) throws -> String {
    var out = ""
    try write(run, stage: stage) { out += $0 }
    return out
  }

  /// An axis value: numbers as numbers, strings as text, anything else as its JSON.
  static func cell(_ v: JSONValue) -> String {
    switch v {
    case .int(let i): return String(i)
    case .double(let d): return value(d)
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    default: return v.canonical
    }
  }

  /// A float that reads back exactly and always looks like a float.
  static func value(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return JSONValue.format(x)
  }
}
