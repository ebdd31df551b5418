import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutConfig
import Testing

@testable import SproutRun

/// Checkpoints and the store layout, on real files.
struct StoreTests {
  let stamp = Checkpoint.Stamp(specHash: "abc123", toolVersion: "0.1.0", backend: "cpu")

  func checkpoint(step: Int) -> Checkpoint {
    Checkpoint(
      tensors: [
        NamedTensor(name: "layers.0.weight", shape: [2, 2], values: [1, 2, 3, Float(step)]),
        NamedTensor(name: "optimizer.layers.0.weight.momentum", shape: [2, 2], values: [0, 0.5, -0.5, 1e-30]),
      ],
      step: step, epoch: 1, batchCursor: 3, streams: ["data": 17, "dropout": UInt64.max], state: ["lr": "0.05"],
      metricRecords: 4, stamp: stamp)
  }

  @Test func checkpointRoundTripsThroughAFile() throws {
    let dir = TemporaryDirectory()
    let path = "\(dir.path)/\(Checkpoint.fileName(step: 200))"
    #expect(path.hasSuffix("/step-000200.safetensors"))
    try checkpoint(step: 200).write(to: path)
    let back = try Checkpoint.read(path)
    #expect(back == checkpoint(step: 200))
    #expect(Checkpoint.step(fromFileName: "step-000200.safetensors") == 200)
    #expect(Checkpoint.step(fromFileName: "step-1234567.safetensors") == 1_234_567)
    #expect(Checkpoint.step(fromFileName: ".step-000200.safetensors.tmp-1-1") == nil)
  }

  @Test func storeLayoutAndCompleteness() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/.sprout/")
    let hash = "0123abcd"
    let record = TaskRecord(
      hash: hash, definition: .object(["kind": .string("train")]), inputHashes: ["t0000/data": "ff"], seed: 3,
      backend: "cpu")
    try store.prepareTask(hash: hash, record: record)
    #expect(store.taskRecord(hash) == record)
    #expect(!store.isComplete(hash))
    try checkpoint(step: 0).write(to: store.checkpointPath(hash, step: 0))
    try checkpoint(step: 10).write(to: store.checkpointPath(hash, step: 10))
    #expect(store.checkpointSteps(hash) == [0, 10])
    let records = [
      MetricRecord(step: 0, scalars: ["loss": 1.5]),
      MetricRecord(
        step: 10, values: ["loss": .double(Double(Float(0.1))), "spectrum": .array([.double(1), .double(2)])]),
    ]
    try store.writeMetrics(records, hash: hash)
    #expect(try store.metrics(hash) == records)
    let firstLine = String(decoding: store.metricsBytes(hash), as: UTF8.self).split(separator: "\n")[0]
    #expect(firstLine == #"{"loss":1.5,"step":0}"#)
    let outputs = TaskOutputs(
      hash: hash, kind: "train", steps: 10, finalMetrics: ["loss": .double(0.1)],
      outputHashes: ["metrics.jsonl": TaskOutputs.hash(of: store.metricsBytes(hash))],
      checkpoints: ["step-000000.safetensors", "step-000010.safetensors"], finalCheckpoint: "step-000010.safetensors",
      seconds: 0.5)
    try store.writeOutputs(outputs)
    #expect(store.isComplete(hash))
    #expect(try store.outputs(hash) == outputs)
    #expect(
      dir.contents(".sprout/tasks/\(hash)") == [
        "metrics.jsonl", "outputs.json", "step-000000.safetensors", "step-000010.safetensors", "task.json",
      ])
    try store.reset(hash)
    #expect(!store.isComplete(hash))
    #expect(dir.contents(".sprout/tasks/\(hash)") == ["task.json"])
  }

  @Test func corruptStoreFilesAreTypedErrors() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    try store.prepareTask(
      hash: "h", record: TaskRecord(hash: "h", definition: .null, inputHashes: [:], seed: 0, backend: "cpu"))
    try AtomicFile.write("{\"hash\": 1", to: store.outputsPath("h"))
    #expect(!store.isComplete("h"))
    let error = #expect(throws: RunError.self) { try store.outputs("h") }
    #expect(error?.code == .corruptStore)
    try AtomicFile.write("{\"step\":0}\nnot json\n", to: store.metricsPath("h"))
    let metricsError = #expect(throws: RunError.self) { try store.metrics("h") }
    #expect(metricsError?.message.contains("line 2") == true)
  }

  @Test func manifestsRoundTripAndResolveIds() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    #expect(throws: RunError.self) { try store.manifest("latest") }
    let manifest = RunManifest(
      runID: "20261129-150000-00aa", specPath: "spec.yaml", specText: "sprout: 1\n", plan: .object([:]),
      toolVersion: "0.1.0", backend: "cpu", jobs: 2, machine: ["cpus": .int(2)], started: "2026-11-29T15:00:00Z",
      seconds: 1.25,
      tasks: [
        .init(
          key: "t0000/train", hash: "h", trial: "t0000", stage: "train", kind: "train", status: "completed",
          checkpoints: ["tasks/h/step-000000.safetensors"], metrics: "tasks/h/metrics.jsonl", seconds: 1)
      ])
    try store.writeManifest(manifest)
    #expect(try store.manifest("latest") == manifest)
    #expect(try store.manifest("20261129-1500") == manifest)
    let error = #expect(throws: RunError.self) { try store.manifest("nope") }
    #expect(error?.code == .unknownRun)
    // The progress snapshots' bytes, with the plan rendered once, are the manifest's pretty text exactly.
    var planned = manifest
    planned.plan = .object([
      "tasks": .array([.object(["hash": .string("h"), "config": .object(["lr": .double(0.01)])])]),
      "rootSeed": .int(7), "overrides": .array([]),
    ])
    let text = Array((planned.json.pretty() + "\n").utf8)
    #expect(planned.prettyBytes() == text)
    #expect(planned.prettyBytes(planText: planned.prettyPlan()) == text)
    #expect(manifest.prettyBytes(planText: manifest.prettyPlan()) == Array((manifest.json.pretty() + "\n").utf8))
    #expect(Store.newRunID().count == 24)
    #expect(Store.newRunID(date: Date(timeIntervalSince1970: 0)).hasPrefix("19700101-000000.000-"))
  }
}

