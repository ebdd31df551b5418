import SproutDiagnostics
import SproutPlanner
import SproutRun

/// What a `select` stage chose and the numbers it chose by: every candidate's value of the metric, the
/// winner and the runner-up.
public struct SelectChoice: Sendable {
  /// One candidate task.
  public struct Candidate: Sendable {
    /// Task key (`t0002/train`).
    public var task: String
    /// Its trial's axis values.
    public var values: [AxisAssignment]
    /// Its value of the metric (NaN or infinite values never win).
    public var value: Double
  }

  /// The select task's key (`all/best`).
  public var task: String
  /// The select stage's name.
  public var stage: String
  /// The metric compared.
  public var metric: String
  /// True when the highest value wins (`mode: max`).
  public var maximize: Bool
  /// The chosen task's key.
  public var selected: String
  /// Candidates, best first (non-finite values last).
  public var candidates: [Candidate]

  /// Stages the candidates belong to.
  public var inputStages: Set<String> {
    Set(candidates.compactMap { $0.task.split(separator: "/").last.map(String.init) })
  }

  /// The select choices of a run, from each complete select task's outputs (`extra.selected`,
  /// `extra.metric`, `extra.mode`, `extra.candidates`).
  public static func all(in run: RunResults) -> [SelectChoice] {
    let trials = run.trialsByID
    return run.tasks.compactMap { task in
      guard task.kind == "select", let extra = task.outputs?.extra, let selected = extra["selected"]?.stringValue,
        let metric = extra["metric"]?.stringValue, let candidates = extra["candidates"]?.objectValue
      else { return nil }
      let maximize = extra["mode"]?.stringValue == "max"
      let list = candidates.map { key, v in
        Candidate(
          task: key, values: trials[String(key.split(separator: "/").first ?? "")]?.values ?? [],
          value: MetricScalar.value(v) ?? .nan)
      }
      let ordered = list.sorted { a, b in
        switch (a.value.isFinite, b.value.isFinite) {
        case (true, true): return a.value == b.value ? a.task < b.task : (maximize ? a.value > b.value : a.value < b.value)
        case (true, false): return true
        case (false, true): return false
        case (false, false): return a.task < b.task
        }
      }
      return SelectChoice(
        task: task.key, stage: task.stage, metric: metric, maximize: maximize, selected: selected,
        candidates: ordered)
    }
  }

  /// `select best: t0001/train (init=orthogonal seed=1) by lowest loss = 0.1234, over 4 candidates; next
  /// t0003/train 0.1301 (+0.0067)`, then the candidates.
  public var text: String {
    let winner = candidates.first { $0.task == selected }
    let label = winner.map { c in c.values.isEmpty ? "" : " (" + c.values.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ") + ")" } ?? ""
    var out = "select \(stage): chose \(selected)\(label) by \(maximize ? "highest" : "lowest") \(metric)"
    if let winner { out += " = \(MetricScalar.format(winner.value))" }
    out += ", over \(candidates.count) candidate\(candidates.count == 1 ? "" : "s")\n"
    // The ten best and the winner; `--format json` lists every candidate.
    let shown = candidates.enumerated().filter { $0.offset < 10 || $0.element.task == selected }.map(\.element)
    for c in shown {
      let mark = c.task == selected ? "*" : " "
      var line = "  \(mark) \(c.task)"
      if !c.values.isEmpty { line += "  " + c.values.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ") }
      line += "  \(metric) \(MetricScalar.format(c.value))"
      if let w = winner?.value, c.task != selected, c.value.isFinite {
        let d = c.value - w
        line += "  (\(d >= 0 ? "+" : "")\(MetricScalar.format(d)))"
      } else if !c.value.isFinite {
        line += "  (not finite: never chosen)"
      }
      out += line + "\n"
    }
    if shown.count < candidates.count { out += "    … \(candidates.count - shown.count) more (--format json lists them all)\n" }
    return out
  }

  /// The JSON form.
  public var json: JSONValue {
    .object([
      "task": .string(task), "stage": .string(stage), "metric": .string(metric),
      "mode": .string(maximize ? "max" : "min"), "selected": .string(selected),
      "candidates": .array(
        candidates.map { c in
          .object([
            "task": .string(c.task), "values": .object(Dictionary(uniqueKeysWithValues: c.values.map { ($0.axis, $0.value) })),
            "value": JSONNumber.value(c.value),
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
