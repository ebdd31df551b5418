import SproutDiagnostics

/// A decoded spec: the typed AST of one experiment file (language version 1).
///
/// Produced by `SpecDecoder.decode`. Definitions that had errors are left out (and reported), so later phases
/// only see well-formed parts; `invalidNames` lists the names that were dropped, so references to them are not
/// reported a second time as undefined.
public struct Spec: Sendable {
  /// The language version (`sprout: 1`).
  public var version: Int
  /// The experiment name (an identifier), if given.
  public var name: String?
  /// Free text.
  public var description: String?
  /// The root seed; every random number derives from it. Defaults to 0.
  public var seed: Int
  /// `cpu` or `blas`, if given (the command line may override it).
  public var backend: BackendName?
  /// Named constants, referenced as `${params.NAME}`, in document order.
  public var params: [Param]
  /// The sweep, if any.
  public var matrix: MatrixSpec?
  /// Dataset definitions in document order.
  public var datasets: [DatasetDef] { didSet { Self.update(&datasetsIndex, datasets, old: oldValue.count, \.id) } }
  /// Model definitions in document order.
  public var models: [ModelDef] { didSet { Self.update(&modelsIndex, models, old: oldValue.count, \.id) } }
  /// Initializer definitions in document order.
  public var initializers: [InitializerDef] { didSet { Self.update(&initializersIndex, initializers, old: oldValue.count, \.id) } }
  /// Stage definitions in document order.
  public var stages: [StageDef] { didSet { Self.update(&stagesIndex, stages, old: oldValue.count, \.id) } }
  /// Names of definitions that were written but dropped because of errors.
  public var invalidNames: [DefinitionSort: Set<String>]
  /// The file name used in diagnostics.
  public var file: String
  /// Ranges of the top-level keys as written (`"matrix"` → its key range), for diagnostics of later phases.
  public var keyRanges: [String: SourceRange]

  private var datasetsIndex: [DatasetID: Int] = [:]
  private var modelsIndex: [ModelID: Int] = [:]
  private var initializersIndex: [InitializerID: Int] = [:]
  private var stagesIndex: [StageID: Int] = [:]

  private static func update<T, ID: Hashable>(_ index: inout [ID: Int], _ items: [T], old: Int, _ id: KeyPath<T, ID>) {
    if items.count == old + 1, let last = items.last {
      if index[last[keyPath: id]] == nil { index[last[keyPath: id]] = items.count - 1 }
      return
    }
    index = [:]
    for (i, item) in items.enumerated() where index[item[keyPath: id]] == nil { index[item[keyPath: id]] = i }
  }

  private static func find<T, ID: Hashable>(_ key: ID, in items: [T], _ index: [ID: Int], _ id: KeyPath<T, ID>) -> T? {
    if let i = index[key], i < items.count, items[i][keyPath: id] == key { return items[i] }
    return items.first { $0[keyPath: id] == key }
  }

  /// Creates an empty spec for `file`.
  public init(file: String) {
    self.version = 1
    self.name = nil
    self.description = nil
    self.seed = 0
    self.backend = nil
    self.params = []
    self.matrix = nil
    self.datasets = []
    self.models = []
    self.initializers = []
    self.stages = []
    self.invalidNames = [:]
    self.file = file
    self.keyRanges = [:]
  }

  /// The dataset named `id`.
  public func dataset(_ id: DatasetID) -> DatasetDef? { Self.find(id, in: datasets, datasetsIndex, \.id) }
  /// The model named `id`.
  public func model(_ id: ModelID) -> ModelDef? { Self.find(id, in: models, modelsIndex, \.id) }
  /// The initializer named `id`.
  public func initializer(_ id: InitializerID) -> InitializerDef? { Self.find(id, in: initializers, initializersIndex, \.id) }
  /// The stage named `id`.
  public func stage(_ id: StageID) -> StageDef? { Self.find(id, in: stages, stagesIndex, \.id) }
  /// The param named `name`.
  public func param(_ name: String) -> Param? { params.first { $0.name == name } }

  /// The sorts under which `name` is defined (a name may be used in several sections).
  public func sorts(defining name: String) -> [DefinitionSort] {
    var result: [DefinitionSort] = []
    if datasets.contains(where: { $0.id.name == name }) { result.append(.dataset) }
    if models.contains(where: { $0.id.name == name }) { result.append(.model) }
    if initializers.contains(where: { $0.id.name == name }) { result.append(.initializer) }
    if stages.contains(where: { $0.id.name == name }) { result.append(.stage) }
    return result
  }

  /// The names a reference-valued argument can take across the whole matrix: the literal name, or every value
  /// of the axis when the value is exactly `${matrix.AXIS}`, or every value of a param reference. Empty when the
  /// value cannot be resolved before planning.
  public func candidateNames(for value: Value) -> [String] {
    switch value {
    case .string(let s): return [s]
    case .expression(let e):
      guard case .reference(let path) = e.expression.node, path.count == 2 else { return [] }
      switch path[0] {
      case "matrix": return (matrix?.values(ofAxis: path[1]) ?? []).compactMap(\.stringValue)
      case "params": return param(path[1]).flatMap { $0.value.stringValue }.map { [$0] } ?? []
      default: return []
      }
    default: return []
    }
  }
}

/// The backend a spec asks for.
public enum BackendName: String, Sendable, Hashable, CaseIterable {
  /// Pure Swift.
  case cpu
  /// Matrix products through a CBLAS library.
  case blas
}

/// A named constant (`params.lr`).
public struct Param: Hashable, Sendable {
  /// The name.
  public var name: String
  /// Its value (never an expression).
  public var value: Value
  /// The key's range.
  public var keyRange: SourceRange
  /// The value's range.
  public var range: SourceRange

  /// Creates a param.
  public init(name: String, value: Value, keyRange: SourceRange, range: SourceRange) {
    self.name = name
    self.value = value
    self.keyRange = keyRange
    self.range = range
  }

  /// Compares name and value.
  public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.value == b.value }
  /// Hashes name and value.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(value)
  }
}
