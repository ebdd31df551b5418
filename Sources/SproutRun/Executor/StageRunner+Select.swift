import Foundation
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain

/// `select`: for each group (values of the `per` axes), the candidate (values of the `over` axes) whose trials'
/// final metric, combined by the aggregate, is best.
extension StageRunner {
  func select(_ c: SelectConfig) throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    struct Candidate {
      var group: [AxisSetting]
      var choice: [AxisSetting]
      var values: [Double] = []
      var trials: [String] = []
    }
    // Candidates in plan order; ties keep the earlier one, whatever order the tasks finished in.
    var order: [String] = []
    var candidates: [String: Candidate] = [:]
    for entry in c.candidates {
      let key = TaskKey(trial: entry.trial, stage: c.from)
      // Inputs a select chose against (and so never ran) are absent; every other one completed.
      guard let outputs = context.inputs[key.description] else { continue }
      guard let value = MetricPath.value(c.metric, in: outputs.finalMetrics) else {
        throw context.error(.invalidTask, "task \(key) recorded no number at '\(c.metricText)'")
      }
      let id = AxisSetting.text(entry.group) + "|" + AxisSetting.text(entry.choice)
      if candidates[id] == nil {
        order.append(id)
        candidates[id] = Candidate(group: entry.group, choice: entry.choice)
      }
      candidates[id]?.values.append(value)
      candidates[id]?.trials.append(entry.trial)
    }
    var best: [String: (choice: String, value: Double)] = [:]
    var groups: [String] = []
    var evidence: [JSONValue] = []
    for id in order {
      guard let candidate = candidates[id] else { continue }
      let group = AxisSetting.text(candidate.group)
      let finite = candidate.values.filter(\.isFinite)
      let value = finite.count == candidate.values.count ? c.aggregate.combine(finite) : .nan
      evidence.append(
        .object([
          "group": .string(group), "choice": .string(AxisSetting.text(candidate.choice)),
          "value": value.isFinite ? .double(value) : .string("NaN"),
          "values": .array(candidate.values.map { $0.isFinite ? .double($0) : .string("NaN") }),
          "trials": .array(candidate.trials.map { .string($0) }),
        ]))
      if !groups.contains(group) { groups.append(group) }
      guard value.isFinite else { continue }
      if let current = best[group], !(c.mode == .max ? value > current.value : value < current.value) { continue }
      best[group] = (AxisSetting.text(candidate.choice), value)
    }
    for group in groups where best[group] == nil {
      throw context.error(
        .invalidTask,
        "no candidate of select '\(context.task.stage)' has a finite '\(c.metricText)'"
          + (group == AxisSetting.text([]) ? "" : " for \(group)"))
    }
    guard !groups.isEmpty else {
      throw context.error(.missingInput, "select '\(context.task.stage)' has no candidate that completed")
    }
    // The record: the chosen candidate's aggregate, by group when there are groups. Metric records hold numbers
    // only (the exports read every value as one); the choice itself is in `extra.chosen`.
    var values: [String: JSONValue] = [:]
    if groups == [AxisSetting.text([])], let only = best[groups[0]] {
      values[c.metricText] = .double(only.value)
    } else {
      values[c.metricText] = .object(
        Dictionary(uniqueKeysWithValues: groups.compactMap { g in best[g].map { (g, .double($0.value)) } }))
    }
    var out = try outputs(
      steps: 0, records: [MetricRecord(step: 0, values: values)], tensors: [], checkpoints: [], finalCheckpoint: nil)
    let chosen = Dictionary(
      uniqueKeysWithValues: groups.compactMap { g in best[g].map { (g, JSONValue.string($0.choice)) } })
    out.extra = [
      "chosen": .object(chosen), "from": .string(c.from), "metric": .string(c.metricText),
      "mode": .string(c.mode.rawValue),
      "aggregate": .string(c.aggregate.rawValue), "candidates": .array(evidence),
    ]
    out.outputHashes["chosen"] = TaskOutputs.hash(of: Array(JSONValue.object(chosen).canonical.utf8))
    return out
  }
}

/// A metric path (`activation_stats/layers.1/std`) read from a record.
enum MetricPath {
  /// The number at `path` in `values`: the longest prefix of the path that is a key (keys may hold `/`, as
  /// `eval/loss`), then keys into nested objects. Nil when absent or not a finite number.
  static func value(_ path: [String], in values: [String: JSONValue]) -> Double? {
    for n in stride(from: path.count, through: 1, by: -1) {
      guard var v = values[path.prefix(n).joined(separator: "/")] else { continue }
      for key in path.dropFirst(n) {
        guard let next = v.objectValue?[key] else { return nil }
        v = next
      }
      return v.doubleValue.flatMap { $0.isFinite ? $0 : nil }
    }
    return nil
  }
}
