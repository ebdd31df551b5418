import Foundation
import SproutPlanner

/// `sprout rerun`: run a recorded run again from nothing into a scratch store and compare every output.
public enum Rerun {
  /// Where one task's outputs first differ.
  public struct Divergence: Hashable, Sendable {
    /// The first step at which a metric record or a checkpoint differs (nil when only final outputs differ).
    public var step: Int?
    /// What differs: `metric loss`, `tensor layers.0.weight`, `output tensor:layers.0.weight`, ...
    public var what: String
    /// Both values or hashes, for the report.
    public var detail: String
  }

  /// The comparison of one task.
  public struct TaskComparison: Hashable, Sendable {
    /// The task key.
    public var key: String
    /// Its content hash.
    public var hash: String
    /// True when every output hash matches.
    public var matches: Bool
    /// Names of the outputs whose hashes differ.
    public var differingOutputs: [String]
    /// The first divergence found, when they differ.
    public var divergence: Divergence?
    /// Why the task could not be compared (missing in one store), if so.
    public var problem: String?
  }

  /// The result of a rerun.
  public struct Report: Sendable {
    /// The run that was replayed.
    public var runID: String
    /// The scratch store the replay wrote.
    public var scratch: String
    /// Per task, in plan order.
    public var tasks: [TaskComparison]
    /// The replay's own summary.
    public var replay: RunSummary?

    /// True when every task matches.
    public var allMatch: Bool { tasks.allSatisfy(\.matches) }
    /// The first task that differs, in plan order.
    public var firstMismatch: TaskComparison? { tasks.first { !$0.matches } }
  }

  /// Replays run `runID` of `store` into `scratch` (which should be empty) and compares every task.
  public static func run(
    _ runID: String, store: Store, scratch: Store, options: ExecutorOptions = ExecutorOptions(),
    onEvent: @escaping @Sendable (RunEvent) -> Void = { _ in }
  ) throws -> Report {
    let manifest = try store.manifest(runID)
    let plan = try store.plan(of: manifest)
    var replayOptions = options
    replayOptions.force = true
    replayOptions.resume = false
    replayOptions.toolVersion = options.toolVersion
    let summary = try Executor(store: scratch, options: replayOptions).run(
      plan: plan, specPath: manifest.specPath, specText: manifest.specText, onEvent: onEvent)
    var report = compare(manifest: manifest, original: store, replay: scratch)
    report.replay = summary
    return report
  }

  /// Compares every task of `manifest` between two stores.
  public static func compare(manifest: RunManifest, original: Store, replay: Store) -> Report {
    Report(
      runID: manifest.runID, scratch: replay.root,
      tasks: manifest.tasks.map { compare(key: $0.key, hash: $0.hash, original: original, replay: replay) })
  }

  /// Compares one task's outputs; on a difference, finds the first diverging metric record and checkpoint.
  public static func compare(key: String, hash: String, original: Store, replay: Store) -> TaskComparison {
    var result = TaskComparison(
      key: key, hash: hash, matches: false, differingOutputs: [], divergence: nil, problem: nil)
    guard let a = try? original.outputs(hash) else {
      result.problem = "the recorded run has no complete outputs for \(key)"
      return result
    }
    guard let b = try? replay.outputs(hash) else {
      result.problem = "the rerun did not complete \(key)"
      return result
    }
    // Recorded hashes, plus the files as they are now: a file changed after the run is a difference too.
    var hashesA = a.outputHashes
    if AtomicFile.exists(original.metricsPath(hash)) {
      hashesA["metrics.jsonl"] = TaskOutputs.hash(of: original.metricsBytes(hash))
    }
    let names = Set(hashesA.keys).union(b.outputHashes.keys).sorted()
    result.differingOutputs = names.filter { hashesA[$0] != b.outputHashes[$0] }
    result.matches = result.differingOutputs.isEmpty
    if !result.matches {
      result.divergence =
        firstDivergence(hash: hash, original: original, replay: replay)
        ?? result.differingOutputs.first.map {
          Divergence(
            step: nil, what: "output \($0)", detail: "\(hashesA[$0] ?? "absent") ≠ \(b.outputHashes[$0] ?? "absent")")
        }
    }
    return result
  }

  /// The earliest step at which metrics.jsonl lines or checkpoint tensors differ.
  static func firstDivergence(hash: String, original: Store, replay: Store) -> Divergence? {
    let metric = firstMetricDivergence(hash: hash, original: original, replay: replay)
    let tensor = firstCheckpointDivergence(hash: hash, original: original, replay: replay)
    switch (metric, tensor) {
    case (let m?, let t?): return (t.step ?? Int.max) < (m.step ?? Int.max) ? t : m
    case (let m?, nil): return m
    case (nil, let t?): return t
    default: return nil
    }
  }

  /// Compares metrics.jsonl line by line; names the step and the first differing metric of the first
  /// differing line.
  static func firstMetricDivergence(hash: String, original: Store, replay: Store) -> Divergence? {
    let linesA = String(decoding: original.metricsBytes(hash), as: UTF8.self).split(separator: "\n").map(String.init)
    let linesB = String(decoding: replay.metricsBytes(hash), as: UTF8.self).split(separator: "\n").map(String.init)
    for i in 0..<max(linesA.count, linesB.count) {
      let la = i < linesA.count ? linesA[i] : nil
      let lb = i < linesB.count ? linesB[i] : nil
      if la == lb { continue }
      let ra = la.flatMap(MetricRecord.init(line:))
      let rb = lb.flatMap(MetricRecord.init(line:))
      let step = ra?.step ?? rb?.step
      guard let ra, let rb else {
        return Divergence(
          step: step, what: "metrics.jsonl line \(i + 1)",
          detail: "\(la ?? "(missing)") ≠ \(lb ?? "(missing)")")
      }
      if ra.step != rb.step {
        return Divergence(
          step: min(ra.step, rb.step), what: "metrics.jsonl line \(i + 1)", detail: "step \(ra.step) ≠ \(rb.step)")
      }
      for name in Set(ra.values.keys).union(rb.values.keys).sorted() where ra.values[name] != rb.values[name] {
        return Divergence(
          step: ra.step, what: "metric \(name)",
          detail: "\(ra.values[name]?.canonical ?? "absent") ≠ \(rb.values[name]?.canonical ?? "absent")")
      }
    }
    return nil
  }

  /// Compares the checkpoints both stores hold, in step order; names the first differing tensor.
  static func firstCheckpointDivergence(hash: String, original: Store, replay: Store) -> Divergence? {
    let steps = Set(original.checkpointSteps(hash)).intersection(replay.checkpointSteps(hash)).sorted()
    for s in steps {
      guard let a = try? Checkpoint.read(original.checkpointPath(hash, step: s)),
        let b = try? Checkpoint.read(replay.checkpointPath(hash, step: s))
      else { continue }
      let tb = Dictionary(b.tensors.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
      for t in a.tensors {
        guard let u = tb[t.name] else {
          return Divergence(step: s, what: "tensor \(t.name)", detail: "absent from the rerun's checkpoint")
        }
        if !t.bitEqual(u) {
          let (va, vb) = (t.values, u.values)
          let index = (0..<min(va.count, vb.count)).first { va[$0].bitPattern != vb[$0].bitPattern } ?? 0
          let detail =
            index < min(t.values.count, u.values.count)
            ? "element \(index): \(t.values[index]) ≠ \(u.values[index])" : "shapes \(t.shape) ≠ \(u.shape)"
          return Divergence(step: s, what: "tensor \(t.name)", detail: detail)
        }
      }
    }
    return nil
  }
}
