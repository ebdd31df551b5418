import Foundation
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// `sprout lint` plans with `checkOnly` (nothing hashed) and builds the tasks of fixed stages once: neither may
/// change what is found, nor any hash a full plan computes.
@Suite struct CheckOnlyTests {
  /// Diagnostics in a comparable form: position, id, message and notes.
  static func findings(_ yaml: String, checkOnly: Bool) -> [String] {
    var d = Diagnostics()
    _ = Planner.plan(
      text: yaml, file: "spec.yaml", options: PlanOptions(checkOnly: checkOnly), store: nil, diagnostics: &d)
    return d.sorted.map { "\($0.range) \($0.id) \($0.message) \($0.notes.map(\.message))" }
  }

  /// A seed sweep whose layer widths come from params: every stage is fixed (the same in every trial), and
  /// the low-rank initializer's rank exceeds the narrowest layer, which only the per-trial checks can see.
  static let fixedWithProblem =
    richVsLazy
    .replacingOccurrences(of: "  init: [full, lowrank]\n", with: "")
    .replacingOccurrences(of: "${matrix.init}", with: "lowrank")
    .replacingOccurrences(of: "params: {width: 32, lr: 0.05}", with: "params: {width: 1, lr: 0.05}")

  @Test func checkOnlyFindsExactlyWhatAFullPlanFinds() throws {
    let perTrial = richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  width: [64, 1]\n")
      .replacingOccurrences(of: "${params.width}", with: "${matrix.width}")
    for yaml in [richVsLazy, perTrial, Self.fixedWithProblem] {
      let full = Self.findings(yaml, checkOnly: false)
      #expect(Self.findings(yaml, checkOnly: true) == full)
    }
    // The fixed stage's problem is reported once, naming the first trial and counting the others.
    let found = Self.findings(Self.fixedWithProblem, checkOnly: true)
    let rank = try #require(found.first { $0.contains("graph.init-rank") })
    #expect(rank.contains("in trial t0000 (seed=0), and in 2 other trials"), "\(found)")
  }

  @Test func checkOnlyMatchesAFullPlanOnEveryExample() throws {
    let files =
      (try? FileManager.default.contentsOfDirectory(atPath: ExampleTests.examples.path))?.filter {
        $0.hasSuffix(".yaml")
      }.sorted() ?? []
    #expect(!files.isEmpty)
    for name in files {
      let text = try String(contentsOfFile: ExampleTests.examples.appendingPathComponent(name).path, encoding: .utf8)
      #expect(Self.findings(text, checkOnly: true) == Self.findings(text, checkOnly: false), "\(name)")
    }
  }

  @Test func checkOnlyHashesNothing() throws {
    var d = Diagnostics()
    let plan = try #require(
      Planner.plan(
        text: richVsLazy, file: "spec.yaml", options: PlanOptions(checkOnly: true), store: nil, diagnostics: &d))
    #expect(plan.tasks.count == 12)
    // Tasks are still lowered (lowering is where lint finds what cannot run); nothing is hashed.
    #expect(plan.tasks.allSatisfy { $0.hash.isEmpty && $0.config != nil })
  }

  @Test func fixedStagesShareTheirDefinitionButNotTheirHash() throws {
    let yaml = richVsLazy.replacingOccurrences(of: "  init: [full, lowrank]\n", with: "")
      .replacingOccurrences(of: "${matrix.init}", with: "full")
    let plan = try #require(planText(yaml).0)
    let trains = plan.tasks.filter { $0.stage == "train" }
    #expect(trains.count == 3)
    #expect(Set(trains.map(\.definition)).count == 1)
    #expect(Set(trains.map(\.hash)).count == 3)
    #expect(Set(trains.map(\.seed)) == [0, 1, 2])
    #expect(plan.verifyHashes().isEmpty)
    let tests = plan.tasks.filter { $0.stage == "test" }
    #expect(tests.map { $0.inputs.map(\.description) } == trains.map { ["\($0.key.trial)/train"] })
  }
}
