import SproutConfig
import SproutDiagnostics
import SproutSyntax

extension Decoder {
  /// Most environments tried when type-checking one expression against the matrix.
  static let maxCombinations = 256
  /// Most evaluations for the whole spec; past it, each expression is checked for its first combination only, so
  /// a spec with many expressions over a huge matrix still lints in bounded time.
  static let evaluationBudget = 20_000

  /// Parses a `${...}` scalar, checks its references against params, matrix axes and trial fields, then evaluates
  /// it for every combination of the axes it reads and checks each result against the argument's type and range.
  mutating func decodeExpression(
    _ node: Node, _ text: String, type: ArgumentType, bounds: ArgumentSpec?, path: String
  )
    -> Value?
  {
    let base = Decoder.contentBase(node)
    let ev: ExpressionValue
    if let parsed = parsedExpressions[text] {
      ev = parsed.rebased(onto: base)
    } else {
      // Parsed once per text, at the origin of a line; each use moves it to where it is written (every range of a
      // parsed expression is columns from its scalar's start, so moving them is exact).
      let origin = SourceRange(
        fileID: base.fileID, start: SourceLocation(line: 1, column: 1, offset: 0),
        end: SourceLocation(line: 1, column: 1, offset: 0))
      switch ExpressionParser.parse(text, base: origin) {
      case .success(let parsed):
        parsedExpressions[text] = parsed
        ev = parsed.rebased(onto: base)
      case .failure:
        // The error, at its place.
        switch ExpressionParser.parse(text, base: base) {
        case .failure(let e): diagnostics.append(e.diagnostic(path: path))
        case .success: preconditionFailure("a parse depends on its text only")
        }
        return nil
      }
    }
    var ev2 = ev
    if node.range.start.line != node.range.end.line || node.scalarStyle == .literal || node.scalarStyle == .folded {
      // Columns inside a multi-line scalar cannot be computed from the start; point at the whole scalar.
      ev2.range = node.range
    }
    guard checkReferences(ev2.expression, path: path) else { return nil }
    // A broken param or an axis of a broken matrix has no value to evaluate with; its error is already reported.
    if ev2.expression.references.contains(where: { isUnavailable($0.path) }) { return .expression(ev2) }
    guard typeCheck(ev2, type: type, bounds: bounds, path: path) else { return nil }
    return .expression(ev2)
  }

  /// Every reference must name a param, an axis or a trial field.
  mutating func checkReferences(_ e: Expression, path: String) -> Bool {
    var ok = true
    let env = lintEnvironment()
    for (refPath, range) in e.references {
      if isUnavailable(refPath) {
        // Written, but its value failed to decode (reported there): the name exists, its value is unknown.
        if refPath[0] == "params" { readParams.insert(refPath[1]) } else { readAxes.insert(refPath[1]) }
        continue
      }
      if case .failure(let err) = Expression.lookup(refPath, range: range, env) {
        diagnostics.append(err.diagnostic(path: path))
        ok = false
        continue
      }
      if refPath[0] == "params" { readParams.insert(refPath[1]) }
      if refPath[0] == "matrix" || refPath[0] == "select" {
        let axis = refPath[refPath.count - 1]
        readAxes.insert(axis)
        if let m = spec.matrix, !m.root.guaranteedAxes.contains(axis) {
          diagnostics.report(
            "spec.expression-undefined", "matrix axis '\(axis)' is not set in every trial", at: range,
            path: path, notes: [DiagnosticNote("the matrix is declared here", at: m.range)],
            help: "give every concat branch a value for '\(axis)'")
          ok = false
        }
      }
    }
    return ok
  }

  /// True for a reference to a param whose value was broken, or to an axis of a matrix that failed to decode:
  /// written, so not undefined, but without a value to check against.
  func isUnavailable(_ refPath: [String]) -> Bool {
    guard refPath.count == 2 else { return false }
    switch refPath[0] {
    case "params": return brokenParams.contains(refPath[1])
    case "matrix": return spec.matrix == nil && declaredMatrixAxes.contains(refPath[1])
    default: return false
    }
  }

  /// An environment holding every defined name (with its first value), for reference checks; computed once
  /// params and matrix are decoded (they come before every definition).
  mutating func lintEnvironment() -> ExpressionEnvironment {
    if let cached = cachedEnvironment { return cached }
    let env = makeLintEnvironment()
    cachedEnvironment = env
    return env
  }

