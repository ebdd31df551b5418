import SproutDiagnostics
import SproutSyntax

/// The Spec phase: a YAML `Document` in, a typed `Spec` out, every problem reported at once.
///
/// ```
/// root mapping ─► version ─► params ─► matrix ─► datasets, models, initializers, stages
///                                                  (kinds and arguments from the Catalogue;
///                                                   expressions checked against params/matrix)
///              ─► references (undefined, wrong sort, splits) ─► unused definitions (warnings)
/// ```
/// Definitions with errors are left out of the result and their names recorded in `Spec.invalidNames`.
public enum SpecDecoder {
  /// Decodes a parsed document. Returns `nil` only when there is nothing usable (no root mapping).
  public static func decode(_ document: Document, diagnostics: inout Diagnostics) -> Spec? {
    SpecDiagnostics.register()
    guard let root = document.root, let pairs = root.mapping else { return nil }
    var decoder = Decoder(file: document.file)
    let spec = decoder.decodeSpec(root: root, pairs: pairs)
    diagnostics.append(contentsOf: decoder.diagnostics)
    return spec
  }

  /// Parses and decodes YAML text in one call (convenience for tests and tools).
  public static func decode(text: String, file: String, diagnostics: inout Diagnostics) -> Spec? {
    let document = YAMLParser.parse(text: text, file: file, diagnostics: &diagnostics)
    return decode(document, diagnostics: &diagnostics)
  }
}

/// A reference waiting for every definition to be known.
struct PendingReference {
  var name: String
  var split: String?
  var sort: DefinitionSort
  var range: SourceRange
  var path: String
  /// When the reference came from a matrix axis (`${matrix.init}`), the axis name, for the message.
  var viaAxis: String? = nil
  /// For a reference computed by an expression, the assignment that produced it ("matrix.x = 1").
  var when: String? = nil
  /// The definition holding the reference; it is dropped from the spec when the reference fails.
  var owner: UsedName? = nil
}

/// The decoder's state: diagnostics so far, what is known about params and matrix, references to resolve.
struct Decoder {
  let file: String
  var diagnostics = Diagnostics()
  var spec: Spec
  var pending: [PendingReference] = []
  /// References written as expressions; resolved against every value they can take.
  var pendingExpressions: [(ExpressionValue, DefinitionSort, String, UsedName?)] = []
  /// Params and axes read by some expression, for the unused warnings.
  var readParams: Set<String> = []
  var readAxes: Set<String> = []
  /// Every axis name the matrix writes, also when a broken block left `spec.matrix` empty.
  var declaredMatrixAxes: Set<String> = []
  /// Params whose value was reported as broken (left out of `spec.params`).
  var brokenParams: Set<String> = []
  /// Sorts that an expression refers to through a broken param or matrix, so any of their definitions may be
  /// used: no unused-definition warning for them.
  var unknownReferenceSorts: Set<DefinitionSort> = []
  /// Definitions some reference reached.
  var used: Set<UsedName> = []
  /// The expression environment for lint, built on first use (after params and matrix).
  var cachedEnvironment: ExpressionEnvironment?
  /// Expression evaluations done by lint so far (see `evaluationBudget`).
  var evaluationsSpent = 0
  /// Names defined per sort, built once references are resolved.
  var definedNames: [DefinitionSort: Set<String>] = [:]
  /// The definition being decoded, recorded as the owner of its references.
  var currentOwner: UsedName?
  /// Definitions holding a reference that failed.
  var brokenOwners: Set<UsedName> = []
  /// True once params, matrix and select axes are decoded: from then on an expression's type check depends only on
  /// its text, type and bounds, and those that passed are remembered (``passedTypeChecks``).
  var typeChecksFixed = false
  /// The type checks that passed since ``typeChecksFixed``, with the evaluations each tried.
  var passedTypeChecks: [PassedTypeCheck: Int] = [:]
  /// Expressions parsed so far, by text, parsed at the origin (see ``ExpressionValue/rebased(onto:)``).
  var parsedExpressions: [String: ExpressionValue] = [:]

  init(file: String) {
    self.file = file
    self.spec = Spec(file: file)
  }

  static let sections = ["datasets", "models", "initializers", "stages"]

