import Foundation
import SproutDiagnostics
import Testing

/// The results commands end to end through the built `sprout`: run with tags and `--format json`, show,
/// compare, report, plot, export, runs, index, gc, rerun `--format json`; exit codes and error messages.
@Suite("results commands")
struct ResultsCommandsTests {
  @Test func everyResultsCommandWorksOnARealRun() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = CLI.root.appendingPathComponent("examples/quickstart.yaml").path
    let store = ["--store", dir.appendingPathComponent("st").path]

    let run = try CLI.run(["run", spec, "--tag", "demo", "--format", "json"] + store, in: dir)
    #expect(run.status == 0, "\(run.stderr)")
    let json = try JSONValue.parse(run.stdout)
    let runID = try #require(json["run_id"]?.stringValue)
    #expect(json["exit_code"]?.intValue == 0)
    guard case .array(let tasks)? = json["tasks"] else { Issue.record("no tasks"); return }
    #expect(tasks.count == 8 && tasks.allSatisfy { $0["status"]?.stringValue == "completed" })
    #expect(tasks.first?["final_metrics"]?["accuracy"]?.doubleValue != nil)

    let show = try CLI.run(["show", runID, "--group-by", "init", "--sort", "-accuracy"] + store, in: dir)
    #expect(show.status == 0 && show.stdout.contains("mean ± sd over seed (2 each)"), "\(show.stdout)\(show.stderr)")
    #expect(show.stdout.contains("tags: demo"))
    let csv = try CLI.run(["show", runID, "--group-by", "init", "--format", "csv", "--stage", "test"] + store, in: dir)
    #expect(csv.stdout.hasPrefix("stage,init,metric,n,non_finite,mean,sd,ci95_low,ci95_high,min,max,best\n"))
    #expect(csv.stdout.split(separator: "\n").count == 1 + 2 * 2)

    let bad = try CLI.run(["show", runID, "--group-by", "depth"] + store, in: dir)
    #expect(bad.status == 2 && bad.stderr.contains("no axis 'depth'") && bad.stderr.contains("axes: init, seed"))

    let compare = try CLI.run(["compare", runID, "latest"] + store, in: dir)
    #expect(compare.status == 0 && compare.stdout.contains("same spec values"))

    let report = try CLI.run(["report", runID, "--out", "rep"] + store, in: dir)
    #expect(report.status == 0)
    let html = try String(contentsOfFile: dir.appendingPathComponent(report.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).path, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("Learning curves"))

    let plot = try CLI.run(["plot", runID, "--metric", "loss", "-o", "loss.svg"] + store, in: dir)
    #expect(plot.status == 0)
    let svg = try String(contentsOfFile: dir.appendingPathComponent("loss.svg").path, encoding: .utf8)
    #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("prefers-color-scheme: dark"))

    let export = try CLI.run(["export", runID] + store, in: dir)
    #expect(export.stdout.hasPrefix("run,task,stage,init,seed,step,metric,value\n"))
    let tb = try CLI.run(["export", runID, "--format", "tensorboard", "--out", "tb"] + store, in: dir)
    #expect(tb.status == 0 && tb.stdout.contains("4 runs"), "\(tb.stdout)\(tb.stderr)")
    let tbNoOut = try CLI.run(["export", runID, "--format", "tensorboard"] + store, in: dir)
    #expect(tbNoOut.status == 2)

    let runs = try CLI.run(["runs", "--tag", "demo", "--format", "csv"] + store, in: dir)
    #expect(runs.status == 0 && runs.stdout.split(separator: "\n").count == 2 && runs.stdout.contains(runID))
    let none = try CLI.run(["runs", "--where", "accuracy > 2"] + store, in: dir)
    #expect(none.stdout == "no runs match\n")
    let rebuild = try CLI.run(["index", "--rebuild"] + store, in: dir)
    #expect(rebuild.status == 0 && rebuild.stdout.contains("1 run indexed"))

    let gc = try CLI.run(["gc", "--dry-run"] + store, in: dir)
    #expect(gc.status == 0 && gc.stdout.contains("would remove 0 unreferenced tasks"))

    let rerun = try CLI.run(["rerun", runID, "--format", "json"] + store, in: dir)
    #expect(rerun.status == 0)
    #expect(try JSONValue.parse(rerun.stdout)["all_match"] == .bool(true))

    let noStore = try CLI.run(["runs", "--store", dir.appendingPathComponent("nothing").path], in: dir)
    #expect(noStore.status == 2 && noStore.stderr.contains("no store"))
  }
}
