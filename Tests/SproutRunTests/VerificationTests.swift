import Foundation
import SproutPlanner
import Testing

@testable import SproutRun

/// `sprout verify` and `sprout rerun` re-read the stored files: a flipped byte in a middle or final checkpoint, a
/// deleted final checkpoint or a deleted metrics.jsonl is found and named (task, step, file), never passed.
@Suite struct VerificationTests {
  /// A completed run of ExecutorTests' plan in a fresh store, and the hash of trial 1's training task.
  static func recorded() throws -> (dir: TemporaryDirectory, store: Store, runID: String, train: String) {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/store")
    let plan = ExecutorTests.plan()
    let run = try Executor(store: store).run(plan: plan, specText: "spec text")
    #expect(run.succeeded)
    let train = try #require(plan.tasks.first { $0.key.description == "t0001/train" }).hash
    return (dir, store, run.runID, train)
  }

  static func flipByte(in path: String, at position: (Int) -> Int) throws {
    var bytes = try AtomicFile.read(path)
    bytes[position(bytes.count)] ^= 0x01
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// Verifies, then reruns into a fresh scratch store; both must name `file` of t0001/train (at `step`).
  static func expectDetected(
    _ r: (dir: TemporaryDirectory, store: Store, runID: String, train: String), file: String, step: Int?,
    message: String
  ) throws {
    let verified = try Verification.run(r.runID, store: r.store)
    #expect(!verified.ok)
    let problem = try #require(verified.problems.first)
    #expect(verified.problems.count == 1, "\(verified.problems)")
    #expect(problem.key == "t0001/train")
    #expect(problem.file == "tasks/\(r.train)/\(file)")
    #expect(problem.step == step)
    #expect(problem.message.contains(message), "\(problem.message)")
    #expect(verified.text.contains("1 problem in"))

    let report = try Rerun.run(r.runID, store: r.store, scratch: Store(root: "\(r.dir.path)/scratch"))
    #expect(!report.allMatch)
    let first = try #require(report.firstMismatch)
    #expect(first.key == "t0001/train")
    #expect(first.divergence?.file == "tasks/\(r.train)/\(file)")
    #expect(first.divergence?.step == step)
    #expect(report.tasks.filter { !$0.matches }.map(\.key) == ["t0001/train"])
    let line = try #require(report.firstDivergenceLine)
    #expect(line.hasPrefix("first divergence: task t0001/train, " + (step.map { "step \($0), " } ?? "")))
    #expect(line.contains("file tasks/\(r.train)/\(file)"))
    #expect(!report.text.contains("reproduce bit for bit"))
  }

  @Test("an intact run verifies and reruns clean")
  func intactRun() throws {
    let r = try Self.recorded()
    let verified = try Verification.run(r.runID, store: r.store)
    #expect(verified.ok, "\(verified.problems)")
    #expect(verified.tasks == 5)
    // Two training tasks: outputs, task.json, 4 checkpoints, metrics each; 3 other tasks: outputs, task, metrics.
    #expect(verified.files == 2 * 7 + 3 * 3)
    let report = try Rerun.run(r.runID, store: r.store, scratch: Store(root: "\(r.dir.path)/scratch"))
    #expect(report.allMatch, "\(report.text)")
    #expect(report.firstDivergenceLine == nil)
  }

  @Test("a flipped byte in a middle checkpoint is named at its step")
  func flippedMiddleCheckpoint() throws {
    let r = try Self.recorded()
    try Self.flipByte(in: r.store.checkpointPath(r.train, step: 4)) { $0 - 7 }
    try Self.expectDetected(r, file: "step-000004.safetensors", step: 4, message: "checksum")
  }

  @Test("a flipped byte in the final checkpoint is named at its step")
  func flippedFinalCheckpoint() throws {
    let r = try Self.recorded()
    try Self.flipByte(in: r.store.checkpointPath(r.train, step: 12)) { $0 / 2 }
    try Self.expectDetected(r, file: "step-000012.safetensors", step: 12, message: "corrupt")
  }

  @Test("a deleted final checkpoint is missing")
  func deletedFinalCheckpoint() throws {
    let r = try Self.recorded()
    try FileManager.default.removeItem(atPath: r.store.checkpointPath(r.train, step: 12))
    try Self.expectDetected(r, file: "step-000012.safetensors", step: 12, message: "missing")
  }

  @Test("a deleted metrics.jsonl is missing")
  func deletedMetrics() throws {
    let r = try Self.recorded()
    try FileManager.default.removeItem(atPath: r.store.metricsPath(r.train))
    try Self.expectDetected(r, file: "metrics.jsonl", step: nil, message: "missing")
  }

  @Test("a final checkpoint rewritten with valid checksums but another weight fails its recorded tensor hash")
  func rewrittenFinalCheckpoint() throws {
    let r = try Self.recorded()
    let path = r.store.checkpointPath(r.train, step: 12)
    var checkpoint = try Checkpoint.read(path)
    let i = try #require(checkpoint.tensors.firstIndex { $0.name == "layers.0.weight" })
    var values = checkpoint.tensors[i].values
    values[0] = values[0].nextUp
    checkpoint.tensors[i] = NamedTensor(name: "layers.0.weight", shape: checkpoint.tensors[i].shape, values: values)
    try checkpoint.write(to: path)
    let verified = try Verification.run(r.runID, store: r.store)
    #expect(verified.problems.map(\.item) == ["tensor layers.0.weight"])
    #expect(verified.problems.first?.step == 12)
    let report = try Rerun.run(r.runID, store: r.store, scratch: Store(root: "\(r.dir.path)/scratch"))
    #expect(report.firstMismatch?.divergence?.what == "tensor layers.0.weight")
  }

  @Test("a middle checkpoint that differs is a divergence even when every final output matches")
  func middleCheckpointsAreCompared() throws {
    let r = try Self.recorded()
    let replay = Store(root: "\(r.dir.path)/replay")
    _ = try Executor(store: replay).run(plan: ExecutorTests.plan(), specText: "spec text")
    let path = replay.checkpointPath(r.train, step: 4)
    var checkpoint = try Checkpoint.read(path)
    let i = try #require(checkpoint.tensors.firstIndex { $0.name == "layers.2.weight" })
    var values = checkpoint.tensors[i].values
    values[1] += 1
    checkpoint.tensors[i] = NamedTensor(name: "layers.2.weight", shape: checkpoint.tensors[i].shape, values: values)
    try checkpoint.write(to: path)
    let c = Rerun.compare(key: "t0001/train", hash: r.train, original: r.store, replay: replay)
    #expect(!c.matches)
    #expect(c.differingOutputs.isEmpty)
    #expect(c.divergence?.step == 4)
    #expect(c.divergence?.what == "tensor layers.2.weight")
    #expect(c.divergence?.file == "tasks/\(r.train)/step-000004.safetensors")
    // A checkpoint only one store holds is a divergence at its step.
    try FileManager.default.removeItem(atPath: path)
    let missing = Rerun.compare(key: "t0001/train", hash: r.train, original: r.store, replay: replay)
    #expect(missing.divergence?.step == 4)
    #expect(missing.divergence?.detail == "missing from the rerun")
  }
}

/// A write that fails fails its task: a metrics file that cannot be written is never recorded as complete.
@Suite struct FailedWriteTests {
  @Test("an evaluate task whose metrics.jsonl cannot be written fails with run.io, and its readers are skipped")
  func failedMetricsWriteFailsTheTask() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/store")
    let plan = ExecutorTests.plan()
    let test = try #require(plan.tasks.first { $0.key.description == "t0000/test" })
    // A non-empty directory where the file goes: the atomic rename onto it fails.
    try FileManager.default.createDirectory(
      atPath: "\(store.metricsPath(test.hash))/blocked", withIntermediateDirectories: true)
    let summary = try Executor(store: store).run(plan: plan, specText: "")
    let result = try #require(summary.results.first { $0.key == "t0000/test" })
    #expect(result.status == .failed)
    #expect(result.error?.code == .io, "\(String(describing: result.error))")
    #expect(result.error?.message.contains("cannot write the metrics of task t0000/test") == true)
    #expect(!store.isComplete(test.hash))
    #expect(summary.results.first { $0.key == "all/best" }?.status == .skipped)
    #expect(!summary.succeeded)
  }
}