/// The planner's view of the store.
@Test func storeViewAnswersThePlanner() throws {
  let dir = TemporaryDirectory()
  let store = Store(root: dir.path)
  let view: any StoreView = store.view(experiment: "demo")
  #expect(!view.hasOutputs(hash: "h1"))
  #expect(view.lastRecord(taskKey: "t0001/train") == nil)
  let record = TaskRecord(
    hash: "h1", definition: .object(["lr": .double(0.1)]), inputHashes: [:], seed: 1, backend: "cpu")
  try store.prepareTask(hash: "h1", record: record)
  #expect(!view.hasOutputs(hash: "h1"), "a prepared task is not complete")
  try store.writeOutputs(
    TaskOutputs(hash: "h1", kind: "train", steps: 1, finalMetrics: [:], outputHashes: [:], seconds: 0))
  try store.writeRecord(record, experiment: "demo", taskKey: "t0001/train")
  #expect(view.hasOutputs(hash: "h1"))
  #expect(view.lastRecord(taskKey: "t0001/train") == record)
  #expect(store.view(experiment: "other").lastRecord(taskKey: "t0001/train") == nil)
}

/// Run errors render as diagnostics at the stage's range.
@Test func runErrorsAreDiagnostics() throws {
  let range = SourceRange(
    file: "spec.yaml", start: SourceLocation(line: 4, column: 3), end: SourceLocation(line: 4, column: 8))
  let error = RunError(.resumeMismatch, "backend changed from cpu to blas", range: range, path: "x.safetensors")
  let d = try #require(error.diagnostic)
  #expect(d.id.rawValue == "run.resume-mismatch")
  #expect(d.range == range)
  #expect(d.help?.contains("--force") == true)
  #expect(DiagnosticCatalog.entry(for: "run.non-finite-loss")?.severity == .error)
  #expect(RunError(.io, "x").diagnostic == nil)
  #expect(error.description == "spec.yaml:4:3: error: backend changed from cpu to blas [run.resume-mismatch]")
}

