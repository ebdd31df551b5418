import SproutConfig
import SproutDiagnostics

/// The typed configuration a catalogue kind lowers to: one case per sort.
public enum Lowered: Hashable, Sendable {
  case dataset(DatasetConfig)
  case layer(LayerConfig)
  case initializer(InitRule)
  case optimizer(OptimizerConfig)
  case schedule(Schedule)
  case clip(ClipConfig)
  case loss(LossConfig)
  case adapter(AdapterConfig)
  case metric(MetricConfig)
  case stage(StageConfig)
}

/// How a kind turns its resolved arguments into the typed configuration a task executes. Written once, beside
/// the kind's arguments in its catalogue section.
public typealias LoweringFunction = @Sendable (inout Lowerer) throws -> Lowered

/// A problem found while lowering: a combination the executor cannot honour, an argument that would have no
/// effect, a reference that does not resolve. Reported by lint at the argument's range.
public struct LoweringError: Error, Sendable {
  /// The diagnostic to report, or nil when the problem was already reported (a broken definition another one
  /// references).
  public var diagnostic: Diagnostic?

  /// Creates an error.
  public init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }

  private init() { diagnostic = nil }

  /// A problem already reported where it is.
  public static let alreadyReported = LoweringError()
}

/// What lowering needs from outside one instance: the definitions a stage references, lowered for the same trial,
/// and the contents of the files a dataset reads. The planner implements it.
public protocol LoweringContext {
  /// The model named `name`, lowered.
  func model(_ name: String, at argument: Argument, path: String) throws -> ModelConfig
  /// The initializer named `name`, lowered.
  func initialization(_ name: String, at argument: Argument, path: String) throws -> InitConfig
  /// The dataset (or split) `reference` names, lowered.
  func data(_ reference: String, at argument: Argument, path: String) throws -> DataSelection
  /// The stage named `name` as this task reads it: its lowered configuration.
  func upstream(_ name: String, at argument: Argument, path: String) throws -> StageConfig
  /// The file at `path` (as written; relative to the spec's directory), with its content digest.
  func file(_ path: String, at argument: Argument, path keyPath: String) throws -> DataFile
}

/// Where an instance is lowered: its parent's key path and the step to it (`.record[0]`), spelled out only when a
/// problem or a nested definition reads it (a nested definition's path string per lowering was a tenth of
/// lowering a model).
public struct LoweringPlace: Sendable {
  var parent: String
  var key: String?
  var index: Int?

  /// The place at `path`.
  public init(_ path: String) { parent = path }

  /// Argument `key` of the instance at `parent` (item `index` of it, when it is a list).
  public init(parent: String, key: String, index: Int? = nil) {
    self.parent = parent
    self.key = key
    self.index = index
  }

  /// The key path (`stages.train.record[0]`).
  public var text: String {
    var s = parent
    if let key { s = s.isEmpty ? key : "\(s).\(key)" }
    if let index { s += "[\(index)]" }
    return s
  }
}

/// Reads one resolved instance's arguments for its kind's ``LoweringFunction``.
///
/// Every argument read is remembered: when the function returns, an argument the spec *wrote* (not a catalogue
/// default) that the lowering never read would be silently ignored, so it is an error at its range
/// (`spec.no-effect`) with the reason the lowering gave (``noEffect(_:_:)``). Defaults come only from the
/// catalogue (the decoder fills them in); a lowering never restates one.
public struct Lowerer {
  /// The instance.
  public let instance: Instance
  /// Its key path (`stages.train.optimizer`).
  public var path: String { place.text }
  /// Where it is.
  let place: LoweringPlace
  /// References and files.
  public let context: any LoweringContext
  /// The name of the definition being lowered (a dataset's name keys its random streams).
  public let definitionName: String
  /// Which of `instance.arguments` the lowering read, by position (a `Set` of names that grew from empty cost
  /// ~1 k instructions per argument read).
  private var read: [Bool]
  /// Where the next argument is looked for first: lowering functions read arguments mostly in catalogue order, the
  /// order of ``Arguments/entries``, so each look-up usually compares one name.
  private var next = 0
  private var reasons: [String: String] = [:]

