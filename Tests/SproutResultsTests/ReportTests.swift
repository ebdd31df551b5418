import Foundation
import SproutDiagnostics
import SproutResults
import SproutRun
import Testing

/// The HTML report and the SVG plots, rendered by a real browser (Debian's headless Chromium).
@Suite("report in Chromium", .serialized)
struct ReportTests {
  /// The fixture with a numeric axis (the learning rate), so the report has learning curves and metric-vs-axis
  /// plots.
  static let spec = Fixtures.spec.replacingOccurrences(of: "init: [xavier, orthogonal]", with: "init: [xavier, orthogonal]\n  lr: [0.01, 0.05]")
    .replacingOccurrences(of: "lr: \"${params.lr}\"", with: "lr: \"${matrix.lr}\"")

  static let chromium = "/usr/bin/chromium"

  /// Chromium's DOM after loading `path`, and the console messages it logged.
  static func load(_ path: String) throws -> (dom: String, console: [String]) {
    let r = try Fixtures.exec(
      chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", "--dump-dom", path])
    try #require(r.status == 0, "chromium failed: \(r.err.suffix(2000))")
    let console = r.err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    return (r.out, console)
  }

  /// Renders `path` to a PNG and returns the top-left pixel (`rrggbb`).
  static func screenshot(_ path: String, to png: String, dark: Bool, height: Int = 1400) throws -> String {
    var args = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,\(height)",
      "--screenshot=\(png)"]
    if dark { args.append("--force-dark-mode") }
    let r = try Fixtures.exec(chromium, args + [path])
    try #require(r.status == 0 && FileManager.default.fileExists(atPath: png), "screenshot failed: \(r.err.suffix(2000))")
    let pixel = try Fixtures.exec(
      try Fixtures.python, [Fixtures.root.appendingPathComponent("Tests/SproutResultsTests/Python/png_pixel.py").path, png])
    try #require(pixel.status == 0, "\(pixel.err)")
    return String(pixel.out.split(separator: " ")[0])
  }

  @Test func reportRendersInChromiumWithEveryCurveAndNoConsoleError() throws {
    let dir = Fixtures.directory("report")
    let runID = try Fixtures.run(Self.spec, in: dir)
    let run = try RunResults.load(runID, store: Fixtures.store(dir))
    let path = try HTMLReport(run: run).write(to: dir)
    let html = try String(contentsOfFile: path, encoding: .utf8)

    // Self-contained: nothing is fetched, nothing runs.
    for reference in ["<script", "src=", "href=", "url(", "@import", "http://", "https://", "<link"] {
      #expect(!html.contains(reference), "the report references '\(reference)'")
    }

    // Expected curves, counted from the store independently of the report code: per metric recorded by the
    // train stage over steps, one line per (init, lr); per (stage, final metric) one line per init against
    // lr (the numeric axis; seed is averaged over).
    let trainMetrics = try Set(
      String(contentsOfFile: "\(dir)/.sprout/\(run.manifest.tasks.first { $0.stage == "train" }!.metrics!)", encoding: .utf8)
        .split(separator: "\n").flatMap { line in
          (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]).keys.filter { $0 != "step" }
        })
    #expect(trainMetrics == ["loss", "accuracy", "weight_change"])
    let expected = trainMetrics.count * 4 + (3 + 2) * 2

    let (dom, console) = try Self.load(path)
    #expect(console.isEmpty, "console messages: \(console)")
    let curves = dom.components(separatedBy: "class=\"curve ").count - 1
    #expect(curves == expected)
    let bands = dom.components(separatedBy: "class=\"band ").count - 1
    #expect(bands == expected, "every line has a ±sd band over its 3 seeds")
    #expect(dom.contains("<svg class=\"chart\""))
    #expect(dom.contains("class=\"best\""), "the best row is marked")

    // Both themes: the page background follows the system setting.
    #expect(try Self.screenshot(path, to: "\(dir)/light.png", dark: false) == "ffffff")
    #expect(try Self.screenshot(path, to: "\(dir)/dark.png", dark: true) == "15171a")
  }

  /// The console check catches what it looks for (a page that logs an error is reported).
  @Test func consoleCheckCatchesAnError() throws {
    let dir = Fixtures.directory("report")
    let page = "\(dir)/bad.html"
    try "<!DOCTYPE html><html><body><script>console.error('broken')</script></body></html>"
      .write(toFile: page, atomically: true, encoding: .utf8)
    let (_, console) = try Self.load(page)
    #expect(console.contains { $0.contains("broken") })
  }

  /// `plot` writes one standalone SVG (namespace, its own theme style sheet) that Chromium renders.
  @Test func standalonePlot() throws {
    let dir = Fixtures.directory("report")
    let runID = try Fixtures.run(Self.spec, in: dir)
    let run = try RunResults.load(runID, store: Fixtures.store(dir))
    let curve = try FigureRequest(metric: "loss").chart(of: run)
    #expect(curve.series.count == 4)
    let axis = try FigureRequest(metric: "accuracy", by: "lr", stage: "test").chart(of: run)
    #expect(axis.series.map(\.name) == ["init=xavier", "init=orthogonal"])
    #expect(axis.series.allSatisfy { $0.points.map(\.x) == [0.01, 0.05] })
    // Each point is the mean over the 3 seeds of the test accuracy, from the store.
    let tasks = run.tasks.filter { $0.stage == "test" && run.trial($0.trial)?["init"]?.stringValue == "xavier" && run.trial($0.trial)?["lr"]?.doubleValue == 0.01 }
    let mean = tasks.compactMap { $0.finalMetrics["accuracy"]?.doubleValue }.reduce(0, +) / 3
    #expect(abs(axis.series[0].points[0].y - mean) < 1e-12)
    let file = "\(dir)/acc.svg"
    try FigureRequest.write(axis.svg(standalone: true), to: file)
    let (dom, console) = try Self.load(file)
    #expect(console.isEmpty)
    #expect(dom.components(separatedBy: "class=\"curve ").count - 1 == 2)
    #expect(throws: ResultsError.self) { try FigureRequest(metric: "accuracy", by: "init").chart(of: run) }
    #expect(throws: ResultsError.self) { try FigureRequest(metric: "nope").chart(of: run) }
  }
}
