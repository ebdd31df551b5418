import SproutDiagnostics

/// The trials a matrix produces, in expansion order, with their run order and count statement.
///
/// Expansion runs in this order (the first as in GitHub Actions' `strategy.matrix`):
///
/// ```
///  blocks ──► product/zip/concat ──► exclude ──► include ──► sample N ──► indices ──► order
///  (axes)     (first axis slowest)       (remove     (extend or   (seeded      t0000…     (seeded
///                                        matches)    add trials)  subset,                 shuffle of
///                                                                 kept in order)          run order)
/// ```
///
/// Indices follow expansion order, never run order, so `order: shuffled` changes when trials run and
/// nothing else; seeds and hashes do not depend on it.
public struct MatrixExpansion: Hashable, Sendable {
  /// Each trial's assignment, in index order. Listed on demand when the trials are formed by index
  /// (``assignment(at:)`` reads one without listing the others).
  public var assignments: [[AxisValue]] {
    get { listed ?? (0..<trialTotal).map(assignment(at:)) }
    set {
      listed = newValue
      formed = nil
    }
  }
  /// Trial indices in run order (the identity unless `order: shuffled`).
  public var runOrder: [Int] {
    get { shuffledOrder ?? Array(0..<trialTotal) }
    set { shuffledOrder = newValue == Array(newValue.indices) ? nil : newValue }
  }
  /// The assignments when they had to be formed as a list (include, exclude, or a matrix that is not one block).
  private var listed: [[AxisValue]]?
  /// The trials as indices into the matrix's block, when nothing but sampling chose among them: a plan of a million
  /// trials then keeps no list of them. `picked` holds the sampled block indices (nil: every index in order).
  private var formed: (block: SweepBlock, picked: [Int]?)?
  /// The run order when it is not the identity.
  private var shuffledOrder: [Int]?
  /// The count and its statement.
  public var count: TrialCount
  /// True when the matrix was refused for forming more trials than the limit (no trial was made).
  public var refused = false
  /// True when no two trials can have the same assignment, so the planner need not look for repeats: a product of
  /// differently named axes, each without a repeated value, and no `include` (exclude and sample only drop trials).
  public var distinct = false

  /// An expansion of listed trials.
  public init(
    assignments: [[AxisValue]], runOrder: [Int], count: TrialCount, refused: Bool = false, distinct: Bool = false
  ) {
    self.count = count
    self.refused = refused
    self.distinct = distinct
    self.listed = assignments
    self.runOrder = runOrder
  }

  /// An expansion whose trials are read from `block` by index (`picked`: the sampled indices, ascending).
  init(block: SweepBlock, picked: [Int]?, runOrder: [Int]?, count: TrialCount) {
    self.count = count
    self.formed = (block, picked)
    self.shuffledOrder = runOrder
  }

  /// The number of trials.
  public var trialTotal: Int {
    if let listed { return listed.count }
    guard let formed else { return 0 }
    return formed.picked?.count ?? formed.block.trialCount
  }

  /// The assignment of trial `index` (in index order), formed without listing the others when it can be.
  public func assignment(at index: Int) -> [AxisValue] {
    if let listed { return listed[index] }
    guard let formed else { preconditionFailure("trial index \(index) of an empty expansion") }
    return formed.block.assignment(at: formed.picked?[index] ?? index)
  }

  /// Whether the trials are read from the matrix by index (no list of them is kept).
  public var formsByIndex: Bool { listed == nil && formed != nil }

  /// Whether some trial's `seed` value may not be an integer, found from the matrix's values, not per trial.
  public var mayHaveNonIntegerSeed: Bool {
    if let listed { return listed.contains { $0.contains { $0.axis == "seed" && $0.value.intValue == nil } } }
    return formed?.block.values(ofAxis: "seed").contains { $0.intValue == nil } ?? false
  }

  /// The index of the trial that runs at `position` of the run order.
  public func runIndex(at position: Int) -> Int { shuffledOrder?[position] ?? position }

