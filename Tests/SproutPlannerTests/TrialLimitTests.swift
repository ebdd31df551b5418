import SproutDiagnostics
import SproutPlanner
import Testing

@testable import SproutPlanner

private let r = SourceRange(file: "m.yaml", at: SourceLocation(line: 4, column: 3))
private func axis(_ name: String, _ n: Int) -> SweepAxis {
  SweepAxis(name: name, values: (0..<n).map { .int($0) }, range: r)
}

/// A matrix's size is counted, not listed: one above the trial limit is refused with its count before any trial
/// is made, and `sample:` of a huge matrix forms only the sampled trials.
@Suite struct TrialLimitTests {
  @Test("a 300×300×300 matrix is refused with its count, at the matrix, without forming a trial")
  func hugeProductIsRefused() {
    var d = Diagnostics()
    let m = SweepDefinition(root: .product([axis("a", 300), axis("b", 300), axis("c", 300)], r), range: r)
    let e = MatrixExpansion.expand(m, rootSeed: 0, diagnostics: &d)
    #expect(e.refused)
    #expect(e.assignments.isEmpty)
    #expect(d.all.map(\.id) == [PlanDiagnostics.tooManyTrials])
    #expect(
      d.all[0].message
        == "the matrix forms 27,000,000 trials (300 a × 300 b × 300 c), more than the limit of 1,000,000")
    #expect(d.all[0].range == r)
  }

  @Test("--max-trials raises the limit; the limit itself is allowed")
  func limitIsInclusiveAndRaisable() {
    var d = Diagnostics()
    let m = SweepDefinition(root: .product([axis("a", 100), axis("b", 100)], r), range: r)
    #expect(MatrixExpansion.expand(m, rootSeed: 0, limit: 9_999, diagnostics: &d).refused)
    #expect(d.all.map(\.id) == [PlanDiagnostics.tooManyTrials])
    var ok = Diagnostics()
    let e = MatrixExpansion.expand(m, rootSeed: 0, limit: 10_000, diagnostics: &ok)
    #expect(ok.isEmpty)
    #expect(!e.refused)
    #expect(e.assignments.count == 10_000)
  }

  @Test("a count that overflows Int is refused, not wrapped")
  func overflowingCountIsRefused() {
    var d = Diagnostics()
    let axes = (0..<20).map { axis("x\($0)", 10) }  // 10^20 > Int.max
    let e = MatrixExpansion.expand(
      SweepDefinition(root: .product(axes, r), sample: 3, range: r), rootSeed: 0, diagnostics: &d)
    #expect(e.refused)
    #expect(d.all.map(\.id) == [PlanDiagnostics.tooManyTrials])
    #expect(d.all[0].message.contains("more than 9,223,372,036,854,775,807"))
  }

  @Test("sample: N of a huge matrix forms N trials, the same ones full expansion would draw")
  func sampleOfAHugeMatrixIsIndexed() {
    var d = Diagnostics()
    let root = SweepBlock.product([axis("a", 300), axis("b", 300), axis("c", 300)], r)
    let e = MatrixExpansion.expand(SweepDefinition(root: root, sample: 50, range: r), rootSeed: 3, diagnostics: &d)
    #expect(d.isEmpty)
    #expect(e.assignments.count == 50)
    #expect(e.count.statement == "50 trials = 50 sampled from 27000000 = 300 a × 300 b × 300 c")
    // Index i of a product is mixed radix, last axis fastest.
    for a in e.assignments {
      #expect(a.map(\.axis) == ["a", "b", "c"])
    }
    // On a matrix small enough to list, the indexed sample equals sampling the listed trials.
    let small = SweepBlock.concat(
      [
        .product([axis("a", 7), axis("b", 5)], r),
        .zip([axis("a", 4), axis("c", 4)], r),
      ], r)
    let listed = (0..<small.trialCount).map(small.assignment(at:))
    var reference = Array(listed.indices)
    var rng = SplitMix64(rootSeed: 11, purpose: "matrix.sample")
    for i in 0..<9 { reference.swapAt(i, i + rng.next(below: reference.count - i)) }
    let sampled = MatrixExpansion.expand(
      SweepDefinition(root: small, sample: 9, range: r), rootSeed: 11, diagnostics: &d)
    #expect(sampled.assignments == reference[0..<9].sorted().map { listed[$0] })
    #expect(d.isEmpty)
  }

  @Test("a spec of a few KB with a 300×300×300 matrix fails planning with the count at the matrix")
  func planRefusesTheHugeSpec() {
    let values = (0..<300).map(String.init).joined(separator: ", ")
    let yaml = richVsLazy.replacingOccurrences(
      of: "  seed: [0, 1, 2]\n", with: "  seed: [0, 1, 2]\n  a: [\(values)]\n  b: [\(values)]\n  c: [\(values)]\n")
    #expect(yaml.utf8.count < 10_000)
    let (plan, d) = planText(yaml)
    let refusal = d.all.first { $0.id == PlanDiagnostics.tooManyTrials }
    #expect(refusal?.message.contains("162,000,000 trials") == true)
    #expect(refusal?.range.start.line == 7)
    #expect(plan?.tasks.isEmpty ?? true)
  }
}
