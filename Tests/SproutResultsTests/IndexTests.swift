import Foundation
import SproutDiagnostics
import SproutResults
import SproutRun
import Testing

/// The run index (SQLite through GRDB): `sprout runs` finds runs by spec, tag, date and final metric, and a
/// rebuild from the store gives the same answers.
@Suite("run index")
struct IndexTests {
  /// Two real runs of two specs (one tagged), and two hand-written runs of last year: one with a diverged
  /// trial.
  static func store() throws -> (store: Store, tiny: String, tagged: String, other: String) {
    let dir = Fixtures.directory("index")
    let tiny = try Fixtures.run(in: dir)
    let tagged = try Fixtures.run(in: dir, overrides: ["params.lr=0.02"], tags: ["baseline", "v2"])
    let other = try Fixtures.run(
      Fixtures.spec.replacingOccurrences(of: "name: tiny", with: "name: other"), in: dir, name: "other.yaml")
    let store = Fixtures.store(dir)
    try Fixtures.syntheticRun(
      store: store, runID: "20251110-080000.000-dead", started: "2025-11-10T08:00:00Z", spec: "old",
      trials: [("a", 0, .double(0.95)), ("b", 0, .string("NaN"))], metric: "accuracy")
    try Fixtures.syntheticRun(
      store: store, runID: "20251111-080000.000-beef", started: "2025-11-11T08:00:00Z", spec: "old",
      trials: [("a", 0, .double(0.5))], metric: "accuracy")
    return (store, tiny, tagged, other)
  }

  /// Every query's answer, for comparing an updated index with a rebuilt one.
  static func answers(_ index: RunIndex, tiny: String) throws -> [String: [String]] {
    func ids(_ q: RunQuery) throws -> [String] { try index.runs(q).map(\.runID) }
    var out: [String: [String]] = [:]
    out["all"] = try ids(RunQuery())
    var q = RunQuery()
    q.spec = "tiny"
    out["spec tiny"] = try ids(q)
    q = RunQuery()
    q.spec = "other.yaml"
    out["spec file"] = try ids(q)
    q = RunQuery()
    q.tags = ["baseline"]
    out["tag"] = try ids(q)
    q = RunQuery()
    q.since = try RunQuery.since("2026-01-01")
    out["since"] = try ids(q)
    q = RunQuery()
    q.conditions = try RunQuery.conditions("accuracy > 0.9")
    out["accuracy > 0.9"] = try ids(q)
    q = RunQuery()
    q.conditions = try RunQuery.conditions("test/accuracy >= 0 and init = orthogonal")
    out["test/accuracy, init"] = try ids(q)
    return out
  }

  @Test func findsRunsBySpecTagDateAndMetricAndARebuildAgrees() throws {
    let (store, tiny, tagged, other) = try Self.store()
    let index = try RunIndex(store: store)
    try index.refresh()  // the two hand-written runs were not recorded by `run`
    let all = try index.runs(RunQuery())
    #expect(all.map(\.runID) == [other, tagged, tiny, "20251111-080000.000-beef", "20251110-080000.000-dead"])
    #expect(all.first { $0.runID == tagged }?.tags == ["baseline", "v2"])
    #expect(all.first { $0.runID == tiny }?.status == "completed")
    #expect(all.first { $0.runID == tiny }?.gitCommit == nil, "the spec lives outside any git repository")

    let a = try Self.answers(index, tiny: tiny)
    #expect(a["spec tiny"] == [tagged, tiny])
    #expect(a["spec file"] == [other])
    #expect(a["tag"] == [tagged])
    #expect(a["since"] == [other, tagged, tiny])
    // Final test accuracies of the real runs, from their outputs: > 0.9 only where some task has it.
    for id in [tiny, tagged, other] {
      let run = try RunResults.load(id, store: store)
      let best = run.tasks.compactMap { $0.finalMetrics["accuracy"]?.doubleValue }.max() ?? 0
      #expect(a["accuracy > 0.9"]!.contains(id) == (best > 0.9))
    }
    #expect(a["accuracy > 0.9"]!.contains("20251110-080000.000-dead"), "0.95 matches; the NaN trial is not compared")
    #expect(!a["accuracy > 0.9"]!.contains("20251111-080000.000-beef"))
    #expect(a["test/accuracy, init"] == [other, tagged, tiny])

    // Rebuilt from nothing, the same answers.
    try FileManager.default.removeItem(atPath: index.path)
    let rebuilt = try RunIndex(store: store)
    #expect(try rebuilt.rebuild() == 5)
    #expect(try Self.answers(rebuilt, tiny: tiny) == a)
  }