  public static func == (a: MatrixExpansion, b: MatrixExpansion) -> Bool {
    a.count == b.count && a.refused == b.refused && a.distinct == b.distinct && a.runOrder == b.runOrder
      && a.assignments == b.assignments
  }

  public func hash(into h: inout Hasher) {
    h.combine(count)
    h.combine(trialTotal)
  }

  /// The most trials a plan expands unless the user raises the limit (`--max-trials`).
  public static let defaultTrialLimit = 1_000_000

  /// Expands `matrix` for a spec whose root seed is `rootSeed`; problems are reported to `diagnostics`.
  ///
  /// A matrix that would form more than `limit` trials is refused (``PlanDiagnostics/tooManyTrials``, with the
  /// count) before any trial is made; `sample: N` without include/exclude draws its N trials by index, so only
  /// N counts against the limit.
  ///
  /// - Complexity: O(t · a) for t trials of a axes, plus O(t · e) for e include/exclude entries; O(a) to refuse.
  public static func expand(
    _ matrix: SweepDefinition?, rootSeed: Int, limit: Int = defaultTrialLimit, diagnostics: inout Diagnostics
  ) -> MatrixExpansion {
    guard let matrix, let root = matrix.root else {
      return MatrixExpansion(
        assignments: [[]], runOrder: [0], count: TrialCount(total: 1, statement: "1 trial (no matrix)"))
    }
    root.diagnose(&diagnostics)
    let formed = root.trialCount
    // A count that saturated is not a size to sample from: such a matrix is refused below.
    if let n = matrix.sample, n > 0, n < formed, formed < Int.max, matrix.include.isEmpty, matrix.exclude.isEmpty {
      return sampled(n, of: root, matrix: matrix, rootSeed: rootSeed, limit: limit, diagnostics: &diagnostics)
    }
    let (bound, overflow) = formed.addingReportingOverflow(matrix.include.count)
    if overflow || bound > limit {
      return refused(root, formed: formed, includes: matrix.include.count, matrix: matrix, limit: limit,
        diagnostics: &diagnostics)
    }
    if matrix.include.isEmpty && matrix.exclude.isEmpty && matrix.sample == nil {
      // Nothing chooses among the formed trials: they are read by index, never listed.
      if formed == 0 {
        diagnostics.report(
          PlanDiagnostics.emptyMatrix, "the matrix produces no trials (\(formed) formed, 0 excluded)",
          at: matrix.range, path: "matrix")
      }
      var expansion = finished(
        block: root, picked: nil, total: formed, statement: describe(root).text, matrix: matrix, rootSeed: rootSeed)
      expansion.distinct = distinctByConstruction(root, matrix: matrix)
      return expansion
    }
    var trials = (0..<formed).map(root.assignment(at:))
    let originalAxes = axisNames(root)

    // exclude: drop every trial that agrees with an entry on all of the entry's axes.
    var excluded = 0
    for entry in matrix.exclude {
      for av in entry.values where !originalAxes.contains(av.axis) {
        diagnostics.report(
          PlanDiagnostics.unknownAxis, "exclude names the axis '\(av.axis)', which the matrix does not have",
          at: entry.range, path: "matrix.exclude", help: suggestion(av.axis, among: originalAxes))
      }
      let before = trials.count
      trials.removeAll { trial in
        entry.values.allSatisfy { av in trial.contains { $0.axis == av.axis && same($0.value, av.value) } }
      }
      if trials.count == before {
        diagnostics.report(
          PlanDiagnostics.unusedExclude, "this exclude entry matches no trial", at: entry.range, path: "matrix.exclude")
      }
      excluded += before - trials.count
    }

    // include: extend the original trials an entry agrees with; add it as a new trial if it agrees with none.
    var added = 0
    let originals = trials.count
    for entry in matrix.include {
      var matched = false
      for i in 0..<originals {
        let agrees = entry.values.allSatisfy { av in
          !originalAxes.contains(av.axis) || trials[i].contains { $0.axis == av.axis && same($0.value, av.value) }
        }
        guard agrees else { continue }
        matched = true
        for av in entry.values where !originalAxes.contains(av.axis) {
          if let j = trials[i].firstIndex(where: { $0.axis == av.axis }) {
            trials[i][j] = av
          } else {
            trials[i].append(av)
          }
        }
      }
      if !matched {
        trials.append(entry.values)
        added += 1
      }
    }

    var statement = describe(root).text
    if excluded > 0 { statement += " − \(excluded) excluded" }
    if added > 0 { statement += " + \(added) included" }

    // sample: a seeded subset, kept in expansion order.
    if let n = matrix.sample {
      if n >= trials.count {
        diagnostics.report(
          PlanDiagnostics.sampleTooLarge,
          "sample: \(n) asks for at least as many trials as the matrix has (\(trials.count)); all are kept",
          at: matrix.sampleRange ?? matrix.range, path: "matrix.sample")
      } else if n > 0 {
        let chosen = sampleIndices(n, of: trials.count, rootSeed: rootSeed)
        statement = "\(n) sampled from \(trials.count) = " + statement
        trials = chosen.map { trials[$0] }
      }
    }

    if trials.isEmpty {
      diagnostics.report(
        PlanDiagnostics.emptyMatrix, "the matrix produces no trials (\(formed) formed, \(excluded) excluded)",
        at: matrix.range, path: "matrix")
    }
    var expansion = finished(trials, statement: statement, matrix: matrix, rootSeed: rootSeed)
    expansion.distinct = distinctByConstruction(root, matrix: matrix)
    return expansion
  }

