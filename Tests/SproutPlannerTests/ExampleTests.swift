import Foundation
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
}