/// Temporaries of killed writers are cleared when a task is prepared.
@Test func preparingATaskClearsTemporaries() throws {
  let dir = TemporaryDirectory()
  let store = Store(root: dir.path)
  try AtomicFile.makeDirectory(store.taskDirectory("h"))
  try AtomicFile.write("x", to: "\(store.taskDirectory("h"))/.outputs.json.tmp-99-1")
  try store.prepareTask(
    hash: "h", record: TaskRecord(hash: "h", definition: .null, inputHashes: [:], seed: 0, backend: "cpu"))
  #expect(dir.contents("tasks/h") == ["task.json"])
}

/// Durability per task (docs/store.md): a task's files are written without an fsync each, and the commit makes
/// them durable in one sync before outputs.json appears.
struct TaskCommitTests {
  /// Counts the calls the commit makes; fails the sync when asked to.
  final class Counter: @unchecked Sendable {
    // @unchecked Sendable: used from one test's thread only.
    var fsyncs = 0
    var syncfs = 0
    var renames: [String] = []
    var failSync = false

    var calls: AtomicFile.Calls {
      var calls = AtomicFile.Calls()
      calls.fsync = { fd in
        self.fsyncs += 1
        if self.failSync {
          errno = EIO
          return -1
        }
        return AtomicFile.Calls.system.fsync(fd)
      }
      calls.syncfs = { fd in
        self.syncfs += 1
        if self.failSync {
          errno = EIO
          return -1
        }
        return AtomicFile.Calls.system.syncfs(fd)
      }
      calls.rename = { from, to in
        self.renames.append(String(to.split(separator: "/").last ?? ""))
        return AtomicFile.Calls.system.rename(from, to)
      }
      return calls
    }
  }

  func outputs(_ hash: String) -> TaskOutputs {
    TaskOutputs(
      hash: hash, kind: "train", steps: 1, finalMetrics: [:], outputHashes: [:], checkpoints: [],
      finalCheckpoint: nil, seconds: 0)
  }

  let record = TaskRecord(hash: "h", definition: .null, inputHashes: [:], seed: 0, backend: "cpu")

  @Test func deferredWritesSkipTheFsyncAndStayAtomic() throws {
    let dir = TemporaryDirectory()
    let counter = Counter()
    try AtomicFile.write([1, 2, 3], to: "\(dir.path)/a", durability: .deferred, calls: counter.calls)
    #expect(counter.fsyncs == 0)
    try AtomicFile.write([4, 5], to: "\(dir.path)/a", durability: .now, calls: counter.calls)
    #expect(counter.fsyncs == 1, "the file's own fsync (its directory's is not an injectable call)")
    #expect(try AtomicFile.read("\(dir.path)/a") == [4, 5])
    #expect(dir.contents() == ["a"])
  }