  /// A run records itself in the index when it finishes (no refresh needed), with its tags.
  @Test func runIsIndexedWhenItRecords() throws {
    let dir = Fixtures.directory("index")
    let id = try Fixtures.run(in: dir, tags: ["nightly"])
    let index = try RunIndex(store: Fixtures.store(dir))
    var q = RunQuery()
    q.tags = ["nightly"]
    #expect(try index.runs(q).map(\.runID) == [id])
  }

  /// Several processes opening a store's new index at once all see it empty; none may fail on the schema the
  /// first one made (separate connections here, as separate processes have).
  @Test func openingANewIndexConcurrentlySucceeds() throws {
    for _ in 0..<5 {
      let store = Store(root: "\(Fixtures.directory("index"))/.sprout")
      let failures = Failures()
      DispatchQueue.concurrentPerform(iterations: 6) { _ in
        do { _ = try RunIndex(store: store) } catch { failures.add("\(error)") }
      }
      #expect(failures.all.isEmpty, "\(failures.all)")
      #expect(try RunIndex(store: store).referencedHashes().isEmpty)
    }
  }

  @Test func queryParsing() throws {
    #expect(try RunQuery.conditions("accuracy>0.9") == [.init(name: "accuracy", op: ">", value: "0.9")])
    #expect(try RunQuery.conditions("loss <= 1e-3 and init == 'xavier'").map(\.op) == ["<=", "="])
    #expect(throws: ResultsError.self) { try RunQuery.conditions("accuracy") }
    let now = Date(timeIntervalSince1970: 1_000_000)
    #expect(try RunQuery.since("2d", now: now) == 1_000_000 - 2 * 86400)
    #expect(try RunQuery.since("1970-01-02") == 86400)
    #expect(throws: ResultsError.self) { try RunQuery.since("yesterday") }
  }
}

