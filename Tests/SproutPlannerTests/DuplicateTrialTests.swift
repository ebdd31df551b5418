import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// The planner skips its search for repeated trials when a matrix cannot form any (``MatrixExpansion/distinct``);
/// every matrix that can still gets the warning.
@Suite struct DuplicateTrialTests {
  static func duplicates(_ matrix: String) -> [Diagnostic] {
    let original = "matrix:\n  init: [full, lowrank]\n  seed: [0, 1, 2]\n"
    precondition(richVsLazy.contains(original), "the spec's matrix moved")
    let (_, d) = planText(richVsLazy.replacingOccurrences(of: original, with: matrix))
    return d.all.filter { $0.id == PlanDiagnostics.duplicateTrial }
  }

  @Test func aProductOfDistinctValuesIsDistinct() {
    let r = SourceRange(file: "m.yaml", at: SourceLocation(line: 1, column: 1))
    var d = Diagnostics()
    let product = SweepDefinition(
      root: .product(
        [
          SweepAxis(name: "init", values: [.string("a"), .string("b")], range: r),
          SweepAxis(name: "seed", values: [.int(1), .double(1)], range: r),
        ], r),
      range: r)
    #expect(MatrixExpansion.expand(product, rootSeed: 0, diagnostics: &d).distinct)
    let repeated = SweepDefinition(
      root: .product([SweepAxis(name: "seed", values: [.int(1), .int(2), .int(1)], range: r)], r), range: r)
    #expect(!MatrixExpansion.expand(repeated, rootSeed: 0, diagnostics: &d).distinct)
    let zipped = SweepDefinition(
      root: .zip([SweepAxis(name: "seed", values: [.int(1), .int(2)], range: r)], r), range: r)
    #expect(!MatrixExpansion.expand(zipped, rootSeed: 0, diagnostics: &d).distinct)
  }

  @Test func repeatsAreStillReported() {
    #expect(Self.duplicates("matrix:\n  init: [full, lowrank]\n  seed: [0, 1, 2]\n").isEmpty)
    // 1 and 1.0 are different values (their canonical JSON differs), as before the fast path.
    #expect(Self.duplicates("matrix:\n  init: [full]\n  seed: [1, 1.0]\n").isEmpty)
    #expect(Self.duplicates("matrix:\n  init: [full, lowrank, full]\n  seed: [0, 1]\n").count == 2)
    #expect(Self.duplicates("matrix:\n  concat:\n    - {init: [full]}\n    - {init: [full]}\n").count == 1)
    // include can add the same trial twice.
    #expect(
      Self.duplicates(
        "matrix:\n  init: [full]\n  seed: [0]\n  include:\n    - {init: lowrank, seed: 5}\n"
          + "    - {init: lowrank, seed: 5}\n"
      ).count == 1)
  }
}
