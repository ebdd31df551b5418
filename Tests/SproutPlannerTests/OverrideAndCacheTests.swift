import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

@Suite struct OverrideTests {
  @Test func overridesChangeValuesLikeTheFile() throws {
    let base = try #require(planText(richVsLazy).0)
    let lr = try #require(planText(richVsLazy, overrides: ["params.lr=0.1"]).0)
    #expect(lr.task("t0000/train")?.definition["kind"]?["train"]?["training"]?["optimizer"]?["lr"] == .double(0.1))
    #expect(lr.overrides == ["params.lr=0.1"])
    #expect(lr.task("t0000/train")?.hash != base.task("t0000/train")?.hash)
    let blas = try #require(planText(richVsLazy, overrides: ["backend=blas"]).0)
    #expect(blas.backend == "blas")
    #expect(blas.task("t0000/train")?.hash != base.task("t0000/train")?.hash)
    let steps = try #require(planText(richVsLazy, overrides: ["stages.test.batch=5"]).0)
    #expect(steps.task("t0000/test")?.definition["kind"]?["evaluate"]?["batch"] == .int(5))
    #expect(steps.task("t0000/train")?.hash == base.task("t0000/train")?.hash)
    let seeded = try #require(planText(richVsLazy, overrides: ["seed=3"]).0)
    #expect(seeded.rootSeed == 3)
  }

  @Test func wrongTypesAreReportedOnTheCommandLine() throws {
    let (plan, d) = planText(richVsLazy, overrides: ["params.lr=0.1", "stages.train.epochs=five"])
    #expect(plan == nil)
    let e = try #require(d.all.first { $0.severity == .error })
    #expect(e.range.file == "<command line>")
    #expect(e.range.start.line == 2)
    #expect(e.range.start.column == 21)
    #expect(e.range.end.column == 25)
  }

  @Test func unknownKeysAreReportedWithSuggestions() throws {
    let (_, d1) = planText(richVsLazy, overrides: ["params.lrr=0.1"])
    #expect(d1.all.map(\.id) == [PlanDiagnostics.unknownOverrideKey])
    #expect(d1.all[0].range.start.column == 8 && d1.all[0].range.end.column == 11)
    #expect(d1.all[0].help == "did you mean 'lr'?")
    let (_, d2) = planText(richVsLazy, overrides: ["stages.trian.epochs=1"])
    #expect(d2.all.map(\.id) == [PlanDiagnostics.unknownOverrideKey])
    #expect(d2.all[0].help == "did you mean 'train'?")
    let (_, d3) = planText(richVsLazy, overrides: ["stages.train.epocs=1"])
    #expect(d3.all.first { $0.severity == .error }?.id == "spec.unknown-key")
    #expect(d3.all.first { $0.severity == .error }?.range.file == "<command line>")
    let (_, d4) = planText(richVsLazy, overrides: ["epochs"])
    #expect(d4.all.map(\.id) == [PlanDiagnostics.badOverride])
  }
}

