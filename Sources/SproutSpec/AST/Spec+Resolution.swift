import SproutDiagnostics

extension Spec {
  /// The params as an expression environment table.
  public var paramValues: [String: Value] {
    Dictionary(params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
  }

  /// An environment for one trial: the params, the trial's matrix assignment and its index, seed and id.
  public func environment(
    matrix assignment: [String: Value], index: Int, seed: Int, id: String
  )
    -> ExpressionEnvironment
  {
    ExpressionEnvironment(params: paramValues, matrix: assignment, trial: TrialInfo(index: index, seed: seed, id: id))
  }

  /// Overrides a param from the command line (`--set params.NAME=VALUE`); the text is read as a YAML plain scalar.
  /// Reports an unknown name (with the nearest one) or a number that is not finite, and returns false.
  public mutating func setParam(_ name: String, text: String, diagnostics: inout Diagnostics) -> Bool {
    let value = Scalar.resolvePlain(text)
    guard let i = params.firstIndex(where: { $0.name == name }) else {
      let suggestion = Suggestions.nearest(name, among: params.map(\.name))
      diagnostics.report(
        "spec.expression-undefined", "--set names no param '\(name)'", at: .wholeFile("<command line>"),
        path: "params.\(name)", help: suggestion.map { "did you mean 'params.\($0)'?" })
      return false
    }
    if case .float(let d) = value, !d.isFinite {
      diagnostics.report(
        "spec.non-finite-number", "--set params.\(name)=\(text) is not a finite number",
        at: .wholeFile("<command line>"), path: "params.\(name)", help: "write a finite number")
      return false
    }
    params[i].value = value
    return true
  }

  /// This spec with every `${...}` replaced by its value in `env`, every argument re-checked against the catalogue
  /// (a matrix value can be out of range, an axis value can name nothing). Problems are reported at the range of
  /// the expression that produced the value; returns `nil` when any was found.
  public func resolved(in env: ExpressionEnvironment, diagnostics: inout Diagnostics) -> Spec? {
    var resolver = Resolver(spec: self, env: env)
    var out = self
    out.datasets = datasets.map { d in
      var d = d
      d.definition = resolver.instance(d.definition, path: "datasets.\(d.id.name)")
      return d
    }
    out.models = models.map { m in
      var m = m
      m.input = resolver.value(
        m.input, type: .int, bounds: ArgumentSpec("input", .int, min: 1, ""), range: m.inputRange,
        path: "models.\(m.id.name).input")
      m.layers = m.layers.enumerated().map { resolver.instance($1, path: "models.\(m.id.name).layers[\($0)]") }
      return m
    }
    out.initializers = initializers.map { i in
      var i = i
      let path = "initializers.\(i.id.name)"
      i.rule = resolver.instance(i.rule, path: path)
      i.bias = resolver.instance(i.bias, path: "\(path).bias")
      i.layerRules = i.layerRules.map { r in
        var r = r
        r.rule = resolver.instance(r.rule, path: "\(path).layers.\(r.key)")
        return r
      }
      return i
    }
    out.stages = stages.map { s in
      var s = s
      s.definition = resolver.instance(s.definition, path: "stages.\(s.id.name)")
      return s
    }
    diagnostics.append(contentsOf: resolver.diagnostics)
    return resolver.diagnostics.hasErrors ? nil : out
  }
}

/// Walks instances, evaluating expressions and re-checking values.
private struct Resolver {
  let spec: Spec
  let env: ExpressionEnvironment
  var diagnostics = Diagnostics()

  init(spec: Spec, env: ExpressionEnvironment) {
    self.spec = spec
    self.env = env
  }

  mutating func instance(_ i: Instance, path: String) -> Instance {
    var i = i
    let kind = i.spec
    i.arguments.entries = i.arguments.entries.map { a in
      var a = a
      let argPath = "\(path).\(a.name)"
      if let spec = kind?.argument(a.name) {
        a.value = value(a.value, type: spec.type, bounds: spec, range: a.range, path: argPath)
      }
      return a
    }
    return i
  }

  mutating func value(_ v: Value, type: ArgumentType, bounds: ArgumentSpec?, range: SourceRange, path: String) -> Value
  {
    switch v {
    case .expression(let e):
      switch e.evaluate(env) {
      case .failure(let err):
        diagnostics.append(err.diagnostic(path: path))
        return v
      case .success(let result):
        switch Catalogue.conform(result, to: type, bounds: bounds) {
        case .failure(let problem):
          let detail =
            problem.id == "spec.out-of-range"
            ? problem.message(path: path, found: result.description) : "\(problem.expected) is needed here"
          diagnostics.report(
            "spec.expression-type", "'\(e.text)' gives \(result.kindDescription) in this trial, but \(detail)",
            at: e.range, path: path, help: problem.help)
          return v
        case .success(let canonical):
          checkReference(canonical, type: type, at: e.range, path: path)
          return canonical
        }
      }
    case .instance(let i): return .instance(instance(i, path: path))
    case .list(let items):
      let element: ArgumentType
      if case .list(let t) = type { element = t } else { element = type }
      return .list(
        items.enumerated().map { value($1, type: element, bounds: bounds, range: range, path: "\(path)[\($0)]") })
    case .map(let entries):
      return .map(
        entries.map { e in
          var fieldType = type
          var fieldBounds = bounds
          if case .map(let t) = type { fieldType = t }
          if case .record(let fields, _) = type, let f = fields.first(where: { $0.name == e.key }) {
            fieldType = f.type
            fieldBounds = f
          }
          return .init(
            e.key, value(e.value, type: fieldType, bounds: fieldBounds, range: range, path: "\(path).\(e.key)"))
        })
    default: return v
    }
  }

  /// A reference that came from an expression must name a definition of the right sort.
  mutating func checkReference(_ v: Value, type: ArgumentType, at range: SourceRange, path: String) {
    guard case .string(let s) = v else { return }
    let sort: DefinitionSort
    var name = s
    switch type {
    case .reference(let x): sort = x
    case .data:
      sort = .dataset
      name = DataReference(parsing: s)?.dataset.name ?? s
    default: return
    }
    guard !spec.sorts(defining: name).contains(sort) else { return }
    diagnostics.report(
      "spec.undefined-reference", "no \(sort.rawValue) named '\(name)' (the value of this expression in this trial)",
      at: range, path: path)
  }
}
