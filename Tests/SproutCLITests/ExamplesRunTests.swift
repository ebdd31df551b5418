import Foundation
import Testing

/// Every spec in examples/ is linted, planned and run end to end by the built `sprout`, in a short
/// configuration: `params.steps` / `params.epochs` (the convention the examples follow) or the explicit
/// overrides below are lowered so each run takes seconds. The full configurations are what `sprout run`
/// does without `--set`.
@Suite("examples run end to end")
struct ExamplesRunTests {
  /// Overrides for examples that do not expose their length as `params.steps` or `params.epochs`.
  static let explicit: [String: [String]] = [
    "examples/quickstart.yaml": ["stages.train.steps=40"],
    "examples/rich-vs-lazy.yaml": ["stages.train.steps=30", "matrix.seed=[0]"],
    "examples/adapters.yaml": ["params.steps=12", "params.pretrain_steps=50", "matrix.seed=[0]"],
    "examples/attention-adapters.yaml": ["params.steps=12", "params.pretrain_steps=40", "matrix.seed=[0]"],
    // The fit needs 6 records (5 parameters): 48 steps recorded every 8; one block.
    "examples/massive-activations.yaml": ["params.steps=48", "params.every=8", "matrix.block=[4]"],
  ]

  /// The quick overrides for one example.
  static func quickOverrides(_ example: String) throws -> [String] {
    if let overrides = explicit[example] { return overrides }
    let text = try String(contentsOf: CLI.root.appendingPathComponent(example), encoding: .utf8)
    var overrides: [String] = []
    var inParams = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("params:") { inParams = true; continue }
      if inParams, let first = line.first, first != " ", first != "#" { inParams = false }
      guard inParams else { continue }
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("steps:") { overrides.append("params.steps=12") }
      if trimmed.hasPrefix("epochs:") { overrides.append("params.epochs=1") }
    }
    return overrides
  }

  @Test("lint, plan and a short run of every example", arguments: CLI.examples)
  func example(_ example: String) throws {
    let overrides = try Self.quickOverrides(example).flatMap { ["--set", $0] }
    let lint = try CLI.run(["lint", example] + overrides)
    #expect(lint.status == 0, "\(lint.stderr)")
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("store").path
    let plan = try CLI.run(["plan", example, "--store", store] + overrides)
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("trial"))
    let run = try CLI.run(["run", example, "--store", store, "--jobs", "2"] + overrides)
    #expect(run.status == 0, "\(example): \(run.stderr.suffix(3000))")
    let show = try CLI.run(["show", "latest", "--store", store])
    #expect(show.status == 0)
    #expect(!show.stdout.contains("failed"), "\(show.stdout)")
  }
}
