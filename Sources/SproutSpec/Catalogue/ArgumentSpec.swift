/// The type of an argument in the catalogue. Drives decoding, checking, the JSON Schema and the docs.
public indirect enum ArgumentType: Hashable, Sendable {
  /// An integer (`${...}` accepted).
  case int
  /// A number; integers are accepted (`${...}` accepted).
  case float
  /// `true` or `false`.
  case bool
  /// Any string.
  case string
  /// One of a fixed set of words.
  case enumeration([String])
  /// The name of a definition of that sort (`model: net`); `${matrix.AXIS}` accepted.
  case reference(DefinitionSort)
  /// A dataset, or one of its splits (`teacher.train`).
  case data
  /// A kind of that sort with its arguments: a bare name (`mse`), `{kind: NAME, ...}` or the short form
  /// `{NAME: main argument or argument map}`.
  case kind(Sort)
  /// A list of values of the element type.
  case list(ArgumentType)
  /// A mapping from names to values of the element type.
  case map(ArgumentType)
  /// Which layers: `first`, `last`, `all`, an index or a list of indices.
  case layerSelector
  /// The first alternative that fits.
  case oneOf([ArgumentType])
  /// A mapping with fixed fields, or a scalar that sets its main field (`tract: 0.1`).
  case record([ArgumentSpec], main: String?)

  /// A noun phrase for messages: "an integer", "a list of layers".
  public var phrase: String {
    switch self {
    case .int: return "an integer"
    case .float: return "a number"
    case .bool: return "a boolean (true or false)"
    case .string: return "a string"
    case .enumeration(let cases): return "one of " + cases.map { "'\($0)'" }.joined(separator: ", ")
    case .reference(let sort): return "the name of \(sort.withArticle)"
    case .data: return "a dataset name or DATASET.SPLIT"
    case .kind(let sort): return sort.withArticle
    case .list(let t): return "a list of \(t.plural)"
    case .map(let t): return "a mapping of names to \(t.plural)"
    case .layerSelector: return "a layer selector (first, last, all, an index or a list of indices)"
    case .oneOf(let ts): return ts.map(\.phrase).joined(separator: " or ")
    case .record(let fields, _): return "a mapping with " + fields.map(\.name).joined(separator: ", ")
    }
  }

  /// Plural noun for list/map element types.
  var plural: String {
    switch self {
    case .int: return "integers"
    case .float: return "numbers"
    case .bool: return "booleans"
    case .string: return "strings"
    case .kind(let s): return s.rawValue == "dataset" ? "datasets" : s.rawValue + "s"
    case .reference(let s): return "\(s.rawValue) names"
    default: return "values (\(phrase))"
    }
  }

  /// Short name for documentation tables: `int`, `list of float`, `initializer`.
  public var docName: String {
    switch self {
    case .int: return "int"
    case .float: return "float"
    case .bool: return "bool"
    case .string: return "string"
    case .enumeration(let cases): return cases.joined(separator: " \\| ")
    case .reference(let sort): return "\(sort.rawValue) name"
    case .data: return "dataset[.split]"
    case .kind(let sort): return sort.rawValue
    case .list(let t): return "list of \(t.docName)"
    case .map(let t): return "map of \(t.docName)"
    case .layerSelector: return "layer selector"
    case .oneOf(let ts): return ts.map(\.docName).joined(separator: " or ")
    case .record(let fields, _): return "{" + fields.map(\.name).joined(separator: ", ") + "}"
    }
  }

  /// True for types whose scalar may be written as `${...}`.
  var acceptsExpression: Bool {
    switch self {
    case .int, .float, .bool, .string, .enumeration, .reference, .data, .layerSelector: return true
    case .oneOf(let ts): return ts.contains { $0.acceptsExpression }
    case .record(let fields, let main):
      return main.flatMap { m in fields.first { $0.name == m } }?.type.acceptsExpression ?? false
    case .kind, .list, .map: return false
    }
  }
}

/// One argument of a kind: name, type, bounds, default and a one-line doc.
public struct ArgumentSpec: Hashable, Sendable {
  /// The key (`lr`).
  public var name: String
  /// Its type.
  public var type: ArgumentType
  /// True when it must be written.
  public var required: Bool
  /// The value used when not written (`nil`: absent unless written).
  public var defaultValue: Value?
  /// Smallest allowed number, if any.
  public var minimum: Double?
  /// True when `minimum` itself is not allowed.
  public var exclusiveMinimum: Bool
  /// Largest allowed number, if any.
  public var maximum: Double?
  /// True when `maximum` itself is not allowed.
  public var exclusiveMaximum: Bool
  /// One line saying what it does.
  public var doc: String

  /// Creates an argument spec.
  public init(
    _ name: String, _ type: ArgumentType, required: Bool = false, default defaultValue: Value? = nil,
    min: Double? = nil, exclusiveMin: Bool = false, max: Double? = nil, exclusiveMax: Bool = false, _ doc: String
  ) {
    self.name = name
    self.type = type
    self.required = required
    self.defaultValue = defaultValue
    self.minimum = min
    self.exclusiveMinimum = exclusiveMin
    self.maximum = max
    self.exclusiveMaximum = exclusiveMax
    self.doc = doc
  }