/// `sprout gc` and `sprout compare`.
@Suite("gc and compare")
struct HousekeepingTests {
  @Test func gcRemovesOnlyUnreferencedOutputsAndDeadWritersLeftovers() throws {
    let dir = Fixtures.directory("gc")
    let id = try Fixtures.run(in: dir)
    let store = Fixtures.store(dir)
    let referenced = Set(try store.manifest(id).tasks.map(\.hash))
    // An orphan task (its run's manifest is gone) and a temporary file of a writer that no longer exists.
    let orphan = String(repeating: "ab", count: 32)
    try AtomicFile.makeDirectory(store.taskDirectory(orphan))
    try Array(repeating: UInt8(7), count: 5000).write(to: "\(store.taskDirectory(orphan))/step-000000.safetensors")
    let someTask = try #require(referenced.first)
    let leftover = "\(store.taskDirectory(someTask))/.outputs.json.tmp-999999-1"
    try [UInt8](repeating: 1, count: 100).write(to: leftover)
    let live = "\(store.taskDirectory(someTask))/.outputs.json.tmp-\(getpid())-1"
    try [UInt8](repeating: 1, count: 10).write(to: live)

    let dry = try GarbageCollector.collect(store: store, dryRun: true)
    #expect(dry.unreferencedTasks == [orphan])
    #expect(dry.leftovers == ["tasks/\(someTask)/.outputs.json.tmp-999999-1"])
    #expect(dry.bytes == 5100)
    #expect(dry.text.contains("would remove") && dry.text.contains("5.0 KB"))
    #expect(FileManager.default.fileExists(atPath: store.taskDirectory(orphan)))

    let real = try GarbageCollector.collect(store: store, dryRun: false)
    #expect(real.bytes == 5100 && real.text.contains("freed"))
    #expect(!FileManager.default.fileExists(atPath: store.taskDirectory(orphan)))
    #expect(!FileManager.default.fileExists(atPath: leftover))
    #expect(FileManager.default.fileExists(atPath: live), "a live writer's temporary is kept")
    for hash in referenced { #expect(store.isComplete(hash)) }
    _ = try RunResults.load(id, store: store)
    #expect(try GarbageCollector.collect(store: store, dryRun: true).unreferencedTasks.isEmpty)
  }

  /// A `runs` folder that exists but cannot be listed is an error, never an empty list: taken for empty, every
  /// task would be unreferenced and gc would remove them all (issue 14's try? audit). Running as root, a folder
  /// cannot be made unreadable, so `runs` is a plain file here, which no one can list either.
  @Test func gcRefusesARunsFolderItCannotList() throws {
    let dir = Fixtures.directory("gc-unlistable")
    let id = try Fixtures.run(in: dir)
    let store = Fixtures.store(dir)
    let referenced = try store.manifest(id).tasks.map(\.hash)
    try FileManager.default.moveItem(atPath: "\(store.root)/runs", toPath: "\(store.root)/runs.moved")
    try [UInt8]("not a folder".utf8).write(to: "\(store.root)/runs")
    for dryRun in [true, false] {
      let error = #expect(throws: RunError.self) { try GarbageCollector.collect(store: store, dryRun: dryRun) }
      #expect(error?.code == .io && error?.message.contains("cannot list") == true, "\(String(describing: error))")
    }
    for hash in referenced { #expect(store.isComplete(hash), "gc removed task \(hash)") }
  }

  @Test func compareNamesTheChangedValueAndTheDeltas() throws {
    let dir = Fixtures.directory("compare")
    let a = try Fixtures.run(in: dir)
    let b = try Fixtures.run(in: dir, overrides: ["params.lr=0.02"])
    let store = Fixtures.store(dir)
    let ra = try RunResults.load(a, store: store, configs: true), rb = try RunResults.load(b, store: store, configs: true)
    let c = RunComparison.make(ra, rb)
    #expect(c.differences.contains { $0.what == "train: training.optimizer.lr" && $0.a == "0.05" && $0.b == "0.02" && $0.tasks == 6 })
    #expect(c.differences.contains { $0.what == "overrides (--set)" && $0.a == "(none)" })
    #expect(c.onlyA.isEmpty && c.onlyB.isEmpty)
    let pair = try #require(c.pairs.first { $0.stage == "test" && $0.label == "init=xavier seed=0" })
    let ta = try #require(ra.tasks.first { $0.key == pair.taskA }), tb = try #require(rb.tasks.first { $0.key == pair.taskB })
    let loss = try #require(pair.metrics.first { $0.name == "loss" })
    #expect(loss.a == ta.finalMetrics["loss"]?.doubleValue && loss.b == tb.finalMetrics["loss"]?.doubleValue)
    let text = c.render(.table)
    let line = try #require(text.split(separator: "\n").first { $0.contains("train: training.optimizer.lr") })
    #expect(line.contains(" 0.05 ") && line.contains(" 0.02 ") && line.hasSuffix("(6 tasks)"), "\(line)")
    #expect(text.contains("B − A"))
    // A run compared with itself: same tasks, no difference.
    let same = RunComparison.make(ra, ra)
    #expect(same.differences.isEmpty && same.pairs.allSatisfy(\.sameHash))
  }
}

extension Array where Element == UInt8 {
  func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}

/// Errors collected from several threads.
private final class Failures: @unchecked Sendable {
  // @unchecked Sendable: `items` is read and written under `lock`.
  private let lock = NSLock()
  private var items: [String] = []
  func add(_ s: String) { lock.withLock { items.append(s) } }
  var all: [String] { lock.withLock { items } }
}
