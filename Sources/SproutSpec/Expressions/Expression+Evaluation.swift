import SproutDiagnostics

extension Expression {
  /// Evaluates the expression in one trial's environment.
  ///
  /// Integers stay integers under `+ - * // %`; `/` gives a float; a float on either side makes a float.
  /// Overflow, division by zero, undefined references and non-numeric operands are errors carrying the range of
  /// the offending sub-expression.
  public func evaluate(_ env: ExpressionEnvironment) -> Result<Value, ExpressionError> {
    switch node {
    case .int(let i): return .success(.int(i))
    case .float(let d): return .success(.float(d))
    case .reference(let path): return Expression.lookup(path, range: range, env)
    case .unary(let op, let operand):
      return operand.evaluate(env).flatMap { v in
        switch (op, v) {
        case (.plus, .int), (.plus, .float): return .success(v)
        case (.minus, .int(let i)):
          let (r, o) = Int(0).subtractingReportingOverflow(i)
          return o ? .failure(overflow()) : .success(.int(r))
        case (.minus, .float(let d)): return .success(.float(-d))
        default: return .failure(Expression.notNumber(v, operand.range, op.rawValue))
        }
      }
    case .binary(let op, let lhs, let rhs):
      return lhs.evaluate(env).flatMap { a in
        rhs.evaluate(env).flatMap { b in Expression.apply(op, a, lhs.range, b, rhs.range, whole: range) }
      }
    case .interpolation(let parts):
      var text = ""
      for part in parts {
        switch part {
        case .text(let t): text += t
        case .expression(let e):
          switch e.evaluate(env) {
          case .success(.string(let s)): text += s
          case .success(let v): text += v.description
          case .failure(let err): return .failure(err)
          }
        }
      }
      return .success(.string(text))
    }
  }

  private func overflow() -> ExpressionError {
    ExpressionError("spec.expression-type", "integer overflow in '\(self)'", at: range)
  }

  static func lookup(
    _ path: [String], range: SourceRange, _ env: ExpressionEnvironment
  )
    -> Result<Value, ExpressionError>
  {
    let root = path[0]
    if root == "select" { return lookupSelection(path, range: range, env) }
    guard path.count == 2 else {
      let known = ["params", "matrix", "trial"].contains(root)
      return .failure(
        ExpressionError(
          "spec.expression-undefined",
          known
            ? "'\(path.joined(separator: "."))' must name exactly one field: \(root).NAME"
            : "unknown reference '\(path.joined(separator: "."))'",
          at: range,
          help: "references are params.NAME, matrix.AXIS, select.STAGE.AXIS and trial.index, trial.seed or trial.id"))
    }
    let name = path[1]
    let table: [String: Value]
    switch root {
    case "params": table = env.params
    case "matrix": table = env.matrix
    case "trial":
      table = ["index": .int(env.trial.index), "seed": .int(env.trial.seed), "id": .string(env.trial.id)]
    default:
      let suggestion = Suggestions.nearest(root, among: ["params", "matrix", "trial"])
      return .failure(
        ExpressionError(
          "spec.expression-undefined", "unknown reference '\(path.joined(separator: "."))'", at: range,
          help: suggestion.map { "did you mean '\($0).\(name)'?" }
            ?? "references are params.NAME, matrix.AXIS and trial.index, trial.seed or trial.id"))
    }
    if let v = table[name] { return .success(v) }
    let what = root == "params" ? "param" : root == "matrix" ? "matrix axis" : "trial field"
    let suggestion = Suggestions.nearest(name, among: Array(table.keys))
    return .failure(
      ExpressionError(
        "spec.expression-undefined", "undefined \(what) '\(name)' in '\(path.joined(separator: "."))'", at: range,
        help: suggestion.map { "did you mean '\(root).\($0)'?" }))
  }

  /// `select.STAGE.AXIS`.
  static func lookupSelection(
    _ path: [String], range: SourceRange, _ env: ExpressionEnvironment
  ) -> Result<Value, ExpressionError> {
    let text = path.joined(separator: ".")
    guard path.count == 3 else {
      return .failure(
        ExpressionError(
          "spec.expression-undefined", "'\(text)' must name a select stage and an axis it chooses: select.STAGE.AXIS",
          at: range))
    }
    guard let table = env.select[path[1]] else {
      let near = Suggestions.nearest(path[1], among: Array(env.select.keys))
      return .failure(
        ExpressionError(
          "spec.expression-undefined", "'\(text)': there is no select stage '\(path[1])'", at: range,
          help: near.map { "did you mean 'select.\($0).\(path[2])'?" }
            ?? (env.select.isEmpty
              ? "add a stage of kind select" : "select stages: " + env.select.keys.sorted().joined(separator: ", "))))
    }
    if let v = table[path[2]] { return .success(v) }
    let near = Suggestions.nearest(path[2], among: Array(table.keys))
    return .failure(
      ExpressionError(
        "spec.expression-undefined",
        "'\(text)': select stage '\(path[1])' does not choose axis '\(path[2])' (it chooses "
          + (table.isEmpty ? "nothing" : table.keys.sorted().joined(separator: ", ")) + ")",
        at: range, help: near.map { "did you mean 'select.\(path[1]).\($0)'?" } ?? "add the axis to its 'over' list"))
  }

  static func notNumber(_ v: Value, _ range: SourceRange, _ op: String) -> ExpressionError {
    ExpressionError(
      "spec.expression-type", "operator '\(op)' needs a number, found \(v.kindDescription)", at: range)
  }

  static func apply(
    _ op: BinaryOperator, _ a: Value, _ ar: SourceRange, _ b: Value, _ br: SourceRange, whole: SourceRange
  ) -> Result<Value, ExpressionError> {
    guard let x = a.doubleValue else { return .failure(notNumber(a, ar, op.rawValue)) }
    guard let y = b.doubleValue else { return .failure(notNumber(b, br, op.rawValue)) }
    if case .int(let x) = a, case .int(let y) = b, op != .divide {
      if (op == .floorDivide || op == .modulo) && y == 0 {
        return .failure(ExpressionError("spec.expression-type", "division by zero", at: br))
      }
      let (r, o): (Int, Bool)
      switch op {
      case .add: (r, o) = x.addingReportingOverflow(y)
      case .subtract: (r, o) = x.subtractingReportingOverflow(y)
      case .multiply: (r, o) = x.multipliedReportingOverflow(by: y)
      case .floorDivide:
        if x == .min && y == -1 {
          (r, o) = (0, true)
        } else {
          let q = x / y
          (r, o) = ((x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q, false)
        }
      case .modulo:
        if y == -1 {
          (r, o) = (0, false)
        } else {
          let m = x % y
          (r, o) = (m != 0 && (m < 0) != (y < 0) ? m + y : m, false)
        }
      case .divide: preconditionFailure("handled as float")
      }
      if o { return .failure(ExpressionError("spec.expression-type", "integer overflow", at: whole)) }
      return .success(.int(r))
    }
    let r: Double
    switch op {
    case .add: r = x + y
    case .subtract: r = x - y
    case .multiply: r = x * y
    case .divide, .floorDivide, .modulo:
      if y == 0 { return .failure(ExpressionError("spec.expression-type", "division by zero", at: br)) }
      let q = (x / y).rounded(.down)
      r = op == .divide ? x / y : op == .floorDivide ? q : x - q * y
    }
    // Operands are finite (spec numbers must be), so a non-finite result is an overflow.
    guard r.isFinite else {
      return .failure(
        ExpressionError("spec.expression-type", "the result overflows a 64-bit float (it would be \(r))", at: whole))
    }
    return .success(.float(r))
  }
}