  /// The range in words ("≥ 1", "in (0, 1]"), empty when unbounded.
  public var rangeText: String {
    switch (minimum, maximum) {
    case (nil, nil): return ""
    case (let lo?, nil): return (exclusiveMinimum ? "> " : "≥ ") + ArgumentSpec.num(lo)
    case (nil, let hi?): return (exclusiveMaximum ? "< " : "≤ ") + ArgumentSpec.num(hi)
    case (let lo?, let hi?):
      return "in " + (exclusiveMinimum ? "(" : "[") + ArgumentSpec.num(lo) + ", " + ArgumentSpec.num(hi)
        + (exclusiveMaximum ? ")" : "]")
    }
  }

  static func num(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)"
  }

  /// True when the number is within the bounds.
  public func contains(_ x: Double) -> Bool {
    if let lo = minimum, exclusiveMinimum ? !(x > lo) : !(x >= lo) { return false }
    if let hi = maximum, exclusiveMaximum ? !(x < hi) : !(x <= hi) { return false }
    return true
  }
}

/// A rule between arguments of one kind that a single argument's type cannot say.
public enum ArgumentConstraint: Hashable, Sendable {
  /// Exactly one of these must be written (`epochs` or `steps`).
  case exactlyOne([String])
  /// At most one of these may be written.
  case atMostOne([String])
  /// If the first is written, the others must be too.
  case requires(String, [String])
  /// When the first argument has this value, the others must be written (`init: eva` needs `data`).
  case requiredWhen(String, Value, [String])

  /// The rule in words, for the docs.
  public var text: String {
    func names(_ l: [String]) -> String { l.map { "`\($0)`" }.joined(separator: ", ") }
    switch self {
    case .exactlyOne(let l): return "exactly one of \(names(l))"
    case .atMostOne(let l): return "at most one of \(names(l))"
    case .requires(let a, let l): return "`\(a)` requires \(names(l))"
    case .requiredWhen(let a, let v, let l): return "\(names(l)) required when `\(a)` is `\(v)`"
    }
  }
}

/// A kind of the catalogue: its sort, name, doc, paper, arguments, rules and lowering.
///
/// Equality and hashing cover the declaration (sort, name, doc, arguments, rules), not the lowering function.
/// A class: every instance decoded refers to its kind (``Instance/spec``), and a reference costs one retain where a
/// copy of the declaration cost eight.
public final class KindSpec: Hashable, Sendable {
  /// Which sort it belongs to.
  public let sort: Sort
  /// The kind name (`kaiming_normal`).
  public let name: String
  /// One line saying what it is.
  public let doc: String
  /// The paper or source it comes from, if any.
  public let paper: String?
  /// Its arguments, in documentation order.
  public let arguments: [ArgumentSpec]
  /// The argument a short form sets (`dense: 256` sets `units`), if any.
  public let mainArgument: String?
  /// Rules between arguments.
  public let constraints: [ArgumentConstraint]
  /// A YAML example for the docs (as it appears inside its section).
  public let example: String
  /// Turns a resolved instance of the kind into the typed configuration a task executes.
  public let lower: LoweringFunction
  /// The position of ``mainArgument`` in ``arguments``.
  let mainIndex: Int?

  /// Creates a kind.
  public init(
    _ sort: Sort, _ name: String, _ doc: String, paper: String? = nil, main: String? = nil,
    constraints: [ArgumentConstraint] = [], example: String = "", arguments: [ArgumentSpec] = [],
    lower: @escaping LoweringFunction
  ) {
    self.sort = sort
    self.name = name
    self.doc = doc
    self.paper = paper
    self.arguments = arguments
    self.mainArgument = main
    self.constraints = constraints
    self.example = example
    self.lower = lower
    self.mainIndex = main.flatMap { m in arguments.firstIndex { $0.name == m } }
  }

  /// Compares the declaration.
  public static func == (a: KindSpec, b: KindSpec) -> Bool {
    if a === b { return true }
    return a.sort == b.sort && a.name == b.name && a.doc == b.doc && a.paper == b.paper && a.arguments == b.arguments
      && a.mainArgument == b.mainArgument && a.constraints == b.constraints && a.example == b.example
  }

  /// Hashes sort and name.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(sort)
    hasher.combine(name)
  }

  /// The position of the argument named `name` in ``arguments`` (names compared in place, no spec copied).
  public func argumentIndex(_ name: String) -> Int? {
    for i in arguments.indices where arguments[i].name == name { return i }
    return nil
  }

  /// The argument named `name`.
  public func argument(_ name: String) -> ArgumentSpec? { argumentIndex(name).map { arguments[$0] } }

  /// The argument named `name`, trying position `hint` first: decoded instances list their arguments in
  /// catalogue order, so walking them with their index finds each one in one comparison.
  public func argument(_ name: String, hint: Int) -> ArgumentSpec? {
    if arguments.indices.contains(hint), arguments[hint].name == name { return arguments[hint] }
    return argument(name)
  }
}
