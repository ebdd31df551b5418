import Foundation
import Testing

/// Liu et al., ICLR 2024 (rich versus lazy learning; docs/examples.md) at toy scale, through the real CLI on
/// examples/rich-vs-lazy.yaml: a rank-1 initialization of the middle matrix, at the same Frobenius norm as a
/// full-rank one, moves that matrix further (relative weight change) and lowers the tangent-kernel alignment more.
@Suite("rich vs lazy effect")
struct RichLazyEffectTests {
  @Test("low-rank init: larger relative weight change and lower kernel alignment than full rank")
  func lowRankIsRicher() throws {
    let dir = try CLI.temporaryDirectory()
    let store = dir.appendingPathComponent("s").path
    let run = try CLI.run([
      "run", "examples/rich-vs-lazy.yaml", "--store", store, "--jobs", "2",
      "--set", "matrix.init=[full, rank1]", "--set", "matrix.seed=[0, 1]", "--set", "stages.train.steps=1500",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let show = try CLI.run(["show", "latest", "--format", "json", "--store", store])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    let tasks = try #require(object["tasks"] as? [[String: Any]]).filter { ($0["stage"] as? String) == "train" }
    #expect(tasks.count == 4)
    var change: [String: [Double]] = [:]
    var alignment: [String: [Double]] = [:]
    for task in tasks {
      let values = try #require(task["values"] as? String)
      let arm = values.contains("rank1") ? "rank1" : "full"
      let metrics = try #require(task["metrics"] as? [String: Any])
      let perLayer = try #require(metrics["weight_change"] as? [String: Double])
      change[arm, default: []].append(try #require(perLayer["layers.2.weight"]))
      alignment[arm, default: []].append(try #require(metrics["kernel_alignment"] as? Double))
    }
    func mean(_ xs: [Double]?) -> Double { (xs ?? []).reduce(0, +) / Double(max(xs?.count ?? 0, 1)) }
    #expect(mean(change["rank1"]) > 1.2 * mean(change["full"]), "weight change \(change)")
    #expect(mean(alignment["rank1"]) < mean(alignment["full"]) - 0.03, "kernel alignment \(alignment)")
  }
}