  func makeLintEnvironment() -> ExpressionEnvironment {
    var matrix: [String: Value] = [:]
    if let m = spec.matrix { for name in m.axisNames { matrix[name] = m.values(ofAxis: name).first ?? .null } }
    var select: [String: [String: Value]] = [:]
    for (stage, axes) in spec.selectAxes {
      select[stage] = Dictionary(axes.over.compactMap { a in matrix[a].map { (a, $0) } }, uniquingKeysWith: { a, _ in a })
    }
    return ExpressionEnvironment(
      params: Dictionary(spec.params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), matrix: matrix,
      trial: TrialInfo(index: 0, seed: spec.seed, id: "t0"), select: select)
  }

  /// Evaluates the expression for each combination of the values of the axes it reads (and of the seed axis for
  /// `trial.seed`), at most `maxCombinations` times; `body` gets each result and the assignment in words, and
  /// returns false to stop.
  mutating func forEachEvaluation(
    _ ev: ExpressionValue, _ body: (Result<Value, ExpressionError>, () -> String?) -> Bool
  ) {
    let refs = ev.expression.references.map(\.path)
    var axes: [String] = []
    for r in refs where (r[0] == "matrix" || (r[0] == "select" && r.count == 3)) && !axes.contains(r[r.count - 1]) {
      axes.append(r[r.count - 1])
    }
    let usesTrialSeed = refs.contains { $0 == ["trial", "seed"] }
    let seedAxis = spec.matrix?.values(ofAxis: "seed").compactMap(\.intValue) ?? []
    let seedValues = usesTrialSeed && !seedAxis.isEmpty ? seedAxis : [spec.seed]
    let valueLists = axes.map { spec.matrix?.values(ofAxis: $0) ?? [] }
    var env = lintEnvironment()
    var counters = [Int](repeating: 0, count: axes.count)
    var tried = 0
    let limit = evaluationsSpent < Decoder.evaluationBudget ? Decoder.maxCombinations : 1
    defer { evaluationsSpent += tried }
    while tried < limit {
      for (i, axis) in axes.enumerated() where !valueLists[i].isEmpty {
        env.matrix[axis] = valueLists[i][counters[i]]
        for stage in env.select.keys where env.select[stage]?[axis] != nil {
          env.select[stage]?[axis] = valueLists[i][counters[i]]
        }
      }
      for seed in seedValues {
        env.trial.seed = seed
        tried += 1
        // Built only when reporting: the assignment that gave this result.
        let assignment: () -> String? = {
          let parts =
            zip(
              axes,
              counters.enumerated().map {
                valueLists[$0.offset].isEmpty ? Value.null : valueLists[$0.offset][$0.element]
              }
            )
            .map { "matrix.\($0.0) = \($0.1)" } + (usesTrialSeed ? ["trial.seed = \(seed)"] : [])
          return parts.isEmpty ? nil : parts.joined(separator: ", ")
        }
        if !body(ev.evaluate(env), assignment) { return }
      }
      // Odometer over the axes' values.
      var i = axes.count - 1
      while i >= 0 {
        counters[i] += 1
        if counters[i] < max(valueLists[i].count, 1) { break }
        counters[i] = 0
        i -= 1
      }
      if i < 0 { return }
    }
  }

  /// Checks every result of the expression against the argument's type and range; reports the first failure with
  /// the assignment that caused it.
  mutating func typeCheck(_ ev: ExpressionValue, type: ArgumentType, bounds: ArgumentSpec?, path: String) -> Bool {
    // The same text checked against the same type and bounds evaluates to the same results (the environment and the
    // matrix are fixed once definitions are decoded): a check that passed passes again, having tried as many
    // combinations, which are counted against the budget as before.
    let key =
      typeChecksFixed
      ? PassedTypeCheck(
        text: ev.text, type: type, minimum: bounds?.minimum, exclusiveMinimum: bounds?.exclusiveMinimum ?? false,
        maximum: bounds?.maximum, exclusiveMaximum: bounds?.exclusiveMaximum ?? false,
        full: evaluationsSpent < Decoder.evaluationBudget) : nil
    if let key, let tried = passedTypeChecks[key] {
      evaluationsSpent += tried
      return true
    }
    let spentBefore = evaluationsSpent
    var ok = true
    defer { if ok, let key { passedTypeChecks[key] = evaluationsSpent - spentBefore } }
    var reports: [Diagnostic] = []
    forEachEvaluation(ev) { result, assignment in
      let notes = assignment().map { [DiagnosticNote("when \($0)")] } ?? []
      switch result {
      case .failure(let err):
        reports.append(Diagnostic(err.id, err.message, at: err.range, path: path, notes: notes, help: err.help))
        ok = false
      case .success(let v):
        guard case .failure(let problem) = Catalogue.conform(v, to: type, bounds: bounds) else { return true }
        let detail =
          problem.id == "spec.out-of-range"
          ? problem.message(path: path, found: v.description) : "\(problem.expected) is needed here"
        var help = problem.help
        if case .float = v, type == .int {
          help = "'/' always gives a number with a fraction; use '//' for integer division"
        }
        reports.append(
          Diagnostic(
            "spec.expression-type", "'\(ev.text)' gives \(v.kindDescription), but \(detail)", at: ev.range, path: path,
            notes: notes, help: help))
        ok = false
      }
      return ok
    }
    diagnostics.append(contentsOf: reports)
    return ok
  }
}