  /// The expansion of `trials` with their run order and count statement.
  static func finished(
    _ trials: [[AxisValue]], statement: String, matrix: SweepDefinition, rootSeed: Int
  ) -> MatrixExpansion {
    let total = trials.count
    return MatrixExpansion(
      assignments: trials, runOrder: runOrder(total, matrix: matrix, rootSeed: rootSeed) ?? Array(0..<total),
      count: countStatement(total, statement))
  }

  /// The expansion of `total` trials read from `block` by index (`picked`: the sampled ones).
  static func finished(
    block: SweepBlock, picked: [Int]?, total: Int, statement: String, matrix: SweepDefinition, rootSeed: Int
  ) -> MatrixExpansion {
    MatrixExpansion(
      block: block, picked: picked, runOrder: runOrder(total, matrix: matrix, rootSeed: rootSeed),
      count: countStatement(total, statement))
  }

  /// The shuffled run order of `total` trials, nil when they run in index order.
  static func runOrder(_ total: Int, matrix: SweepDefinition, rootSeed: Int) -> [Int]? {
    guard matrix.shuffled else { return nil }
    var order = Array(0..<total)
    var rng = SplitMix64(rootSeed: rootSeed, purpose: "matrix.order")
    rng.shuffle(&order)
    return order
  }

  static func countStatement(_ total: Int, _ statement: String) -> TrialCount {
    let noun = total == 1 ? "trial" : "trials"
    let full = statement == String(total) ? "\(total) \(noun)" : "\(total) \(noun) = \(statement)"
    return TrialCount(total: total, statement: full)
  }

  /// `sample: n` of a matrix without include/exclude: the n trials chosen by index, the others never formed.
  static func sampled(
    _ n: Int, of root: SweepBlock, matrix: SweepDefinition, rootSeed: Int, limit: Int,
    diagnostics: inout Diagnostics
  ) -> MatrixExpansion {
    let formed = root.trialCount
    guard n <= limit else {
      diagnostics.report(
        PlanDiagnostics.tooManyTrials,
        "sample: \(grouped(n)) asks for more trials than the limit of \(grouped(limit))",
        at: matrix.sampleRange ?? matrix.range, path: "matrix.sample",
        help: "sample fewer trials, or raise the limit with --max-trials \(n)")
      return MatrixExpansion(
        assignments: [], runOrder: [], count: TrialCount(total: 0, statement: "\(n) sampled from \(formed)"),
        refused: true)
    }
    let picked = sampleIndices(n, of: formed, rootSeed: rootSeed)
    let statement = "\(n) sampled from \(formed) = " + describe(root).text
    var expansion = finished(
      block: root, picked: picked, total: n, statement: statement, matrix: matrix, rootSeed: rootSeed)
    expansion.distinct = distinctByConstruction(root, matrix: matrix)
    return expansion
  }