  /// Creates a lowerer.
  public init(instance: Instance, path: String, context: any LoweringContext, definitionName: String = "") {
    self.init(instance: instance, place: LoweringPlace(path), context: context, definitionName: definitionName)
  }

  /// Creates a lowerer of an instance at `place`.
  public init(instance: Instance, place: LoweringPlace, context: any LoweringContext, definitionName: String = "") {
    self.instance = instance
    self.place = place
    self.context = context
    self.definitionName = definitionName
    self.read = Array(repeating: false, count: instance.arguments.entries.count)
  }

  /// Lowers `instance` by its kind's catalogue entry; `definitionName` names the definition it is (a dataset's).
  public static func lower(
    _ instance: Instance, path: String, context: any LoweringContext, definitionName: String = ""
  ) throws -> Lowered {
    try lower(instance, place: LoweringPlace(path), context: context, definitionName: definitionName)
  }

  /// Lowers `instance`, written at `place`, by its kind's catalogue entry.
  public static func lower(
    _ instance: Instance, place: LoweringPlace, context: any LoweringContext, definitionName: String = ""
  ) throws -> Lowered {
    guard let spec = instance.spec else {
      throw LoweringError(
        Diagnostic(
          "spec.unknown-kind", "unknown \(instance.sort.rawValue) '\(instance.kind)'", at: instance.kindRange,
          path: place.text))
    }
    var lowerer = Lowerer(instance: instance, place: place, context: context, definitionName: definitionName)
    let value = try spec.lower(&lowerer)
    try lowerer.finish()
    return value
  }

  /// Fails on a written argument the lowering did not read.
  mutating func finish() throws {
    // By index: enumerating copied every argument.
    let entries = instance.arguments.entries
    for i in entries.indices where !entries[i].isDefault && !read[i] {
      let argument = entries[i]
      let reason = reasons[argument.name].map { ": \($0)" } ?? ""
      throw LoweringError(
        Diagnostic(
          "spec.no-effect",
          "'\(argument.name)' has no effect in this \(instance.sort.rawValue) '\(instance.kind)'\(reason)",
          at: argument.keyRange ?? argument.range, path: argPath(argument.name), help: "remove it"))
    }
  }

  /// Says why `name` has no effect in the combination being lowered, for the error if it was written.
  public mutating func noEffect(_ name: String, _ reason: String) { reasons[name] = reason }

  // MARK: - Scalars

