import Foundation
import Testing

/// The adapter inits of docs/initializers.md (PiSSA, Meng et al. 2024; LoRA, Hu et al. ICLR 2022; SVFit, Sun et
/// al. 2024) at toy scale, through the real CLI on examples/adapters.yaml: after 20 fine-tuning steps,
/// PiSSA (adapters on the principal singular directions) is ahead of LoRA (B = 0, random A), and SVFit (only
/// singular values train) is behind full fine-tuning, on task B's test split.
@Suite("adapter effect")
struct AdapterEffectTests {
  @Test("PiSSA learns faster than LoRA early; SVFit lags full fine-tuning")
  func pissaAheadOfLoRA() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s").path
    let run = try CLI.run([
      "run", "examples/adapters.yaml", "--store", store, "--jobs", "2", "--set", "params.steps=20",
      "--only", "test_lora", "--only", "test_pissa", "--only", "test_svfit", "--only", "test_full",
    ])
    #expect(run.status == 0, "\(run.stderr.suffix(2000))")
    let show = try CLI.run(["show", "latest", "--format", "json", "--store", store])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    var loss: [String: [Double]] = [:]
    for task in try #require(object["tasks"] as? [[String: Any]]) {
      guard let stage = task["stage"] as? String, stage.hasPrefix("test_") else { continue }
      let metrics = try #require(task["metrics"] as? [String: Any])
      loss[String(stage.dropFirst(5)), default: []].append(try #require(metrics["loss"] as? Double))
    }
    func mean(_ arm: String) -> Double { (loss[arm] ?? []).reduce(0, +) / Double(max(loss[arm]?.count ?? 0, 1)) }
    #expect(loss["pissa"]?.count == 3)
    #expect(mean("pissa") < mean("lora") - 0.3, "test loss after 20 steps \(loss)")
    #expect(mean("full") < mean("svfit") - 0.3, "test loss after 20 steps \(loss)")
  }
}
