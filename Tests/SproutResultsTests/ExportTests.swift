import Foundation
import SproutDiagnostics
import SproutResults
import SproutRun
import Testing

/// The exports, read back by the tools they are for: TensorBoard's EventAccumulator, pandas and polars (from
/// the test venv), each checked against the store's metrics.jsonl read by Python's json module.
@Suite("exports read by TensorBoard, pandas and polars")
struct ExportTests {
  static func script(_ name: String) -> String {
    Fixtures.root.appendingPathComponent("Tests/SproutResultsTests/Python/\(name)").path
  }

  @Test func tensorBoardReadsEveryScalarAndTheHParams() throws {
    let dir = Fixtures.directory("export")
    let runID = try Fixtures.run(in: dir)
    let run = try RunResults.load(runID, store: Fixtures.store(dir))
    let summary = try TensorBoardExport.write(run, to: "\(dir)/tb")
    #expect(summary.runs == 7)  // 6 trials and the select task's "all"
    let r = try Fixtures.exec(try Fixtures.python, [Self.script("check_tensorboard.py"), "\(dir)/.sprout", runID, "\(dir)/tb"])
    #expect(r.status == 0, "\(r.out)\(r.err.suffix(3000))")
    #expect(r.out.contains("ok: 7 runs, \(summary.scalars) scalars"), "\(r.out)")
  }

  /// `tensorboard: true` on a train stage: while training, each trial's records go to a TensorBoard run under
  /// `<store>/tensorboard/<run id>/`, which TensorBoard reads back equal to metrics.jsonl; the task's numbers and
  /// outputs are those of the same stage without it.
  @Test func trainingWritesTensorBoardLogsWhenAsked() throws {
    let dir = Fixtures.directory("export")
    let spec = Fixtures.spec.replacingOccurrences(of: "    every: 10\n", with: "    every: 10\n    tensorboard: true\n")
    try #require(spec != Fixtures.spec)
    let runID = try Fixtures.run(spec, in: dir)
    let r = try Fixtures.exec(try Fixtures.python, [Self.script("check_tensorboard_live.py"), "\(dir)/.sprout", runID, "train"])
    #expect(r.status == 0, "\(r.out)\(r.err.suffix(3000))")
    // 6 trials × 7 records (steps 0, 10, …, 60) × (loss, accuracy, and weight_change of 2 layers).
    #expect(r.out.contains("ok: 6 runs, 168 scalars"), "\(r.out)")
    // Without the option nothing is written there, and the metrics are the same bytes.
    let plain = Fixtures.directory("export")
    let plainRun = try Fixtures.run(in: plain)
    #expect(!FileManager.default.fileExists(atPath: "\(plain)/.sprout/tensorboard"))
    let a = try RunResults.load(runID, store: Fixtures.store(dir)), b = try RunResults.load(plainRun, store: Fixtures.store(plain))
    let trainA = a.tasks.filter { $0.stage == "train" }, trainB = b.tasks.filter { $0.stage == "train" }
    #expect(trainA.map { $0.outputs?.outputHashes["metrics.jsonl"] } == trainB.map { $0.outputs?.outputHashes["metrics.jsonl"] })
  }

  /// Per-record writing (as a `tensorboard: true` stage does while training) reads back the same.
  @Test func writerAppendsRecordByRecord() throws {
    let dir = Fixtures.directory("export")
    let writer = try TensorBoardWriter(root: dir, name: "init=a", hparams: [AxisAssignment(axis: "init", value: "a")])
    for step in 0..<5 {
      try writer.add(MetricRecord(step: step * 10, values: ["loss": .double(1 / Double(step + 1)), "w": ["l0": .double(Double(step))]]), stage: "train")
    }
    try writer.finish(success: true)
    let check = """
      import sys
      from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
      a = EventAccumulator(sys.argv[1]); a.Reload()
      print(sorted(a.Tags()["scalars"]), [(e.step, round(e.value, 6)) for e in a.Scalars("train/loss")])
      """
    let r = try Fixtures.exec(try Fixtures.python, ["-c", check, writer.directory])
    #expect(r.status == 0, "\(r.err.suffix(2000))")
    #expect(r.out.contains("['train/loss', 'train/w/l0'] [(0, 1.0), (10, 0.5), (20, 0.333333), (30, 0.25), (40, 0.2)]"), "\(r.out)")
  }

  @Test func pandasAndPolarsReadTheTidyCSVWithNumericDtypes() throws {
    let dir = Fixtures.directory("export")
    let runID = try Fixtures.run(in: dir)
    let run = try RunResults.load(runID, store: Fixtures.store(dir))
    try ExportFiles.writeCSV(run, stage: nil, to: "\(dir)/run.csv")
    let r = try Fixtures.exec(try Fixtures.python, [Self.script("check_csv.py"), "\(dir)/.sprout", runID, "\(dir)/run.csv"])
    #expect(r.status == 0, "\(r.out)\(r.err.suffix(3000))")
    #expect(r.out.hasPrefix("ok: "), "\(r.out)")
  }

  /// A diverged trial's NaN and infinity keep `value` a float column in both readers.
  @Test func nonFiniteValuesKeepTheColumnNumeric() throws {
    let dir = Fixtures.directory("export")
    let store = Fixtures.store(dir)
    try Fixtures.syntheticRun(
      store: store, runID: "20261129-151002.123-cccc",
      trials: [("a", 0, .string("NaN")), ("a", 1, .double(0.5)), ("b", 0, .string("Infinity")), ("b", 1, .string("-Infinity"))])
    let run = try RunResults.load("latest", store: store)
    try ExportFiles.writeCSV(run, stage: nil, to: "\(dir)/run.csv")
    let r = try Fixtures.exec(try Fixtures.python, [Self.script("check_csv.py"), "\(dir)/.sprout", run.runID, "\(dir)/run.csv"])
    #expect(r.status == 0, "\(r.out)\(r.err.suffix(3000))")
    #expect(r.out.contains("3 non-finite"), "\(r.out)")
  }
}

/// A completed task whose metrics file is corrupt fails the CSV export and the figures, naming the file, instead
/// of leaving that task's rows or curve out (an export that silently drops data misreports the run).
@Suite struct CorruptMetricsTests {
  @Test func corruptMetricsFailTheExportAndTheFigures() throws {
    let dir = Fixtures.directory("export")
    let store = Fixtures.store(dir)
    try Fixtures.syntheticRun(
      store: store, runID: "20261129-151002.123-dddd", trials: [("a", 0, .double(1)), ("b", 0, .double(0.5))])
    let run = try RunResults.load("latest", store: store)
    let task = try #require(run.tasks.first { $0.outputs != nil })
    _ = try TidyCSV.text(run)  // intact: exports
    try Data("{\"step\": 0, \"loss\": 1}\nnot a record\n".utf8).write(to: URL(fileURLWithPath: store.metricsPath(task.hash)))
    #expect { _ = try TidyCSV.text(run) } throws: { "\($0)".contains("metrics.jsonl' line 2 is not a metric record") }
    #expect { _ = try Figures(run: run) } throws: { "\($0)".contains("line 2 is not a metric record") }
  }
}
