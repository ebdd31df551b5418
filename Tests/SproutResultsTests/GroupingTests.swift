import Foundation
import SproutDiagnostics
import SproutResults
import SproutRun
import Testing

/// `sprout show --group-by`: the numbers against an independent computation from the store's files.
@Suite("show --group-by")
struct GroupingTests {
  /// Mean and sd per initializer, computed here from each task's metrics.jsonl with Foundation's JSON reader
  /// (not Sprout's), equal those of `show --group-by init`; the 95% CI is mean ± t(0.975, n−1)·sd/√n.
  @Test func groupedMeanAndSDEqualAnIndependentComputation() throws {
    let dir = Fixtures.directory()
    let runID = try Fixtures.run(in: dir)
    let store = Fixtures.store(dir)
    let run = try RunResults.load(runID, store: store)
    let table = try ResultTable.make(run, options: ShowOptions(groupBy: ["init"]))

    // Independent: the manifest and plan as plain JSON, the last line of every metrics.jsonl.
    let manifest = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/.sprout/runs/\(runID)/manifest.json"))) as! [String: Any]
    let plan = manifest["plan"] as! [String: Any]
    var initOf: [String: String] = [:]
    for t in plan["trials"] as! [[String: Any]] {
      let assignment = t["assignment"] as! [[String: Any]]
      initOf[t["id"] as! String] = assignment.first { $0["axis"] as! String == "init" }!["value"] as? String
    }
    var values: [String: [String: [Double]]] = [:]  // stage.init → metric → values
    for task in manifest["tasks"] as! [[String: Any]] where task["kind"] as! String != "select" {
      let hash = task["hash"] as! String
      let text = try String(contentsOfFile: "\(dir)/.sprout/tasks/\(hash)/metrics.jsonl", encoding: .utf8)
      let last = text.split(separator: "\n").last!
      let record = try JSONSerialization.jsonObject(with: Data(last.utf8)) as! [String: Any]
      let key = "\(task["stage"] as! String).\(initOf[task["trial"] as! String]!)"
      for metric in ["loss", "accuracy"] {
        values[key, default: [:]][metric, default: []].append((record[metric] as! NSNumber).doubleValue)
      }
    }
    var checked = 0
    for block in table.blocks {
      for row in block.rows {
        let initName = row.group.first { $0.axis == "init" }!.value.stringValue!
        for metric in ["loss", "accuracy"] {
          let xs = values["\(block.stage).\(initName)"]![metric]!
          let mean = xs.reduce(0, +) / Double(xs.count)
          let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
          let s = try #require(row.summaries[metric])
          #expect(s.n == 3)
          #expect(abs(s.mean - mean) <= 1e-12 * max(1, abs(mean)), "\(block.stage) \(initName) \(metric) mean")
          #expect(abs(try #require(s.sd) - sd) <= 1e-12 * max(1, sd), "\(block.stage) \(initName) \(metric) sd")
          let half = 4.3027 * sd / 3.0.squareRoot()  // t(0.975, 2)
          let ci = try #require(s.ci95)
          #expect(abs(ci.low - (mean - half)) < 1e-9 && abs(ci.high - (mean + half)) < 1e-9)
          checked += 1
        }
      }
    }
    #expect(checked == 8)  // 2 stages × 2 inits × 2 metrics

    // The JSON output carries the same numbers and the CI.
    let json = try JSONValue.parse(table.render(.json))
    let stages = try #require(json["stages"].flatMap { if case .array(let a) = $0 { return a } else { return nil } })
    let rows = try #require(stages[0]["rows"].flatMap { if case .array(let a) = $0 { return a } else { return nil } })
    let row = rows[0]
    #expect(row["metrics"]?["loss"]?["ci95"] != nil)
    #expect(row["metrics"]?["loss"]?["mean"]?.doubleValue == table.blocks[0].rows[0].summaries["loss"]?.mean)
  }

  /// A diverged trial (NaN) is counted apart and never enters the mean; the table and CSV say so.
  @Test func nonFiniteValuesAreCountedApart() throws {
    let dir = Fixtures.directory()
    let store = Fixtures.store(dir)
    try Fixtures.syntheticRun(
      store: store, runID: "20261129-151002.123-aaaa",
      trials: [
        ("a", 0, .double(1.0)), ("a", 1, .double(3.0)), ("a", 2, .string("NaN")),
        ("b", 0, .double(2.0)), ("b", 1, .string("Infinity")), ("b", 2, .double(2.5)),
      ])
    let run = try RunResults.load("latest", store: store)
    let table = try ResultTable.make(run, options: ShowOptions(groupBy: ["init"], sort: "loss"))
    let rows = table.blocks[0].rows
    #expect(rows.map { $0.group[0].value.display } == ["a", "b"])  // means 2 and 2.25: NaN and inf left out
    let a = try #require(rows.first { $0.group[0].value.display == "a" }?.summaries["loss"])
    #expect(a.n == 2 && a.nonFinite == 1 && a.mean == 2.0)
    let text = table.render(.table)
    #expect(text.contains("[1 NaN/inf]"))
    #expect(text.contains("counted apart"))
    let csv = table.render(.csv)
    #expect(!csv.contains("NaN"), "CSV of show writes missing numbers as empty cells")
    #expect(csv.contains("train,a,loss,2,1,2.0,"))
  }

