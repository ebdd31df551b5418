import Foundation
import SproutDiagnostics

extension RunStatus {
  /// `4 done, 1 failed, 3 not run`, in a fixed order.
  public var countsText: String {
    let counts = self.counts
    return State.allCases.compactMap { state in counts[state].map { "\($0) \(state.rawValue)" } }
      .joined(separator: ", ")
  }

  /// The text report: a heading, the counts, then one line per task.
  public var text: String {
    var out = "run \(runID) (\(experiment))"
    if let submitted { out += ", submitted to Slurm at \(submitted)" }
    out += ": \(tasks.count) task\(tasks.count == 1 ? "" : "s"): \(countsText)\n"
    if let queueNote { out += "note: \(queueNote)\n" }
    let width = max(4, tasks.map(\.key.count).max() ?? 0)
    let stateWidth = State.allCases.map(\.rawValue.count).max() ?? 7
    for task in tasks {
      var line = task.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
      line += task.state.rawValue.padding(toLength: stateWidth, withPad: " ", startingAt: 0) + "  " + task.detail
      if task.state == .failed || task.state == .stopped || task.state == .notRun, let log = task.log {
        line += task.state == .notRun ? "" : "  (log: \(log))"
      }
      out += line.trimmingCharacters(in: .whitespaces) + "\n"
    }
    return out
  }

  /// The JSON report: `run`, `experiment`, `submitted`, `counts`, and `tasks` with `key`, `state`, `detail`,
  /// `log`, `job`.
  public var json: JSONValue {
    var counts: [String: JSONValue] = [:]
    for (state, n) in self.counts { counts[state.rawValue] = .int(n) }
    return .object([
      "run": .string(runID), "experiment": .string(experiment),
      "submitted": submitted.map(JSONValue.string) ?? .null, "counts": .object(counts),
      "tasks": .array(
        tasks.map { task in
          var o: [String: JSONValue] = [
            "key": .string(task.key), "state": .string(task.state.rawValue), "detail": .string(task.detail),
          ]
          if let log = task.log { o["log"] = .string(log) }
          if let job = task.job { o["job"] = .string(job) }
          return .object(o)
        }),
    ])
  }
}
