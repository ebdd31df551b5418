import SproutDiagnostics
import SproutPlanner
import SproutRun

/// What a `select` stage chose and the numbers it chose by: per group (values of its `per` axes), every candidate
/// (values of its `over` axes) with the aggregate of the metric over its trials (the seeds) and the values combined.
public struct SelectChoice: Sendable {
  /// One candidate of one group.
  public struct Candidate: Sendable {
    /// The group it competes in (`target="rings"`, or `(all)` without `per` axes).
    public var group: String
    /// Its values of the `over` axes (`omega=50`).
    public var choice: String
    /// The aggregate of the metric over its trials (NaN when one of them is not finite: never chosen).
    public var value: Double
    /// The metric of each trial, in plan order.
    public var values: [Double]
    /// Its trials' ids, in the order of `values`.
    public var trials: [String]
  }

  /// The select task's key (`all/best`).
  public var task: String
  /// The select stage's name.
  public var stage: String
  /// The stage whose final metric is compared.
  public var from: String
  /// The metric compared (its path as written, `eval/loss`).
  public var metric: String
  /// True when the highest value wins (`mode: max`).
  public var maximize: Bool
  /// How each candidate's trials are combined (`mean`, `median`, `min`, `max`).
  public var aggregate: String
  /// The choice of each group, groups in plan order.
  public var chosen: [(group: String, choice: String)]
  /// Candidates by group (in the order of `chosen`), best first within a group (non-finite values last).
  public var candidates: [Candidate]

  /// Stages the candidates belong to.
  public var inputStages: Set<String> { [from] }

  /// The select choices of a run, from each complete select task's outputs (`extra.chosen`, `extra.from`,
  /// `extra.metric`, `extra.mode`, `extra.aggregate`, `extra.candidates`; docs/store.md).
  public static func all(in run: RunResults) -> [SelectChoice] {
    run.tasks.compactMap { task in
      guard task.kind == "select", let extra = task.outputs?.extra, let chosen = extra["chosen"]?.objectValue,
        let metric = extra["metric"]?.stringValue, let evidence = extra["candidates"]?.arrayValue
      else { return nil }
      let maximize = extra["mode"]?.stringValue == "max"
      var groups: [String] = []
      var byGroup: [String: [Candidate]] = [:]
      for item in evidence {
        guard let group = item["group"]?.stringValue, let choice = item["choice"]?.stringValue else { continue }
        if byGroup[group] == nil { groups.append(group) }
        byGroup[group, default: []].append(
          Candidate(
            group: group, choice: choice, value: item["value"].flatMap(MetricScalar.value) ?? .nan,
            values: (item["values"]?.arrayValue ?? []).map { MetricScalar.value($0) ?? .nan },
            trials: (item["trials"]?.arrayValue ?? []).compactMap(\.stringValue)))
      }
      // Stable sort: equal values keep plan order, the order the select broke ties in.
      let ordered = groups.flatMap { g in
        (byGroup[g] ?? []).enumerated().sorted { a, b in
          switch (a.element.value.isFinite, b.element.value.isFinite) {
          case (true, true):
            if a.element.value == b.element.value { return a.offset < b.offset }
            return maximize ? a.element.value > b.element.value : a.element.value < b.element.value
          case (true, false): return true
          case (false, true): return false
          case (false, false): return a.offset < b.offset
          }
        }.map(\.element)
      }
      return SelectChoice(
        task: task.key, stage: task.stage, from: extra["from"]?.stringValue ?? "", metric: metric,
        maximize: maximize, aggregate: extra["aggregate"]?.stringValue ?? "mean",
        chosen: groups.compactMap { g in chosen[g]?.stringValue.map { (g, $0) } }, candidates: ordered)
    }
  }

  /// Per group: `select best: chose omega=50 by lowest mean spectrum_w1 = 2.331 (2 trials), over 5 candidates`,
  /// then the candidates with their trials' values and the difference to the choice.
  public var text: String {
    var out = ""
    for (group, choice) in chosen {
      let here = candidates.filter { $0.group == group }
      let winner = here.first { $0.choice == choice }
      let scope = group == "(all)" ? "" : " for \(group)"
      out += "select \(stage)\(scope): chose \(choice) by \(maximize ? "highest" : "lowest") \(aggregate) \(metric)"
      if let winner {
        out += " = \(MetricScalar.format(winner.value)) (\(winner.trials.count) trial\(winner.trials.count == 1 ? "" : "s"))"
      }
      out += ", over \(here.count) candidate\(here.count == 1 ? "" : "s")\n"
      // The ten best and the choice; `--format json` lists every candidate.
      let shown = here.enumerated().filter { $0.offset < 10 || $0.element.choice == choice }.map(\.element)
      for c in shown {
        let mark = c.choice == choice ? "*" : " "
        var line = "  \(mark) \(c.choice)  \(aggregate) \(MetricScalar.format(c.value))"
        if c.values.count > 1 { line += "  [" + c.values.map(MetricScalar.format).joined(separator: ", ") + "]" }
        if let w = winner?.value, c.choice != choice, c.value.isFinite {
          let d = c.value - w
          line += "  (\(d >= 0 ? "+" : "")\(MetricScalar.format(d)))"
        } else if !c.value.isFinite {
          line += "  (not finite: never chosen)"
        }
        out += line + "\n"
      }
      if shown.count < here.count { out += "    … \(here.count - shown.count) more (--format json lists them all)\n" }
    }
    return out
  }

  /// The JSON form.
  public var json: JSONValue {
    .object([
      "task": .string(task), "stage": .string(stage), "from": .string(from), "metric": .string(metric),
      "mode": .string(maximize ? "max" : "min"), "aggregate": .string(aggregate),
      "chosen": .object(Dictionary(uniqueKeysWithValues: chosen.map { ($0.group, .string($0.choice)) })),
      "candidates": .array(
        candidates.map { c in
          .object([
            "group": .string(c.group), "choice": .string(c.choice), "value": JSONNumber.value(c.value),
            "values": .array(c.values.map { JSONNumber.value($0) }), "trials": .array(c.trials.map { .string($0) }),
          ])
        }),
    ])
  }
}

/// Numbers in JSON output: finite ones as numbers, others as the store's strings (`"NaN"`, `"Infinity"`).
enum JSONNumber {
  static func value(_ d: Double) -> JSONValue {
    d.isFinite ? .double(d) : .string(d.isNaN ? "NaN" : d > 0 ? "Infinity" : "-Infinity")
  }

  static func value(_ d: Double?) -> JSONValue { d.map { value($0) } ?? .null }
}
