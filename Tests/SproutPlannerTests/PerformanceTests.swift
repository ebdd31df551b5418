import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// Planning 10,000 trials (20,000 tasks, a per-trial model width, per-trial checks) from YAML text: in a release
/// build (`swift build -c release --build-tests -Xswiftc -enable-testing`) this test takes 0.44–0.47 s of CPU and
/// 0.69–0.77 s wall on the 2-core development machine at load average 7 (measured 2026-11-29). The debug bound
/// here is generous, so the test only catches a complexity regression (e.g. work quadratic in the trials).
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
    let start = Date()
    let (plan, d) = planText(yaml)
    let seconds = Date().timeIntervalSince(start)
    let p = try #require(plan, "\(d.all.prefix(3))")
    #expect(p.count.statement == "10000 trials = 100 width × 100 seed")
    #expect(p.tasks.count == 20_000)
    #expect(Set(p.tasks.map(\.hash)).count == 20_000)
    #expect(seconds < 30, "planning 10,000 trials took \(seconds) s")
  }
}
