import Foundation
import SproutDiagnostics
import SproutGraph
import SproutSpec
import Testing

@testable import SproutPlanner

/// Trials that read the same values share their tasks' work (``TrialMemo``): the plan and every diagnostic, with
/// its trial notes and counts, must be exactly what doing the work for every trial gives.
@Suite struct TrialMemoTests {
  /// The plan and the diagnostics (in a comparable form) of `yaml`, with or without the memo.
  static func plan(_ yaml: String, memoize: Bool, checkOnly: Bool) throws -> (Plan?, [String]) {
    var d = Diagnostics()
    let spec = try #require(SpecDecoder.decode(text: yaml, file: "spec.yaml", diagnostics: &d))
    let graph = try #require(GraphBuilder.build(spec, diagnostics: &d))
    var builder = PlanBuilder(graph: graph, options: PlanOptions(checkOnly: checkOnly))
    builder.memoize = memoize
    let plan = builder.build(store: nil, diagnostics: &d)
    return (plan, d.sorted.map { "\($0.range) \($0.id) \($0.message) \($0.notes.map(\.message))" })
  }

  /// Seeds with a per-trial problem, an axis only some trials' checks fail on, a shuffled run order and a stage
  /// reading `trial.seed`.
  static let specs: [String] = [
    richVsLazy,
    CheckOnlyTests.fixedWithProblem,
    richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  width: [64, 1, 64, 1]\n  seed: [0, 1]\n")
      .replacingOccurrences(of: "${params.width}", with: "${matrix.width}"),
    richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  seed: [0, 1, 2]\n  order: shuffled\n"),
    richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: \"${trial.seed % 2 + 1}\""),
  ]

  @Test func memoChangesNothing() throws {
    for (n, yaml) in Self.specs.enumerated() {
      for checkOnly in [false, true] {
        let memo = try Self.plan(yaml, memoize: true, checkOnly: checkOnly)
        let full = try Self.plan(yaml, memoize: false, checkOnly: checkOnly)
        #expect(memo.0 == full.0, "spec \(n), checkOnly \(checkOnly)")
        #expect(memo.1 == full.1, "spec \(n), checkOnly \(checkOnly)")
      }
    }
  }

  @Test func signaturesReadOnlyTheAxesExpressionsRead() throws {
    var d = Diagnostics()
    let spec = try #require(SpecDecoder.decode(text: richVsLazy, file: "spec.yaml", diagnostics: &d))
    let memo = TrialMemo(spec: spec)
    // richVsLazy's stages read matrix.init; the seed axis only sets each trial's seed.
    #expect(memo.axes == ["init"])
    #expect(memo.enabled && !memo.readsSeed)
    let indexed = try #require(
      SpecDecoder.decode(
        text: richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: \"${trial.index + 1}\""),
        file: "spec.yaml", diagnostics: &d))
    #expect(!TrialMemo(spec: indexed).enabled, "trial.index tells every trial apart")
  }
}
