import SproutDiagnostics
import Testing

@testable import SproutPlanner

private let r = SourceRange(file: "m.yaml", at: SourceLocation(line: 1, column: 1))
private func axis(_ name: String, _ values: [JSONValue]) -> SweepAxis {
  SweepAxis(name: name, values: values, range: r)
}
private func strings(_ xs: String...) -> [JSONValue] { xs.map { .string($0) } }
private func ints(_ xs: Int...) -> [JSONValue] { xs.map { .int($0) } }
private func entry(_ pairs: (String, JSONValue)...) -> SweepAssignment {
  SweepAssignment(values: pairs.map { AxisValue(axis: $0.0, value: $0.1) }, range: r)
}
private func text(_ a: [AxisValue]) -> String { a.map { "\($0.axis)=\($0.value.display)" }.joined(separator: " ") }

@Suite struct MatrixExpansionTests {
  @Test func productVariesTheFirstAxisSlowest() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .product(
        [axis("init", strings("a", "b", "c", "d")), axis("seed", ints(0, 1, 2)), axis("width", ints(64, 256))], r),
      range: r)
    let e = MatrixExpansion.expand(m, rootSeed: 7, diagnostics: &d)
    #expect(d.isEmpty)
    #expect(e.count == TrialCount(total: 24, statement: "24 trials = 4 init × 3 seed × 2 width"))
    #expect(text(e.assignments[0]) == "init=a seed=0 width=64")
    #expect(text(e.assignments[1]) == "init=a seed=0 width=256")
    #expect(text(e.assignments[23]) == "init=d seed=2 width=256")
    #expect(e.runOrder == Array(0..<24))
  }

  @Test func noMatrixIsOneTrial() {
    var d = Diagnostics()
    let e = MatrixExpansion.expand(nil, rootSeed: 0, diagnostics: &d)
    #expect(e.assignments == [[]])
    #expect(e.count.statement == "1 trial (no matrix)")
  }

  @Test func zipPairsValuesAndRejectsUnequalLengths() {
    var d = Diagnostics()
    let ok = MatrixExpansion.expand(
      SweepDefinition(root: .zip([axis("init", strings("lr2", "lr8")), axis("width", ints(64, 256))], r), range: r),
      rootSeed: 0, diagnostics: &d)
    #expect(ok.assignments.map(text) == ["init=lr2 width=64", "init=lr8 width=256"])
    #expect(ok.count.statement == "2 trials = 2 init zip 2 width")
    #expect(d.isEmpty)
    _ = MatrixExpansion.expand(
      SweepDefinition(root: .zip([axis("init", strings("a", "b")), axis("width", ints(64))], r), range: r),
      rootSeed: 0, diagnostics: &d)
    #expect(d.all.map(\.id) == [PlanDiagnostics.zipLengthMismatch])
    #expect(d.all[0].message.contains("'init' has 2 values, 'width' has 1"))
  }

  @Test func concatExcludeAndIncludeAreStatedFaithfully() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .concat(
        [
          .product([axis("init", strings("kaiming", "orthogonal")), axis("seed", ints(0, 1, 2))], r),
          .zip([axis("init", strings("lowrank2", "lowrank8")), axis("width", ints(64, 256))], r),
        ], r),
      exclude: [entry(("init", .string("orthogonal")), ("seed", .int(2)))],
      include: [
        entry(("init", .string("kaiming")), ("lr", .double(0.1))),
        entry(("init", .string("xavier")), ("seed", .int(9))),
      ],
      range: r)
    let e = MatrixExpansion.expand(m, rootSeed: 7, diagnostics: &d)
    #expect(d.isEmpty)
    #expect(e.count.total == 8 - 1 + 1)
    #expect(e.count.statement == "8 trials = (2 init × 3 seed) + (2 init zip 2 width) − 1 excluded + 1 included")
    // include extends the kaiming trials with lr, and adds xavier as a new trial.
    #expect(e.assignments.filter { $0.contains(AxisValue(axis: "lr", value: .double(0.1))) }.count == 3)
    #expect(text(e.assignments.last!) == "init=xavier seed=9")
    #expect(!e.assignments.map(text).contains("init=orthogonal seed=2"))
  }

  @Test func includeNeverOverwritesAnOriginalValue() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .product([axis("init", strings("a", "b"))], r),
      include: [entry(("init", .string("a")), ("width", .int(8)))],
      range: r)
    let e = MatrixExpansion.expand(m, rootSeed: 0, diagnostics: &d)
    #expect(e.assignments.map(text) == ["init=a width=8", "init=b"])
    #expect(e.count.statement == "2 trials = 2 init")
  }

  @Test func excludeOfAnUnknownAxisIsAnErrorWithASuggestion() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .product([axis("init", strings("a", "b"))], r), exclude: [entry(("inti", .string("a")))], range: r)
    _ = MatrixExpansion.expand(m, rootSeed: 0, diagnostics: &d)
    #expect(d.all.map(\.id) == [PlanDiagnostics.unknownAxis, PlanDiagnostics.unusedExclude])
    #expect(d.all[0].help == "did you mean 'init'?")
  }

  @Test func excludingEverythingIsAnError() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .product([axis("init", strings("a"))], r), exclude: [entry(("init", .string("a")))], range: r)
    let e = MatrixExpansion.expand(m, rootSeed: 0, diagnostics: &d)
    #expect(e.assignments.isEmpty)
    #expect(d.all.map(\.id) == [PlanDiagnostics.emptyMatrix])
  }

  @Test func sampleIsASeededSubsetInExpansionOrder() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .product([axis("init", strings("a", "b", "c", "d")), axis("seed", ints(0, 1, 2))], r), sample: 5, range: r)
    let e1 = MatrixExpansion.expand(m, rootSeed: 7, diagnostics: &d)
    let e2 = MatrixExpansion.expand(m, rootSeed: 7, diagnostics: &d)
    let e3 = MatrixExpansion.expand(m, rootSeed: 8, diagnostics: &d)
    #expect(d.isEmpty)
    #expect(e1 == e2)
    #expect(e1.assignments.count == 5)
    #expect(e1.assignments != e3.assignments)
    #expect(e1.count.statement == "5 trials = 5 sampled from 12 = 4 init × 3 seed")
    let full = MatrixExpansion.expand(SweepDefinition(root: m.root, range: r), rootSeed: 7, diagnostics: &d).assignments
    let positions = e1.assignments.map { a in full.firstIndex(of: a)! }
    #expect(positions == positions.sorted())
    _ = MatrixExpansion.expand(SweepDefinition(root: m.root, sample: 12, range: r), rootSeed: 7, diagnostics: &d)
    #expect(d.all.map(\.id) == [PlanDiagnostics.sampleTooLarge])
  }

  @Test func shuffledChangesOnlyTheRunOrder() {
    var d = Diagnostics()
    let root = SweepBlock.product([axis("init", strings("a", "b", "c", "d")), axis("seed", ints(0, 1, 2, 3))], r)
    let plain = MatrixExpansion.expand(SweepDefinition(root: root, range: r), rootSeed: 7, diagnostics: &d)
    let shuffled = MatrixExpansion.expand(
      SweepDefinition(root: root, shuffled: true, range: r), rootSeed: 7, diagnostics: &d)
    #expect(plain.assignments == shuffled.assignments)
    #expect(shuffled.runOrder != plain.runOrder)
    #expect(shuffled.runOrder.sorted() == plain.runOrder)
    #expect(
      shuffled
        == MatrixExpansion.expand(SweepDefinition(root: root, shuffled: true, range: r), rootSeed: 7, diagnostics: &d))
  }

  @Test func nestedBlocksAndConflicts() {
    var d = Diagnostics()
    let m = SweepDefinition(
      root: .productOf(
        [
          .zip([axis("init", strings("a", "b")), axis("width", ints(1, 2))], r),
          .product([axis("seed", ints(0, 1, 2))], r),
        ], r),
      range: r)
    let e = MatrixExpansion.expand(m, rootSeed: 0, diagnostics: &d)
    #expect(e.count.statement == "6 trials = (2 init zip 2 width) × 3 seed")
    #expect(d.isEmpty)
    _ = MatrixExpansion.expand(
      SweepDefinition(
        root: .productOf([.product([axis("seed", ints(0))], r), .product([axis("seed", ints(1))], r)], r), range: r),
      rootSeed: 0, diagnostics: &d)
    #expect(d.all.map(\.id) == [PlanDiagnostics.axisConflict])
  }
}
