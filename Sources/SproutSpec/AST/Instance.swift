import SproutDiagnostics

/// The sorts of things that have a `kind` from the catalogue.
public enum Sort: String, Sendable, Hashable, CaseIterable, Comparable {
  /// Dataset kinds (`teacher_student`, `npy`, ...).
  case dataset
  /// Layer kinds, activations included (`dense`, `relu`, `sine`, ...).
  case layer
  /// Initializer kinds (`kaiming_normal`, `low_rank`, ...).
  case initializer
  /// Optimizer kinds (`sgd`, `adam`, `adamw`).
  case optimizer
  /// Learning-rate schedules (`constant`, `cosine`, ...).
  case schedule
  /// Gradient clipping (`norm`, `value`).
  case clip
  /// Losses (`mse`, `cross_entropy`, ...).
  case loss
  /// Fine-tuning adapters (`lora`, `svfit`).
  case adapter
  /// Recorded metrics (`loss`, `effective_rank`, ...).
  case metric
  /// Stage kinds (`train`, `evaluate`, ...).
  case stage

  /// "an initializer", "a layer".
  public var withArticle: String {
    ["a", "e", "i", "o", "u"].contains(rawValue.prefix(1)) ? "an \(rawValue)" : "a \(rawValue)"
  }
  /// Orders by declaration order.
  public static func < (a: Self, b: Self) -> Bool { a.position < b.position }

  /// The position in `allCases` (declaration order).
  var position: Int {
    switch self {
    case .dataset: return 0
    case .layer: return 1
    case .initializer: return 2
    case .optimizer: return 3
    case .schedule: return 4
    case .clip: return 5
    case .loss: return 6
    case .adapter: return 7
    case .metric: return 8
    case .stage: return 9
    }
  }
}

/// One argument of an instance: its name, value and where both were written.
public struct Argument: Hashable, Sendable {
  /// The argument name (`lr`).
  public var name: String
  /// The value; an unresolved `.expression` until the planner resolves it.
  public var value: Value
  /// The key's range, `nil` when the value is a catalogue default or a short form's main argument.
  public var keyRange: SourceRange?
  /// The value's range (for defaults: the range of the instance they were filled into).
  public var range: SourceRange
  /// True when the value was not written but filled in from the catalogue's default.
  public var isDefault: Bool

  /// Creates an argument.
  public init(name: String, value: Value, keyRange: SourceRange?, range: SourceRange, isDefault: Bool = false) {
    self.name = name
    self.value = value
    self.keyRange = keyRange
    self.range = range
    self.isDefault = isDefault
  }

  /// Compares name, value and default flag; ranges are ignored.
  public static func == (a: Self, b: Self) -> Bool {
    a.name == b.name && a.value == b.value && a.isDefault == b.isDefault
  }
  /// Hashes name, value and default flag.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(value)
    hasher.combine(isDefault)
  }
}

/// The arguments of an instance in catalogue order (written ones and filled-in defaults).
public struct Arguments: Hashable, Sendable, Sequence {
  /// All arguments.
  public var entries: [Argument]

  /// Creates an argument list.
  public init(_ entries: [Argument] = []) { self.entries = entries }

  /// The argument named `name`, if present.
  public func argument(_ name: String) -> Argument? { index(of: name).map { entries[$0] } }

  /// The value of the argument named `name`, if present.
  public subscript(name: String) -> Value? { index(of: name).map { entries[$0].value } }

  /// The position of the argument named `name`. Compares names in place: `first(where:)` would copy every
  /// argument it passes (this lookup runs for every argument every check reads).
  /// The position of the argument named `name` in `entries`, if present.
  public func index(of name: String) -> Int? {
    for i in entries.indices where entries[i].name == name { return i }
    return nil
  }

  /// Sets or replaces an argument.
  public mutating func set(_ argument: Argument) {
    if let i = entries.firstIndex(where: { $0.name == argument.name }) {
      entries[i] = argument
    } else {
      entries.append(argument)
    }
  }

  /// Iterates the arguments.
  public func makeIterator() -> IndexingIterator<[Argument]> { entries.makeIterator() }

  /// True when some argument's value is or holds an unresolved expression.
  var holdsExpression: Bool {
    for i in entries.indices where entries[i].value.containsExpression { return true }
    return false
  }
}

/// Something with a `kind` from the catalogue and its decoded arguments: a dataset, a layer, an initializer rule,
/// an optimizer, a schedule, a loss, an adapter, a metric, a stage.
public struct Instance: Hashable, Sendable, CustomStringConvertible {
  /// Which catalogue section the kind comes from.
  public var sort: Sort { didSet { spec = Catalogue.kind(sort, kind) } }
  /// The kind name (`kaiming_normal`), always a kind of the catalogue (unknown kinds are not decoded).
  public var kind: String { didSet { spec = Catalogue.kind(sort, kind) } }
  /// The catalogue entry of the kind (nil for a layer whose kind an expression chooses), looked up once when the
  /// instance is made: decoding, checks and lowering read it for every instance, and each look-up hashed the name.
  public private(set) var spec: KindSpec?
  /// The arguments, defaults filled in.
  public var arguments: Arguments { didSet { holdsExpression = arguments.holdsExpression } }
  /// True when an argument (or anything inside one) is an unresolved expression; kept with the arguments, so the
  /// many walks that ask (resolution, re-checks, trial invariance) answer without visiting every argument.
  public private(set) var holdsExpression: Bool
  /// The range of the whole instance (its mapping or scalar).
  public var range: SourceRange
  /// The range of the kind name.
  public var kindRange: SourceRange

  /// Creates an instance.
  public init(sort: Sort, kind: String, arguments: Arguments, range: SourceRange, kindRange: SourceRange) {
    self.sort = sort
    self.kind = kind
    self.spec = Catalogue.kind(sort, kind)
    self.arguments = arguments
    self.holdsExpression = arguments.holdsExpression
    self.range = range
    self.kindRange = kindRange
  }

  /// Creates an instance of a catalogue kind.
  init(of spec: KindSpec, arguments: Arguments, range: SourceRange, kindRange: SourceRange) {
    self.sort = spec.sort
    self.kind = spec.name
    self.spec = spec
    self.arguments = arguments
    self.holdsExpression = arguments.holdsExpression
    self.range = range
    self.kindRange = kindRange
  }

  /// The value of argument `name`.
  public subscript(name: String) -> Value? { arguments[name] }

  /// Compares sort, kind and arguments; ranges are ignored.
  public static func == (a: Self, b: Self) -> Bool {
    a.sort == b.sort && a.kind == b.kind && a.arguments == b.arguments
  }
  /// Hashes sort, kind and arguments.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(sort)
    hasher.combine(kind)
    hasher.combine(arguments)
  }

  /// `{kind: sgd, lr: 0.1, ...}` with every argument, in catalogue order: the canonical form.
  public var description: String {
    let args = arguments.entries.map { "\($0.name): \($0.value.description)" }
    return "{" + (["kind: \(kind)"] + args).joined(separator: ", ") + "}"
  }
}