  /// The key path of argument `name`.
  public func argPath(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

  /// The position of argument `name` in the instance's entries, searched from ``next`` on (names are unique, so
  /// the answer is the one `Arguments.index(of:)` gives).
  private mutating func position(_ name: String) -> Int? {
    let entries = instance.arguments.entries
    let n = entries.count
    var i = next
    for _ in 0..<n {
      if i >= n { i = 0 }
      if entries[i].name == name {
        next = i + 1
        return i
      }
      i += 1
    }
    return nil
  }

  /// The argument `name`, present (written or defaulted), marked read.
  public mutating func argument(_ name: String) throws -> Argument {
    instance.arguments.entries[try index(name)]
  }

  /// The position of argument `name`, present (written or defaulted), marked read.
  private mutating func index(_ name: String) throws -> Int {
    guard let i = position(name) else {
      throw LoweringError(
        Diagnostic(
          "spec.missing-required", "\(instance.sort.rawValue) '\(instance.kind)' needs '\(name)'",
          at: instance.kindRange, path: path))
    }
    read[i] = true
    return i
  }

  /// The position of argument `name` if present and not null, marked read.
  private mutating func optionalIndex(_ name: String) -> Int? {
    guard let i = position(name) else { return nil }
    read[i] = true
    if case .null = instance.arguments.entries[i].value { return nil }
    return i
  }

  /// The argument `name` if present, marked read.
  public mutating func optionalArgument(_ name: String) -> Argument? {
    optionalIndex(name).map { instance.arguments.entries[$0] }
  }

  /// An error at argument `name`.
  public func fail(_ name: String, _ message: String, help: String? = nil) -> LoweringError {
    let a = instance.arguments.argument(name)
    return LoweringError(
      Diagnostic("spec.cannot-run", message, at: a?.range ?? instance.range, path: argPath(name), help: help))
  }

  private func wrong(_ a: Argument, _ expected: String) -> LoweringError {
    LoweringError(
      Diagnostic(
        "spec.wrong-type", "expected \(expected), found \(a.value.kindDescription)", at: a.range,
        path: argPath(a.name)))
  }

  /// An integer argument.
  public mutating func int(_ name: String) throws -> Int {
    let n = try index(name)
    guard case .int(let i) = instance.arguments.entries[n].value else {
      throw wrong(instance.arguments.entries[n], "an integer")
    }
    return i
  }

  /// An integer argument, if present.
  public mutating func optionalInt(_ name: String) throws -> Int? {
    guard let n = optionalIndex(name) else { return nil }
    guard case .int(let i) = instance.arguments.entries[n].value else {
      throw wrong(instance.arguments.entries[n], "an integer")
    }
    return i
  }

  /// A number argument (finite).
  public mutating func double(_ name: String) throws -> Double {
    let n = try index(name)
    if case .float(let d) = instance.arguments.entries[n].value, d.isFinite { return d }
    return try Self.number(instance.arguments.entries[n], self)
  }

  /// A number argument, if present.
  public mutating func optionalDouble(_ name: String) throws -> Double? {
    guard let n = optionalIndex(name) else { return nil }
    if case .float(let d) = instance.arguments.entries[n].value, d.isFinite { return d }
    return try Self.number(instance.arguments.entries[n], self)
  }

  private static func number(_ a: Argument, _ l: Lowerer) throws -> Double {
    guard let d = a.value.doubleValue else { throw l.wrong(a, "a number") }
    guard d.isFinite else {
      throw LoweringError(
        Diagnostic("spec.non-finite-number", "\(a.name) must be a finite number", at: a.range, path: l.argPath(a.name)))
    }
    return d
  }

  /// A list of numbers.
  public mutating func doubles(_ name: String) throws -> [Double] {
    let a = try argument(name)
    return try Self.numbers(a, self)
  }

  /// A list of numbers, if present.
  public mutating func optionalDoubles(_ name: String) throws -> [Double]? {
    guard let a = optionalArgument(name) else { return nil }
    return try Self.numbers(a, self)
  }

  private static func numbers(_ a: Argument, _ l: Lowerer) throws -> [Double] {
    guard let items = a.value.listValue else { throw l.wrong(a, "a list of numbers") }
    return try items.map { item in
      guard let d = item.doubleValue, d.isFinite else { throw l.wrong(a, "a list of finite numbers") }
      return d
    }
  }

  /// A list of integers.
  public mutating func ints(_ name: String) throws -> [Int] {
    let a = try argument(name)
    guard let items = a.value.listValue else { throw wrong(a, "a list of integers") }
    return try items.map { item in
      guard let i = item.intValue else { throw wrong(a, "a list of integers") }
      return i
    }
  }

  /// A boolean argument.
  public mutating func bool(_ name: String) throws -> Bool {
    let n = try index(name)
    guard case .bool(let b) = instance.arguments.entries[n].value else {
      throw wrong(instance.arguments.entries[n], "true or false")
    }
    return b
  }

  /// A string argument.
  public mutating func string(_ name: String) throws -> String {
    let n = try index(name)
    guard case .string(let s) = instance.arguments.entries[n].value else {
      throw wrong(instance.arguments.entries[n], "a string")
    }
    return s
  }

  /// A string argument, if present.
  public mutating func optionalString(_ name: String) throws -> String? {
    guard let a = optionalArgument(name) else { return nil }
    guard let s = a.value.stringValue else { throw wrong(a, "a string") }
    return s
  }

  /// One of the words of an enumeration argument, as the typed enumeration.
  public mutating func choice<E: RawRepresentable>(_ name: String, _ type: E.Type) throws -> E where E.RawValue == String {
    let n = try index(name)
    guard case .string(let s) = instance.arguments.entries[n].value, let e = E(rawValue: s) else {
      throw wrong(instance.arguments.entries[n], "one of its words")
    }
    return e
  }

  /// A list of words of an enumeration.
  public mutating func choices<E: RawRepresentable>(_ name: String, _ type: E.Type) throws -> [E]
  where E.RawValue == String {
    let a = try argument(name)
    guard let items = a.value.listValue else { throw wrong(a, "a list") }
    return try items.map { item in
      guard let s = item.stringValue, let e = E(rawValue: s) else { throw wrong(a, "a list of its words") }
      return e
    }
  }

  /// A layer selector (`all`, `first`, `last`, an index or a list of indices).
  public mutating func layerSet(_ name: String) throws -> LayerSet {
    let a = try argument(name)
    switch a.value {
    case .string("all"): return .all
    case .string("first"): return .first
    case .string("last"): return .last
    case .int(let i): return .indices([i])
    case .list(let items):
      let ints = items.compactMap(\.intValue)
      guard ints.count == items.count else { throw wrong(a, "a layer selector") }
      return .indices(ints)
    default: throw wrong(a, "a layer selector")
    }
  }

  /// A record argument's fields (`tract: 0.1` is `{lambda: 0.1}`), if present.
  public mutating func optionalRecord(_ name: String) throws -> [String: Value]? {
    guard let a = optionalArgument(name) else { return nil }
    guard case .map(let entries) = a.value else { throw wrong(a, "a mapping") }
    return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
  }

  // MARK: - Nested kinds

  private mutating func nested(_ name: String) throws -> (Instance, LoweringPlace)? {
    guard let a = optionalArgument(name) else { return nil }
    guard case .instance(let i) = a.value else { throw wrong(a, "a kind") }
    return (i, LoweringPlace(parent: path, key: name))
  }

  private mutating func nestedList(_ name: String) throws -> [(Instance, LoweringPlace)] {
    let a = try argument(name)
    guard let items = a.value.listValue else { throw wrong(a, "a list") }
    let parent = path
    return try items.enumerated().map { n, item in
      guard case .instance(let i) = item else { throw wrong(a, "a list of kinds") }
      return (i, LoweringPlace(parent: parent, key: name, index: n))
    }
  }

  private func lower(_ nested: (Instance, LoweringPlace)) throws -> Lowered {
    try Lowerer.lower(nested.0, place: nested.1, context: context)
  }

  private func unexpected(_ path: String) -> LoweringError {
    LoweringError(Diagnostic("spec.wrong-type", "a kind of the wrong sort", at: instance.range, path: path))
  }

  /// A nested initializer rule.
  public mutating func initRule(_ name: String) throws -> InitRule {
    guard let n = try nested(name) else { throw fail(name, "'\(name)' is missing") }
    guard case .initializer(let r) = try lower(n) else { throw unexpected(n.1.text) }
    return r
  }

  /// A nested initializer rule, if present.
  public mutating func optionalInitRule(_ name: String) throws -> InitRule? {
    guard let n = try nested(name) else { return nil }
    guard case .initializer(let r) = try lower(n) else { throw unexpected(n.1.text) }
    return r
  }

  /// A nested schedule.
  public mutating func schedule(_ name: String) throws -> Schedule {
    guard let n = try nested(name) else { throw fail(name, "'\(name)' is missing") }
    guard case .schedule(let s) = try lower(n) else { throw unexpected(n.1.text) }
    return s
  }

  /// A nested clip, if present.
  public mutating func optionalClip(_ name: String) throws -> ClipConfig? {
    guard let n = try nested(name) else { return nil }
    guard case .clip(let c) = try lower(n) else { throw unexpected(n.1.text) }
    return c
  }

  /// A nested loss, if present.
  public mutating func optionalLoss(_ name: String) throws -> LossConfig? {
    guard let n = try nested(name) else { return nil }
    guard case .loss(let l) = try lower(n) else { throw unexpected(n.1.text) }
    return l
  }

  /// A nested optimizer.
  public mutating func optimizer(_ name: String) throws -> OptimizerConfig {
    guard let n = try nested(name) else { throw fail(name, "'\(name)' is missing") }
    guard case .optimizer(let o) = try lower(n) else { throw unexpected(n.1.text) }
    return o
  }

  /// A list of layers (`repeat` blocks expanded).
  public mutating func layers(_ name: String) throws -> [LayerConfig] {
    try Catalogue.layerList(try nestedList(name), context: context)
  }

  /// A list of metrics.
  public mutating func metrics(_ name: String) throws -> [MetricConfig] {
    try nestedList(name).map { n in
      guard case .metric(let m) = try lower(n) else { throw unexpected(n.1.text) }
      return m
    }
  }

  /// A list of adapters.
  public mutating func adapters(_ name: String) throws -> [AdapterConfig] {
    try nestedList(name).map { n in
      guard case .adapter(let a) = try lower(n) else { throw unexpected(n.1.text) }
      return a
    }
  }

  // MARK: - References

  /// The model an argument names, lowered.
  public mutating func model(_ name: String) throws -> ModelConfig {
    let a = try argument(name)
    guard let s = a.value.stringValue else { throw wrong(a, "a model name") }
    return try context.model(s, at: a, path: argPath(name))
  }

  /// The initializer an argument names, lowered.
  public mutating func initialization(_ name: String) throws -> InitConfig {
    let a = try argument(name)
    guard let s = a.value.stringValue else { throw wrong(a, "an initializer name") }
    return try context.initialization(s, at: a, path: argPath(name))
  }

  /// The data an argument names.
  public mutating func data(_ name: String) throws -> DataSelection {
    let a = try argument(name)
    guard let s = a.value.stringValue else { throw wrong(a, "a dataset name") }
    return try context.data(s, at: a, path: argPath(name))
  }

  /// The data an argument names, if present.
  public mutating func optionalData(_ name: String) throws -> DataSelection? {
    guard let a = optionalArgument(name) else { return nil }
    guard let s = a.value.stringValue else { throw wrong(a, "a dataset name") }
    return try context.data(s, at: a, path: argPath(name))
  }

  /// The stage an argument names, with its lowered configuration.
  public mutating func upstream(_ name: String) throws -> (name: String, config: StageConfig) {
    let a = try argument(name)
    guard let s = a.value.stringValue else { throw wrong(a, "a stage name") }
    return (s, try context.upstream(s, at: a, path: argPath(name)))
  }

  /// The stages a list argument names.
  public mutating func upstreams(_ name: String) throws -> [(name: String, config: StageConfig)] {
    let a = try argument(name)
    guard let items = a.value.listValue else { throw wrong(a, "a list of stage names") }
    return try items.map { item in
      guard let s = item.stringValue else { throw wrong(a, "a list of stage names") }
      return (s, try context.upstream(s, at: a, path: argPath(name)))
    }
  }

  /// The final model an upstream stage produces, or an error at the argument when it produces none.
  public mutating func upstreamModel(_ name: String) throws -> UpstreamModel {
    let up = try upstream(name)
    return try modelOf(up, argument: name)
  }

  /// The model of an already-read upstream stage.
  public func modelOf(_ up: (name: String, config: StageConfig), argument name: String) throws -> UpstreamModel {
    switch up.config {
    case .train(let model, _, _): return UpstreamModel(stage: up.name, model: model)
    case .finetune(let from, _, _): return UpstreamModel(stage: up.name, model: from.model)
    case .merge(let base, _, _, _): return UpstreamModel(stage: up.name, model: base.model)
    default:
      throw fail(
        name, "stage '\(up.name)' is a \(up.config.name) stage, which produces no model",
        help: "name a train, finetune or merge stage")
    }
  }

  /// A data file an argument names, with its content digest.
  public mutating func file(_ name: String) throws -> DataFile {
    let a = try argument(name)
    guard let s = a.value.stringValue else { throw wrong(a, "a path") }
    return try context.file(s, at: a, path: argPath(name))
  }
}