  mutating func decodeSpec(root: Node, pairs: [Node.Pair]) -> Spec {
    let keys = Catalogue.topLevelKeys.map(\.name)
    var byKey: [String: Node.Pair] = [:]
    for pair in pairs {
      guard let key = scalarKey(pair, path: "") else { continue }
      if keys.contains(key) {
        byKey[key] = pair
        spec.keyRanges[key] = pair.key.range
      } else {
        reportUnknownKey(pair.key, key, candidates: keys, path: "", what: "top-level key")
      }
    }
    decodeVersion(byKey["sprout"], root: root)
    if let p = byKey["name"] {
      if let s = literalString(p.value, path: "name") {
        if isIdentifier(s) {
          spec.name = s
        } else {
          report(
            "spec.invalid-name", "the experiment name '\(s)' is not an identifier", at: p.value.range,
            path: "name", help: "use letters, digits, '_' and '-', starting with a letter or '_'")
        }
      }
    }
    if let p = byKey["description"] { spec.description = literalString(p.value, path: "description") }
    if let p = byKey["seed"], let v = literal(p.value, .int, path: "seed"), let i = v.intValue {
      if i < 0 {
        report("spec.out-of-range", "seed must be ≥ 0, found \(i)", at: p.value.range, path: "seed")
      } else {
        spec.seed = i
      }
    }
    if let p = byKey["backend"], let s = literalString(p.value, path: "backend") {
      if let b = BackendName(rawValue: s) {
        spec.backend = b
      } else {
        reportInvalidChoice(s, cases: BackendName.allCases.map(\.rawValue), at: p.value.range, path: "backend")
      }
    }
    if let p = byKey["params"] { decodeParams(p.value) }
    if let p = byKey["matrix"] { spec.matrix = decodeMatrix(p.value) }
    if let p = byKey["stages"] { spec.selectAxes = Decoder.selections(in: p.value, axes: spec.matrix?.axisNames ?? []) }
    typeChecksFixed = true
    if let p = byKey["datasets"] {
      decodeSection(p.value, "datasets") { $0.decodeDataset(name: $1, key: $2, node: $3) }
    }
    if let p = byKey["models"] { decodeSection(p.value, "models") { $0.decodeModel(name: $1, key: $2, node: $3) } }
    if let p = byKey["initializers"] {
      decodeSection(p.value, "initializers") { $0.decodeInitializer(name: $1, key: $2, node: $3) }
    }
    if let p = byKey["stages"] { decodeSection(p.value, "stages") { $0.decodeStage(name: $1, key: $2, node: $3) } }
    resolveReferences()
    checkSelections()
    reportUnused()
    return spec
  }

  mutating func decodeVersion(_ pair: Node.Pair?, root: Node) {
    guard let pair else {
      let start = root.range.start
      report(
        "spec.missing-version", "the spec does not say its language version", at: SourceRange(file: file, at: start),
        path: "sprout",
        help: "add 'sprout: 1' as the first line",
        fixIts: [FixIt("insert 'sprout: 1'", range: SourceRange(file: file, at: start), replacement: "sprout: 1\n")])
      return
    }
    guard let v = literal(pair.value, .int, path: "sprout"), let version = v.intValue else { return }
    if version != 1 {
      report(
        "spec.unsupported-version", "language version \(version) is not supported; this sprout reads version 1",
        at: pair.value.range, path: "sprout", help: "write 'sprout: 1'")
    }
  }

  mutating func decodeParams(_ node: Node) {
    guard let pairs = expectMapping(node, path: "params") else { return }
    for pair in pairs {
      guard let name = scalarKey(pair, path: "params") else { continue }
      let path = "params.\(name)"
      guard checkName(name, at: pair.key.range, path: path, what: "param") else { continue }
      if pair.value.scalar.map(ExpressionParser.containsExpression) == true {
        report(
          "spec.expression-not-allowed", "a param must be a literal value, not an expression",
          at: pair.value.range, path: path, help: "params are constants; compute with them where they are used")
        brokenParams.insert(name)
        continue
      }
      guard let value = literal(pair.value, nil, path: path) else {
        brokenParams.insert(name)
        continue
      }
      spec.params.append(Param(name: name, value: value, keyRange: pair.key.range, range: pair.value.range))
    }
  }

  /// Decodes `section: {name: definition}`, keeping document order.
  mutating func decodeSection(
    _ node: Node, _ section: String, _ body: (inout Decoder, String, Node, Node) -> Void
  ) {
    guard let pairs = expectMapping(node, path: section) else { return }
    for pair in pairs {
      guard let name = scalarKey(pair, path: section) else { continue }
      guard checkName(name, at: pair.key.range, path: "\(section).\(name)", what: "definition") else { continue }
      let sort = DefinitionSort.allCases.first { $0.section == section }
      currentOwner = sort.map { UsedName(sort: $0, name: name) }
      body(&self, name, pair.key, pair.value)
      currentOwner = nil
    }
  }
}