  /// Whether `root` forms no repeated assignment (see ``distinct``). Values compare by their canonical JSON, as the
  /// planner's duplicate check does.
  static func distinctByConstruction(_ root: SweepBlock, matrix: SweepDefinition) -> Bool {
    guard matrix.include.isEmpty, case .product(let axes, _) = root else { return false }
    guard Set(axes.map(\.name)).count == axes.count else { return false }
    return axes.allSatisfy { axis in Set(axis.values.map(\.canonicalBytes)).count == axis.values.count }
  }

  /// The trial count stated and refused: more than `limit` trials would be formed.
  static func refused(
    _ root: SweepBlock, formed: Int, includes: Int, matrix: SweepDefinition, limit: Int,
    diagnostics: inout Diagnostics
  ) -> MatrixExpansion {
    let count = formed == Int.max ? "more than \(grouped(Int.max))" : grouped(formed)
    var how = describe(root).text
    if includes > 0 { how += " + up to \(includes) included" }
    diagnostics.report(
      PlanDiagnostics.tooManyTrials,
      "the matrix forms \(count) trials (\(how)), more than the limit of \(grouped(limit))",
      at: matrix.range, path: "matrix",
      help: matrix.include.isEmpty && matrix.exclude.isEmpty
        ? "draw a subset with `sample: N`, split the sweep, or raise the limit with --max-trials N"
        : "split the sweep, or raise the limit with --max-trials N")
    return MatrixExpansion(
      assignments: [], runOrder: [], count: TrialCount(total: 0, statement: "\(count) trials = \(how)"),
      refused: true)
  }

  /// The first `n` positions of a seeded Fisher–Yates shuffle of `0..<total`, ascending. The shuffle is kept
  /// sparse (only the positions it has touched), so it costs O(n) whatever `total` is, and draws exactly what
  /// shuffling the whole list would.
  static func sampleIndices(_ n: Int, of total: Int, rootSeed: Int) -> [Int] {
    var rng = SplitMix64(rootSeed: rootSeed, purpose: "matrix.sample")
    var moved: [Int: Int] = [:]
    var chosen: [Int] = []
    chosen.reserveCapacity(n)
    for i in 0..<n {
      let j = i + rng.next(below: total - i)
      let atJ = moved[j] ?? j
      moved[j] = moved[i] ?? i
      chosen.append(atJ)
    }
    return chosen.sorted()
  }

  /// `27,000,000`: an integer with thousands separators.
  static func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(d)
    }
    return out
  }

  /// Numbers compare by value (`2` equals `2.0`); everything else structurally.
  static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    if let x = a.doubleValue, let y = b.doubleValue { return x == y }
    return a == b
  }

  static func suggestion(_ name: String, among names: [String]) -> String? {
    let best = names.min { editDistance($0, name) < editDistance($1, name) }
    guard let best, editDistance(best, name) <= max(2, name.count / 3) else {
      return names.isEmpty ? nil : "the matrix's axes are: " + names.joined(separator: ", ")
    }
    return "did you mean '\(best)'?"
  }

  /// Levenshtein distance, for suggestions.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    var row = Array(0...y.count)
    for i in 1...x.count {
      var previous = row[0]
      row[0] = i
      if y.isEmpty { continue }
      for j in 1...y.count {
        let old = row[j]
        row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
        previous = old
      }
    }
    return row[y.count]
  }
}