  /// Sorting, descending sort, best mark, unknown names.
  @Test func sortBestAndErrors() throws {
    let dir = Fixtures.directory()
    let store = Fixtures.store(dir)
    try Fixtures.syntheticRun(
      store: store, runID: "20261129-151002.123-bbbb",
      trials: [("a", 0, .double(5)), ("b", 0, .double(1)), ("c", 0, .double(3))])
    let run = try RunResults.load("latest", store: store)
    let up = try ResultTable.make(run, options: ShowOptions(groupBy: ["init"], sort: "loss"))
    #expect(up.blocks[0].rows.map { $0.group[0].value.display } == ["b", "c", "a"])
    #expect(up.blocks[0].rows[0].best)
    let down = try ResultTable.make(run, options: ShowOptions(groupBy: ["init"], sort: "-loss"))
    #expect(down.blocks[0].rows.map { $0.group[0].value.display } == ["a", "c", "b"])
    #expect(down.blocks[0].rows[0].best)
    #expect(throws: ResultsError.self) { try ResultTable.make(run, options: ShowOptions(groupBy: ["depth"])) }
    #expect(throws: ResultsError.self) { try ResultTable.make(run, options: ShowOptions(metrics: ["acc"])) }
    #expect(throws: ResultsError.self) { try ResultTable.make(run, options: ShowOptions(stage: "test")) }
  }

  /// What a select stage chose is shown with every candidate's aggregate and the values it combined, and matches
  /// the store's record: the fixture's select chooses `init` (every axis but the seed) by the mean test accuracy
  /// of its three seeds.
  @Test func selectChoiceIsShownWithItsNumbers() throws {
    let dir = Fixtures.directory()
    let runID = try Fixtures.run(in: dir)
    let run = try RunResults.load(runID, store: Fixtures.store(dir))
    let table = try ResultTable.make(run, options: ShowOptions())
    let choice = try #require(table.selections.first)
    let select = try #require(run.tasks.first { $0.kind == "select" })
    guard case .object(let recorded)? = select.outputs?.extra["chosen"] else {
      Issue.record("no extra.chosen in the select's outputs")
      return
    }
    #expect(choice.chosen.count == 1 && choice.chosen[0].group == "(all)")
    #expect(recorded["(all)"]?.stringValue == choice.chosen[0].choice)
    #expect(choice.maximize && choice.metric == "accuracy" && choice.aggregate == "mean" && choice.from == "test")
    #expect(choice.candidates.count == 2 && choice.candidates.allSatisfy { $0.values.count == 3 })
    // Each candidate's value is the mean of its seeds' test accuracies, computed here from the tasks' records,
    // and the winner has the highest mean (what mode: max and aggregate: mean mean).
    let trials = run.trialsByID
    var means: [String: Double] = [:]
    for initName in ["xavier", "orthogonal"] {
      let accuracies = run.tasks.filter { t in
        t.stage == "test" && trials[t.trial]?.values.contains { $0.axis == "init" && $0.value == .string(initName) }
          == true
      }.compactMap { $0.finalMetrics["accuracy"]?.doubleValue }
      #expect(accuracies.count == 3)
      means["init=\"\(initName)\""] = accuracies.reduce(0, +) / 3
    }
    for c in choice.candidates {
      let mean = try #require(means[c.choice], "\(c.choice) not in \(means.keys)")
      #expect(abs(c.value - mean) < 1e-12)
    }
    #expect(choice.candidates[0].value == means.values.max())
    #expect(choice.candidates[0].choice == choice.chosen[0].choice)
    let text = table.render(.table)
    #expect(text.contains("select best: chose \(choice.chosen[0].choice) by highest mean accuracy"))
    // Without a sort, the test stage's best row is the one select's metric and mode pick.
    let grouped = try ResultTable.make(run, options: ShowOptions(groupBy: ["init", "seed"]))
    let testBlock = try #require(grouped.blocks.first { $0.stage == "test" })
    #expect(testBlock.bestBy?.metric == "accuracy")
  }

  /// The t quantile against standard table values beyond the built-in table.
  @Test func studentTQuantile() {
    #expect(abs(StudentT.quantile975(degreesOfFreedom: 40) - 2.0211) < 2e-4)
    #expect(abs(StudentT.quantile975(degreesOfFreedom: 60) - 2.0003) < 2e-4)
    #expect(abs(StudentT.quantile975(degreesOfFreedom: 120) - 1.9799) < 2e-4)
  }
}
