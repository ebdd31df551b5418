import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// Planning 10,000 trials (20,000 tasks, a per-trial model width, per-trial checks) from YAML text gives every task
/// its own hash. How fast planning is belongs to bench/plan (`make bench`), never to a wall-clock bound here: the
/// machine running the tests is shared and its speed drifts.
@Suite struct PerformanceTests {
  static func spec(widths: Int, seeds: Int) -> String {
    richVsLazy.replacingOccurrences(
      of: "  init: [full, lowrank]\n  seed: [0, 1, 2]\n",
      with: "  width: [\((0..<widths).map { String(8 + $0) }.joined(separator: ", "))]\n"
        + "  seed: [\((0..<seeds).map(String.init).joined(separator: ", "))]\n"
    ).replacingOccurrences(of: "${params.width}", with: "${matrix.width}")
      .replacingOccurrences(of: "${matrix.init}", with: "lowrank")
  }

  @Test func tenThousandTrials() throws {
    let yaml = Self.spec(widths: 100, seeds: 100)
    let (plan, d) = planText(yaml)
    let p = try #require(plan, "\(d.all.prefix(3))")
    #expect(p.count.statement == "10000 trials = 100 width × 100 seed")
    #expect(p.tasks.count == 20_000)
    #expect(Set(p.tasks.map(\.hash)).count == 20_000)
  }
}
