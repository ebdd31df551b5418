import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutRun

/// `sprout compare A B`: two runs side by side — matching trials (same stage and axis values) with each final
/// metric in both and the delta B − A, the trials only one run has, and what differs between the runs'
/// recorded specs: resolved values (per path of each task's lowered configuration), tool version, backend, seed, overrides.
public struct RunComparison: Sendable {
  /// One matched (stage, trial values) pair.
  public struct Pair: Sendable {
    /// Stage name.
    public var stage: String
    /// The trial's axis values (`init=xavier seed=0`; the trial id when the run has no axes).
    public var label: String
    /// Task keys in A and B.
    public var taskA: String
    /// Task key in B.
    public var taskB: String
    /// True when both tasks have the same content hash (same inputs: B reused A's outputs).
    public var sameHash: Bool
    /// Metric → (A, B) values.
    public var metrics: [(name: String, a: Double?, b: Double?)]
  }

  /// One difference in the runs' facts or resolved definitions.
  public struct Difference: Sendable, Hashable {
    /// What differs (`backend`, `train: optimizer.lr`).
    public var what: String
    /// Value in A.
    public var a: String
    /// Value in B.
    public var b: String
    /// Tasks it concerns (for definition differences).
    public var tasks: Int
  }

  /// Run A.
  public var a: RunResults
  /// Run B.
  public var b: RunResults
  /// Matched tasks in A's order.
  public var pairs: [Pair]
  /// Tasks of A with no match in B, and of B with no match in A.
  public var onlyA: [String]
  /// Tasks only in B.
  public var onlyB: [String]
  /// Differences of facts and of resolved definitions.
  public var differences: [Difference]

  /// Compares two runs.
  public static func make(_ a: RunResults, _ b: RunResults, metrics wanted: [String] = []) -> RunComparison {
    let trialsA = a.trialsByID, trialsB = b.trialsByID
    let configsA = a.configsByKey, configsB = b.configsByKey
    func label(_ run: RunResults, _ task: RunResults.Task) -> String {
      let trials = run.runID == a.runID ? trialsA : trialsB
      guard let trial = trials[task.trial], !trial.values.isEmpty else { return task.trial }
      return trial.label
    }
    func index(_ run: RunResults) -> [String: RunResults.Task] {
      Dictionary(run.tasks.map { ("\($0.stage)\u{0}\(label(run, $0))", $0) }, uniquingKeysWith: { x, _ in x })
    }
    let bIndex = index(b)
    var pairs: [Pair] = []
    var matchedB = Set<String>()
    var onlyA: [String] = []
    var definitionDiffs: [String: (a: String, b: String, tasks: Int)] = [:]
    var diffOrder: [String] = []
    for ta in a.tasks {
      let l = label(a, ta)
      guard let tb = bIndex["\(ta.stage)\u{0}\(l)"] else {
        onlyA.append("\(ta.key) (\(l))")
        continue
      }
      matchedB.insert(tb.key)
      let names = Set(ta.finalMetrics.keys).union(tb.finalMetrics.keys).filter { n in
        wanted.isEmpty || wanted.contains(n)
      }.sorted()
      let metrics = names.compactMap { n -> (name: String, a: Double?, b: Double?)? in
        let x = ta.finalMetrics[n].flatMap(MetricScalar.value), y = tb.finalMetrics[n].flatMap(MetricScalar.value)
        return x == nil && y == nil ? nil : (n, x, y)
      }
      pairs.append(
        Pair(stage: ta.stage, label: l, taskA: ta.key, taskB: tb.key, sameHash: ta.hash == tb.hash, metrics: metrics))
      if ta.hash != tb.hash {
        for d in TaskChange.configDifferences(configsA[ta.key], configsB[tb.key]).map(Self.leaf) {
          let key = "\(ta.stage): \(d.path)"
          if var e = definitionDiffs[key] {
            e.tasks += 1
            if e.a != d.a || e.b != d.b { e.a = "(varies)"; e.b = "(varies)" }
            definitionDiffs[key] = e
          } else {
            definitionDiffs[key] = (d.a, d.b, 1)
            diffOrder.append(key)
          }
        }
      }
    }
    let onlyB = b.tasks.filter { !matchedB.contains($0.key) }.map { "\($0.key) (\(label(b, $0)))" }
    var differences: [Difference] = []
    let ma = a.manifest, mb = b.manifest
    func fact(_ what: String, _ x: String, _ y: String) {
      if x != y { differences.append(Difference(what: what, a: x, b: y, tasks: 0)) }
    }
    fact("spec", ma.specPath, mb.specPath)
    fact("sprout version", ma.toolVersion, mb.toolVersion)
    fact("backend", ma.backend, mb.backend)
    fact("root seed", ma.plan["rootSeed"]?.display ?? "", mb.plan["rootSeed"]?.display ?? "")
    func list(_ v: JSONValue?) -> String {
      let items = (v?.arrayValue ?? []).map(\.display)
      return items.isEmpty ? "(none)" : items.joined(separator: " ")
    }
    fact("overrides (--set)", list(ma.plan["overrides"]), list(mb.plan["overrides"]))
    fact("trials", ma.plan["count"]?["statement"]?.display ?? "", mb.plan["count"]?["statement"]?.display ?? "")
    fact("machine", ma.machine["hostname"]?.display ?? "", mb.machine["hostname"]?.display ?? "")
    fact("spec's git commit", a.labels.gitCommit ?? "-", b.labels.gitCommit ?? "-")
    for key in diffOrder {
      guard let e = definitionDiffs[key] else { continue }
      differences.append(Difference(what: key, a: e.a, b: e.b, tasks: e.tasks))
    }
    return RunComparison(a: a, b: b, pairs: pairs, onlyA: onlyA, onlyB: onlyB, differences: differences)
  }

}

extension RunComparison {
  /// A configuration difference as `path: a → b` (a changed data file reads `file 'x.csv'`), values cut to 60
  /// characters.
  static func leaf(_ c: TaskChange) -> (path: String, a: String, b: String) {
    func text(_ v: String?) -> String {
      guard let v else { return "-" }
      return v.count > 60 ? String(v.prefix(57)) + "…" : v
    }
    return (c.kind == .file ? "file '\(c.path)'" : c.path.isEmpty ? "(value)" : c.path, text(c.old), text(c.new))
  }
}
