import SproutDiagnostics
import SproutPlanner

/// One line of `metrics.jsonl`: the step and the recorded metric values at that step.
///
/// Values are JSON: numbers for scalar metrics (written in the shortest text that reads back to the same
/// double, so a float32 metric round-trips exactly), arrays or objects for structured ones
/// (activation statistics, spectra).
public struct MetricRecord: Hashable, Sendable {
  /// Optimizer steps completed when the metrics were taken.
  public var step: Int
  /// Metric name → value.
  public var values: [String: JSONValue]

  /// Creates a record.
  public init(step: Int, values: [String: JSONValue]) {
    self.step = step
    self.values = values
  }

  /// Creates a record of scalar metrics.
  public init(step: Int, scalars: [String: Double]) {
    self.init(step: step, values: scalars.mapValues { JSONValue.double($0) })
  }

  /// The JSON line (canonical: keys sorted, no spaces), without the newline.
  public var line: String {
    var object = values
    object["step"] = .int(step)
    return JSONValue.object(object).canonical
  }

  /// Parses one line; nil when it is not a JSON object with an integer `step`.
  public init?(line: String) {
    // nil is the answer "not a record": `Store.metrics` turns it into a corrupt-store error with the line number.
    guard let value = try? JSONValue.parse(line), case .object(var object) = value,
      let step = object["step"]?.intValue
    else { return nil }
    object.removeValue(forKey: "step")
    self.init(step: step, values: object)
  }

  /// The whole `metrics.jsonl` text of a list of records.
  public static func jsonl(_ records: [MetricRecord]) -> String {
    records.map { $0.line + "\n" }.joined()
  }
}
