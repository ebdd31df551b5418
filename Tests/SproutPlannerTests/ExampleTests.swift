import Foundation
import SproutConfig
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// Every spec in examples/ plans without errors (lint's last phase).
@Suite struct ExampleTests {
  static let examples: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

  @Test func everyExamplePlans() throws {
    let files =
      (try? FileManager.default.contentsOfDirectory(atPath: Self.examples.path))?.filter { $0.hasSuffix(".yaml") }
      .sorted() ?? []
    for name in files {
      let path = Self.examples.appendingPathComponent(name).path
      let text = try String(contentsOfFile: path, encoding: .utf8)
      var d = Diagnostics()
      let plan = Planner.plan(text: text, file: path, options: PlanOptions(), store: nil, diagnostics: &d)
      #expect(
        plan != nil,
        "\(name): \(d.all.filter { $0.severity == .error }.map { "\($0.range): \($0.message) [\($0.id)]" })")
      if let plan {
        #expect(plan.verifyHashes().isEmpty)
        #expect(!plan.tasks.isEmpty)
      }
    }
  }

  /// Task hashes digest `CanonicalEncoder.encode`, which streams bytes; the tree of nodes it replaced on that path
  /// must give the same bytes for every task configuration of every example (PinnedHashTests pins the hashes).
  @Test func everyExampleConfigurationStreamsAsTheTreeEncodes() throws {
    let files =
      (try? FileManager.default.contentsOfDirectory(atPath: Self.examples.path))?.filter { $0.hasSuffix(".yaml") }
      .sorted() ?? []
    let encoder = CanonicalEncoder()
    var compared = 0
    for name in files {
      let path = Self.examples.appendingPathComponent(name).path
      let text = try String(contentsOfFile: path, encoding: .utf8)
      var d = Diagnostics()
      let plan = Planner.plan(text: text, file: path, options: PlanOptions(), store: nil, diagnostics: &d)
      for task in plan?.tasks ?? [] {
        guard let config = task.config else { continue }
        #expect(try encoder.encode(config) == encoder.treeBytes(config), "\(name): \(task.key)")
        compared += 1
      }
    }
    #expect(compared > 100)
  }
}