  @Test func commitSyncsOnceThenRenamesOutputsThenTheKeyRecord() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    try store.prepareTask(hash: "h", record: record)
    try store.writeMetrics([MetricRecord(step: 0, scalars: ["loss": 1])], hash: "h", durability: .deferred)
    let counter = Counter()
    try store.commitTask(outputs("h"), keyRecord: (record, "exp", "t0000/train"), calls: counter.calls)
    #if os(Linux)
      #expect(counter.syncfs == 1 && counter.fsyncs == 0, "one syncfs covers every file of the task")
    #else
      #expect(counter.fsyncs == 4, "task.json, metrics.jsonl, the two temporaries (the directory's is not counted)")
    #endif
    #expect(
      counter.renames == ["outputs.json", "t0000.train.json"], "the commit first, the descriptive key record after")
    #expect(store.isComplete("h"))
    #expect(store.record(experiment: "exp", taskKey: "t0000/train") == record)
    #expect(dir.contents("tasks/h") == ["metrics.jsonl", "outputs.json", "task.json"])
    #expect(dir.contents("keys/exp") == ["t0000.train.json"])
  }

  @Test func aGroupOfCommitsSharesOneSync() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    var staged: [Store.StagedCommit] = []
    let counter = Counter()
    for (hash, trial) in [("a", "t0000"), ("b", "t0001")] {
      let text = try store.prepareTask(hash: hash, record: record)
      staged.append(
        try store.stageCommit(outputs(hash), keyRecord: ("exp", "\(trial)/train", text, true), calls: counter.calls))
    }
    #expect(!store.isComplete("a") && !store.isComplete("b"), "staged is not committed")
    let errors = store.publish(staged, calls: counter.calls)
    #expect(errors.allSatisfy { $0 == nil })
    #if os(Linux)
      #expect(
        counter.syncfs == 2 && counter.fsyncs == 0,
        "one syncfs covers both tasks' files, one more both renames (not an fsync of each task folder)")
    #endif
    #expect(counter.renames == ["outputs.json", "outputs.json", "t0000.train.json", "t0001.train.json"])
    #expect(store.isComplete("a") && store.isComplete("b"))
    #expect(store.record(experiment: "exp", taskKey: "t0001/train") == record)
    #expect(dir.contents("tasks/a") == ["outputs.json", "task.json"])
    // The key records are second names of the tasks' task.json: no file of their own.
    #expect(dir.contents("keys/exp") == ["t0000.train.json", "t0001.train.json"])
    var key = stat(), task = stat()
    #expect(stat("\(dir.path)/keys/exp/t0000.train.json", &key) == 0)
    #expect(stat("\(dir.path)/tasks/a/task.json", &task) == 0)
    #expect(key.st_ino == task.st_ino && key.st_nlink == 2)
  }

  @Test func keyRecordsOfOlderStoresAreStillRead() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    // The layout before: one folder per trial.
    try AtomicFile.makeDirectory("\(dir.path)/keys/exp/t0007")
    try AtomicFile.write(try Store.encodeJSON(record), to: "\(dir.path)/keys/exp/t0007/train.json")
    #expect(store.record(experiment: "exp", taskKey: "t0007/train") == record)
    try store.writeRecord(record, experiment: "exp", taskKey: "t0008/train")
    #expect(dir.contents("keys/exp") == ["t0007", "t0008.train.json"])
    let view = store.listedView(experiment: "exp")
    #expect(view.trials == ["t0007", "t0008"])
    #expect(view.lastRecord(taskKey: "t0007/train") == record && view.lastRecord(taskKey: "t0008/train") == record)
    #expect(view.lastRecord(taskKey: "t0009/train") == nil)
  }

  @Test func aFailedGroupSyncFailsEveryCommitOfTheGroup() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let counter = Counter()
    counter.failSync = true
    var staged: [Store.StagedCommit] = []
    for hash in ["a", "b"] {
      try store.prepareTask(hash: hash, record: record)
      staged.append(try store.stageCommit(outputs(hash), keyRecord: nil, calls: counter.calls))
    }
    let errors = store.publish(staged, calls: counter.calls)
    #expect(errors.count == 2 && errors.allSatisfy { $0?.code == .io })
    #expect(counter.renames.isEmpty)
    #expect(dir.contents("tasks/a") == ["task.json"] && dir.contents("tasks/b") == ["task.json"])
  }

  @Test func aFailedSyncCommitsNothingAndLeavesNoTemporary() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    try store.prepareTask(hash: "h", record: record)
    let counter = Counter()
    counter.failSync = true
    let error = #expect(throws: RunError.self) {
      try store.commitTask(outputs("h"), keyRecord: (record, "exp", "t0000/train"), calls: counter.calls)
    }
    #expect(error?.code == .io)
    #expect((error?.cause as? SystemCallError)?.errno == EIO)
    #expect(counter.renames.isEmpty)
    #expect(!store.isComplete("h"))
    #expect(dir.contents("tasks/h") == ["task.json"])
    #expect(dir.contents("keys/exp").isEmpty)
  }
}