@Suite struct CacheTests {
  @Test func storedTasksAreCachedAndChangesMakeThemStale() throws {
    var store = MemoryStore()
    let first = try #require(planText(richVsLazy, store: store).0)
    #expect(first.tasks.allSatisfy { $0.state == .new && $0.reason == "never run" })
    store.run(first)
    let again = try #require(planText(richVsLazy, store: store).0)
    #expect(again.tasks.allSatisfy { $0.state == .cached })
    #expect(again.pendingTasks.isEmpty)

    let changed = try #require(
      planText(richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: 5"), store: store).0)
    let train = try #require(changed.task("t0001/train"))
    #expect(train.state == .stale)
    #expect(train.reason == "training.length.epochs: 3 → 5")
    let test = try #require(changed.task("t0001/test"))
    #expect(test.state == .stale)
    #expect(test.changes.map(\.kind) == [.input])
    #expect(test.reason.hasPrefix("upstream t0001/train changed ("))

    let explained = try #require(changed.explain("t0001/test"))
    #expect(explained.contains("stale because:\n    - upstream t0001/train changed"))
    #expect(explained.contains("reads:\n    - t0001/train (stale, "))
    #expect(changed.explain("t9999/train") == nil)

    let forced = try #require(planText(richVsLazy, store: store, force: true).0)
    #expect(forced.tasks.allSatisfy { $0.state == .stale && $0.reason == "forced (--force)" })
  }

  /// A stored record's definition is read back from JSON, where a whole double (`gain: 1.0`) is the integer 1: that
  /// is no change, while another value is.
  @Test func numbersReadBackFromTheStoreCompareByValue() throws {
    let stored = JSONValue.object(["gain": .int(1), "lr": .int(0), "units": .int(32)])
    let now = JSONValue.object(["gain": .double(1), "lr": .double(0.5), "units": .int(32)])
    #expect(TaskChange.configDifferences(stored, now).map(\.description) == ["lr: 0 → 0.5"])
    #expect(TaskChange.configDifferences(stored, stored).isEmpty)
  }

  @Test func missingOutputsAndLayerChangesAreNamed() throws {
    var store = MemoryStore()
    store.run(try #require(planText(richVsLazy).0))
    let wider = try #require(planText(richVsLazy, overrides: ["params.width=64"], store: store).0)
    let train = try #require(wider.task("t0000/train"))
    #expect(
      train.changes.map(\.description).prefix(2) == [
        "model.layers[0].dense.units: 32 → 64", "model.layers[2].dense.units: 32 → 64",
      ])
    store.outputs.removeAll()
    let gone = try #require(planText(richVsLazy, store: store).0)
    #expect(gone.task("t0000/train")?.reason == "nothing it reads changed, but its outputs are missing from the store")
  }
}

@Suite struct PlanFileTests {
  @Test func planFilesRoundTripExactly() throws {
    var store = MemoryStore()
    store.run(try #require(planText(richVsLazy).0))
    let plan = try #require(
      planText(richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: 4"), store: store).0)
    let url = URL(fileURLWithPath: NSTemporaryDirectory() + "plan-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: url) }
    try plan.save(to: url)
    let loaded = try Plan.load(from: url)
    #expect(loaded == plan)
    #expect(loaded.verifyHashes().isEmpty)
    #expect(
      loaded.spec.textHash == SHA256.hash(richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: 4")).hex)

    var tampered = plan
    tampered.tasks[0].config?.stage = "other"
    #expect(tampered.verifyHashes() == [plan.tasks[0].key])

    try Data("{\"format\": \(Plan.currentFormatVersion)}".utf8).write(to: url)
    #expect(throws: Plan.FileError.self) { try Plan.load(from: url) }
    do { _ = try Plan.load(from: url) } catch let e as Plan.FileError { #expect(e.message == "field 'spec': missing") }
  }

  @Test func codableAlsoWorks() throws {
    let plan = try #require(planText(richVsLazy).0)
    let data = try JSONEncoder().encode(plan)
    let back = try JSONDecoder().decode(Plan.self, from: data)
    #expect(back.tasks.map(\.hash) == plan.tasks.map(\.hash))
    #expect(back.tasks.map(\.key) == plan.tasks.map(\.key))
  }
}

@Suite struct MoreOverrideTests {
  @Test func aMatrixAxisCanBeReplacedByAFlowList() throws {
    let plan = try #require(planText(richVsLazy, overrides: ["matrix.seed=[5, 6]"]).0)
    #expect(plan.count.statement == "4 trials = 2 init × 2 seed")
    #expect(plan.trials.map(\.seed) == [5, 6, 5, 6])
  }

  @Test func perTrialDataShapesAreChecked() throws {
    let yaml = richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  d: [16, 8]\n")
      .replacingOccurrences(of: "inputs: 16", with: "inputs: ${matrix.d}")
    let (plan, d) = planText(yaml)
    #expect(plan == nil)
    let mismatch = d.all.filter { $0.id == "graph.input-mismatch" }
    #expect(mismatch.map(\.range.start.line) == [28, 37])
    #expect(mismatch.first?.notes.last?.message == "in trial t0001 (init=full d=8), and in 1 other trial")
  }
}
