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
    /// The file where it shows, relative to the store root (`tasks/<hash>/step-000008.safetensors`).
    public var file: String?

    /// `what` of a divergence that is a whole file (missing, or failing its checksum).
    public static let wholeFile = "file"

    /// Creates a divergence.
    public init(step: Int?, what: String, detail: String, file: String? = nil) {
      self.step = step
      self.what = what
      self.detail = detail
      self.file = file
    }
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
    /// What ``Verification`` found wrong with the recorded task's files.
    public var damage: [Verification.Problem] = []
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
    /// Whether the scratch store was kept (`--keep`) or removed after the comparison.
    public var scratchKept = true

    /// True when every task matches.
    public var allMatch: Bool { tasks.allSatisfy(\.matches) }
    /// The first task that differs, in plan order.
    public var firstMismatch: TaskComparison? { tasks.first { !$0.matches } }
  }

  /// Verifies run `runID` of `store` (``Verification``), replays it into `scratch` (which should be empty) and
  /// compares every task: a damaged file of the recorded run is a difference even when the replay agrees with
  /// what was recorded.
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

  /// Compares every task of `manifest` between two stores, after verifying the original's files.
  public static func compare(manifest: RunManifest, original: Store, replay: Store) -> Report {
    Report(
      runID: manifest.runID, scratch: replay.root,
      tasks: manifest.tasks.map { entry in
        let damage =
          entry.status == "completed" || entry.status == "cached"
          ? Verification.task(entry, store: original).problems : []
        return compare(key: entry.key, hash: entry.hash, original: original, replay: replay, damage: damage)
      })
  }

  /// Compares one task's outputs — outputs.json field by field, metrics.jsonl line by line, every checkpoint
  /// tensor by tensor — and names the first divergence. `damage` (what verifying the original's files found) makes
  /// the task differ even when the replay agrees with what was recorded.
  public static func compare(
    key: String, hash: String, original: Store, replay: Store, damage: [Verification.Problem] = []
  ) -> TaskComparison {
    var result = TaskComparison(
      key: key, hash: hash, matches: false, differingOutputs: [], divergence: nil, problem: nil, damage: damage)
    let damaged = damage.first.map {
      Divergence(step: $0.step, what: $0.item ?? Divergence.wholeFile, detail: $0.message, file: $0.file)
    }
    result.divergence = damaged
    let a: TaskOutputs?
    do { a = try original.outputs(hash) } catch { a = nil }
    guard let a else {
      result.problem = "the recorded run has no complete outputs for \(key)"
      return result
    }
    guard let b = try? replay.outputs(hash) else {
      result.problem = "the rerun did not complete \(key)"
      return result
    }
    // Recorded hashes, replaced by the files as they are now: a file changed or deleted after the run differs.
    var hashesA = a.outputHashes
    if AtomicFile.exists(original.metricsPath(hash)) {
      hashesA["metrics.jsonl"] = TaskOutputs.hash(of: original.metricsBytes(hash))
    } else if hashesA["metrics.jsonl"] != nil {
      hashesA["metrics.jsonl"] = "absent"
    }
    let names = Set(hashesA.keys).union(b.outputHashes.keys).sorted()
    result.differingOutputs = names.filter { hashesA[$0] != b.outputHashes[$0] } + recordDifferences(a, b)
    let found = firstDivergence(hash: hash, original: original, replay: replay)
    result.matches = result.differingOutputs.isEmpty && found == nil && damage.isEmpty
    if !result.matches {
      // The comparison names the most precise place (a step, a metric, a tensor); a damaged file it could not see
      // (one the replay does not write the same way) is named as verification found it.
      let outputsFile = "tasks/\(hash)/outputs.json"
      result.divergence =
        found ?? damaged
        ?? result.differingOutputs.first.map { name in
          guard hashesA[name] != nil || b.outputHashes[name] != nil else {
            return Divergence(
              step: nil, what: "outputs.json \(name)", detail: "the recorded value ≠ the rerun's", file: outputsFile)
          }
          return Divergence(
            step: nil, what: "output \(name)",
            detail: "\(hashesA[name] ?? "absent") ≠ \(b.outputHashes[name] ?? "absent")", file: outputsFile)
        }
    }
    return result
  }

  /// The fields of outputs.json other than the hashes and the wall time that differ: `steps`, `final_metrics`,
  /// `checkpoints`, `final_checkpoint`, `extra`, `kind`.
  static func recordDifferences(_ a: TaskOutputs, _ b: TaskOutputs) -> [String] {
    var out: [String] = []
    if a.kind != b.kind { out.append("kind") }
    if a.steps != b.steps { out.append("steps") }
    if a.finalMetrics != b.finalMetrics { out.append("final_metrics") }
    if a.checkpoints != b.checkpoints { out.append("checkpoints") }
    if a.finalCheckpoint != b.finalCheckpoint { out.append("final_checkpoint") }
    if a.extra != b.extra { out.append("extra") }
    return out
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
    let (hasA, hasB) = (AtomicFile.exists(original.metricsPath(hash)), AtomicFile.exists(replay.metricsPath(hash)))
    if hasA != hasB {
      return Divergence(
        step: nil, what: Divergence.wholeFile, detail: "missing from \(hasA ? "the rerun" : "the recorded run")",
        file: "tasks/\(hash)/metrics.jsonl")
    }
    let linesA = String(decoding: original.metricsBytes(hash), as: UTF8.self).split(separator: "\n").map(String.init)
    let linesB = String(decoding: replay.metricsBytes(hash), as: UTF8.self).split(separator: "\n").map(String.init)
    for i in 0..<max(linesA.count, linesB.count) {
      let la = i < linesA.count ? linesA[i] : nil
      let lb = i < linesB.count ? linesB[i] : nil
      if la == lb { continue }
      let ra = la.flatMap(MetricRecord.init(line:))
      let rb = lb.flatMap(MetricRecord.init(line:))
      let step = ra?.step ?? rb?.step
      let file = "tasks/\(hash)/metrics.jsonl"
      guard let ra, let rb else {
        return Divergence(
          step: step, what: "metrics.jsonl line \(i + 1)",
          detail: "\(la ?? "(missing)") ≠ \(lb ?? "(missing)")", file: file)
      }
      if ra.step != rb.step {
        return Divergence(
          step: min(ra.step, rb.step), what: "metrics.jsonl line \(i + 1)", detail: "step \(ra.step) ≠ \(rb.step)",
          file: file)
      }
      for name in Set(ra.values.keys).union(rb.values.keys).sorted() where ra.values[name] != rb.values[name] {
        return Divergence(
          step: ra.step, what: "metric \(name)",
          detail: "\(ra.values[name]?.canonical ?? "absent") ≠ \(rb.values[name]?.canonical ?? "absent")", file: file)
      }
    }
    return nil
  }

  /// Compares every checkpoint either store holds, in step order, tensor by tensor and then the training state;
  /// a checkpoint one store lacks or cannot read is a divergence at its step.
  static func firstCheckpointDivergence(hash: String, original: Store, replay: Store) -> Divergence? {
    let stepsA = Set(original.checkpointSteps(hash))
    let stepsB = Set(replay.checkpointSteps(hash))
    for s in stepsA.union(stepsB).sorted() {
      let file = "tasks/\(hash)/\(Checkpoint.fileName(step: s))"
      guard stepsA.contains(s), stepsB.contains(s) else {
        let missing = stepsA.contains(s) ? "the rerun" : "the recorded run"
        return Divergence(step: s, what: "checkpoint", detail: "missing from \(missing)", file: file)
      }
      let a: Checkpoint
      let b: Checkpoint
      do { a = try Checkpoint.read(original.checkpointPath(hash, step: s)) } catch {
        return Divergence(step: s, what: "checkpoint", detail: "the recorded one: \(Verification.reason(error))", file: file)
      }
      do { b = try Checkpoint.read(replay.checkpointPath(hash, step: s)) } catch {
        return Divergence(step: s, what: "checkpoint", detail: "the rerun's: \(Verification.reason(error))", file: file)
      }
      if let d = tensorDivergence(a, b, step: s, file: file) { return d }
      let stateA = [a.step, a.epoch, a.batchCursor, a.metricRecords]
      let stateB = [b.step, b.epoch, b.batchCursor, b.metricRecords]
      if stateA != stateB || a.counters != b.counters || a.streams != b.streams || a.state != b.state {
        return Divergence(
          step: s, what: "checkpoint training state",
          detail: "step/epoch/cursor/records \(stateA) ≠ \(stateB)", file: file)
      }
    }
    return nil
  }

  /// The first tensor (in the recorded checkpoint's order, then the rerun's extras) whose bits differ.
  static func tensorDivergence(_ a: Checkpoint, _ b: Checkpoint, step s: Int, file: String) -> Divergence? {
    let tb = Dictionary(b.tensors.map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
    let namesA = Set(a.tensors.map(\.name))
    for t in a.tensors {
      guard let u = tb[t.name] else {
        return Divergence(step: s, what: "tensor \(t.name)", detail: "absent from the rerun's checkpoint", file: file)
      }
      if !t.bitEqual(u) {
        let (va, vb) = (t.values, u.values)
        let index = (0..<min(va.count, vb.count)).first { va[$0].bitPattern != vb[$0].bitPattern }
        let detail: String
        if t.shape != u.shape {
          detail = "shapes \(t.shape) ≠ \(u.shape)"
        } else if let i = index {
          detail = "element \(i): \(va[i]) ≠ \(vb[i])"
        } else {
          detail = "dtypes \(t.dtype) ≠ \(u.dtype)"
        }
        return Divergence(step: s, what: "tensor \(t.name)", detail: detail, file: file)
      }
    }
    if let extra = b.tensors.first(where: { !namesA.contains($0.name) }) {
      return Divergence(
        step: s, what: "tensor \(extra.name)", detail: "absent from the recorded checkpoint", file: file)
    }
    return nil
  }
}
