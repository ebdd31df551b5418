import Foundation
import Testing

/// Every spec a user reads in README.md and docs/*.md lints clean and runs (short: every training stage's length
/// lowered with `--set`); README's and docs/language.md's opening specs converge on every trial. The YAML blocks of
/// docs/diagnostics.md are examples of errors, generated from the diagnostic catalogues, and are not specs.
@Suite("documented specs lint and run")
struct DocumentedSpecsTests {
  /// `(file, index, text)` of every ```yaml block holding a whole spec (`sprout: 1`).
  static let specs: [(file: String, index: Int, text: String)] = {
    var files = ["README.md"]
    let docs = (try? FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("docs").path)) ?? []
    files += docs.filter { $0.hasSuffix(".md") && $0 != "diagnostics.md" }.sorted().map { "docs/\($0)" }
    var out: [(String, Int, String)] = []
    for file in files {
      guard let text = try? String(contentsOf: CLI.root.appendingPathComponent(file), encoding: .utf8) else { continue }
      let blocks = text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
      for (i, block) in blocks.enumerated() where block.split(separator: "\n").contains("sprout: 1") {
        out.append((file, i, block))
      }
    }
    return out
  }()

  @Test func theDocumentedSpecsAreFound() {
    #expect(Self.specs.contains { $0.file == "README.md" })
    #expect(Self.specs.contains { $0.file == "docs/language.md" })
  }

  /// `--set` overrides that shorten every train and finetune stage, read from the plan's task configurations.
  static func shortening(_ spec: URL, in dir: URL, steps: Int) throws -> [String] {
    let plan = try CLI.run(["plan", spec.lastPathComponent, "--format", "json"], in: dir)
    guard plan.status == 0, let json = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any],
      let tasks = json["tasks"] as? [[String: Any]]
    else { return [] }
    var overrides: Set<String> = []
    for task in tasks {
      guard let config = task["config"] as? [String: Any], let stage = config["stage"] as? String,
        let kind = config["kind"] as? [String: Any]
      else { continue }
      let body = (kind["train"] ?? kind["finetune"]) as? [String: Any]
      guard let length = (body?["training"] as? [String: Any])?["length"] as? [String: Any] else { continue }
      overrides.insert(length["steps"] != nil ? "stages.\(stage).steps=\(steps)" : "stages.\(stage).epochs=1")
    }
    return overrides.sorted().flatMap { ["--set", $0] }
  }

  @Test(arguments: specs.map { "\($0.file)#\($0.index)" })
  func documentedSpecLintsAndRuns(_ name: String) throws {
    let spec = try #require(Self.specs.first { "\($0.file)#\($0.index)" == name })
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("spec.yaml")
    try spec.text.write(to: url, atomically: true, encoding: .utf8)
    let lint = try CLI.run(["lint", "spec.yaml"], in: dir)
    #expect(lint.status == 0, "\(name): \(lint.stdout)\(lint.stderr)")
    let overrides = try Self.shortening(url, in: dir, steps: 20)
    let run = try CLI.run(["run", "spec.yaml", "--jobs", "2"] + overrides, in: dir)
    #expect(run.status == 0, "\(name): \(run.stderr.suffix(2000))")
  }

  /// The opening specs a new user runs first: every trial trains to a lower loss, none diverges.
  @Test(arguments: ["README.md", "docs/language.md"])
  func openingSpecConvergesOnEveryTrial(_ file: String) throws {
    let spec = try #require(Self.specs.first { $0.file == file })
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try spec.text.write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    let overrides = try Self.shortening(dir.appendingPathComponent("spec.yaml"), in: dir, steps: 300)
    let run = try CLI.run(["run", "spec.yaml", "--jobs", "2"] + overrides, in: dir)
    #expect(run.status == 0, "\(file): \(run.stderr.suffix(2000))")
    let store = dir.appendingPathComponent(".sprout/tasks")
    var trained = 0
    for task in try FileManager.default.contentsOfDirectory(atPath: store.path) {
      let metrics = store.appendingPathComponent("\(task)/metrics.jsonl")
      guard let text = try? String(contentsOf: metrics, encoding: .utf8) else { continue }
      let records = text.split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
      }
      guard records.count > 1, let first = records.first?["loss"] as? Double, let last = records.last?["loss"] as? Double
      else { continue }
      trained += 1
      #expect(last.isFinite && last < first / 2, "\(file) task \(task): loss \(first) → \(last)")
    }
    #expect(trained == 6, "every trial's train task")
  }
}