extension Decoder {
  /// The select stages of a `stages:` mapping and the axes each chooses over: its `over` list, or every axis but
  /// `seed` and its `per` axes. Read from the YAML before any definition is decoded, so that expressions anywhere can
  /// be checked against them; the stage itself is checked when it is decoded.
  static func selections(in node: Node, axes: [String]) -> [String: SelectAxes] {
    var out: [String: SelectAxes] = [:]
    for pair in node.mapping ?? [] {
      guard let name = pair.key.scalar, let fields = pair.value.mapping,
        fields.contains(where: { $0.key.scalar == "kind" && $0.value.scalar == "select" })
      else { continue }
      func names(_ key: String) -> [String]? {
        fields.first { $0.key.scalar == key }?.value.sequence.map { $0.compactMap(\.scalar) }
      }
      out[name] = SelectConfig.axes(over: names("over"), per: names("per") ?? [], matrixAxes: axes)
    }
    return out
  }
}

extension Decoder {
  /// A select's `over` and `per` must name axes of the matrix.
  mutating func checkSelections() {
    guard let axes = spec.matrix?.axisNames else { return }
    for stage in spec.stages where stage.kind == .select {
      for key in ["over", "per"] {
        guard let argument = stage.arguments.argument(key), let names = argument.value.listValue else { continue }
        for name in names.compactMap(\.stringValue) where !axes.contains(name) {
          let near = Suggestions.nearest(name, among: axes)
          report(
            "spec.matrix-unknown-axis",
            "select '\(stage.id.name)' chooses \(key) '\(name)', which is not a matrix axis",
            at: argument.range, path: "stages.\(stage.id.name).\(key)",
            help: near.map { "did you mean '\($0)'?" } ?? "axes: " + axes.joined(separator: ", "))
        }
      }
    }
  }
}

/// An expression type check that passed: its text, the type and bounds it was checked against, and whether every
/// combination was tried (the evaluation budget not yet spent).
struct PassedTypeCheck: Hashable {
  var text: String
  var type: ArgumentType
  var minimum: Double?
  var exclusiveMinimum: Bool
  var maximum: Double?
  var exclusiveMaximum: Bool
  var full: Bool
}

extension ExpressionValue {
  /// The expression as parsed from a scalar starting at `base`, when `self` was parsed at the origin (line 1, column
  /// 1, offset 0): each range `columns(a, b)` of the origin becomes `base.columns(a, b)`.
  func rebased(onto base: SourceRange) -> ExpressionValue {
    ExpressionValue(
      expression: expression.rebased(onto: base), text: text, range: range.rebased(onto: base))
  }
}

extension Expression {
  fileprivate func rebased(onto base: SourceRange) -> Expression {
    let node: Node
    switch self.node {
    case .int, .float, .reference: node = self.node
    case .unary(let op, let e): node = .unary(op, e.rebased(onto: base))
    case .binary(let op, let a, let b): node = .binary(op, a.rebased(onto: base), b.rebased(onto: base))
    case .interpolation(let parts):
      node = .interpolation(
        parts.map {
          switch $0 {
          case .text: return $0
          case .expression(let e): return .expression(e.rebased(onto: base))
          }
        })
    }
    return Expression(node, range: range.rebased(onto: base))
  }
}

extension SourceRange {
  /// A range of columns of a scalar parsed at the origin, moved to the scalar at `base`.
  fileprivate func rebased(onto base: SourceRange) -> SourceRange { base.columns(start.offset, end.offset) }
}
