import Foundation
import SproutConfig
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
  // Each array's `didSet` drops its index (see `DefinitionIndex`); it must not read `oldValue`, which would copy
  // the whole array on every append and make decoding quadratic.
  /// Dataset definitions in document order.
  public var datasets: [DatasetDef] { didSet { DefinitionIndex.drop(&datasetsIndex) } }
  /// Model definitions in document order.
  public var models: [ModelDef] { didSet { DefinitionIndex.drop(&modelsIndex) } }
  /// Initializer definitions in document order.
  public var initializers: [InitializerDef] { didSet { DefinitionIndex.drop(&initializersIndex) } }
  /// Stage definitions in document order.
  public var stages: [StageDef] { didSet { DefinitionIndex.drop(&stagesIndex) } }
  /// Names of definitions that were written but dropped because of errors.
  public var invalidNames: [DefinitionSort: Set<String>]
  /// The file name used in diagnostics.
  public var file: String
  /// The axes each select stage chooses over and per (``SelectConfig/axes(over:per:matrixAxes:)``), read once by the
  /// decoder ahead of the definitions, so that `${select.STAGE.AXIS}` can be checked anywhere and the planner can
  /// order and gate its tasks before any stage is lowered.
  public var selectAxes: [String: SelectAxes] = [:]
  /// Ranges of the top-level keys as written (`"matrix"` → its key range), for diagnostics of later phases.
  public var keyRanges: [String: SourceRange]

  private var datasetsIndex = DefinitionIndex<DatasetID>()
  private var modelsIndex = DefinitionIndex<ModelID>()
  private var initializersIndex = DefinitionIndex<InitializerID>()
  private var stagesIndex = DefinitionIndex<StageID>()

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
  public func dataset(_ id: DatasetID) -> DatasetDef? { datasetsIndex.find(id, in: datasets, { $0.id }) }
  /// The model named `id`.
  public func model(_ id: ModelID) -> ModelDef? { modelsIndex.find(id, in: models, { $0.id }) }
  /// The initializer named `id`.
  public func initializer(_ id: InitializerID) -> InitializerDef? {
    initializersIndex.find(id, in: initializers, { $0.id })
  }
  /// The stage named `id`.
  public func stage(_ id: StageID) -> StageDef? { stagesIndex.find(id, in: stages, { $0.id }) }
  /// The param named `name`.
  public func param(_ name: String) -> Param? { params.first { $0.name == name } }

  /// The sorts under which `name` is defined (a name may be used in several sections).
  public func sorts(defining name: String) -> [DefinitionSort] {
    // Positions only: looking each definition up would copy it (and retain everything it holds) four times.
    var result: [DefinitionSort] = []
    if datasetsIndex.contains(DatasetID(name), in: datasets, { $0.id }) { result.append(.dataset) }
    if modelsIndex.contains(ModelID(name), in: models, { $0.id }) { result.append(.model) }
    if initializersIndex.contains(InitializerID(name), in: initializers, { $0.id }) { result.append(.initializer) }
    if stagesIndex.contains(StageID(name), in: stages, { $0.id }) { result.append(.stage) }
    return result
  }

  /// Whether `name` is defined under `sort` (one index lookup, where ``sorts(defining:)`` makes four).
  public func defines(_ name: String, as sort: DefinitionSort) -> Bool {
    switch sort {
    case .dataset: return datasetsIndex.contains(DatasetID(name), in: datasets, { $0.id })
    case .model: return modelsIndex.contains(ModelID(name), in: models, { $0.id })
    case .initializer: return initializersIndex.contains(InitializerID(name), in: initializers, { $0.id })
    case .stage: return stagesIndex.contains(StageID(name), in: stages, { $0.id })
    }
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

/// Positions of definitions by name (the first of each name), built on the first lookup after a change.
///
/// A spec's definition arrays drop their index whenever they change (an O(1) `didSet` that does not read `oldValue`,
/// so an `append` stays in place); the index is built from the arrays when a lookup needs it. Copies of a spec share
/// an index until one of them changes. A class, so lookups on an immutable spec can fill it; the lock makes that safe
/// when trials on several threads read one spec.
final class DefinitionIndex<ID: Hashable & Sendable>: @unchecked Sendable {
  // @unchecked Sendable: `positions` is read and written under `lock` (see above), which is also why the runtime's
  // exclusivity checks of it (a tenth of a look-up) are left out.
  private let lock = NSLock()
  @exclusivity(unchecked) private var positions: [ID: Int]?

  /// Drops the index of a changed array: a fresh one, unless `index` is unbuilt and this spec's alone, when it is as
  /// good as fresh (the decoder appends definitions one by one, and each append made and freed an index).
  static func drop(_ index: inout DefinitionIndex) {
    if !isKnownUniquelyReferenced(&index) || index.isBuilt { index = DefinitionIndex() }
  }

  private var isBuilt: Bool { lock.withLock { positions != nil } }

  /// The first item named `key`. `id` is a closure, not a key path: projecting a key path passed to a generic function
  /// cost ~450 instructions an item.
  func find<T>(_ key: ID, in items: [T], _ id: (T) -> ID) -> T? {
    position(key, in: items, id).map { items[$0] }
  }

  /// Whether a definition is named `key` (without copying it).
  func contains<T>(_ key: ID, in items: [T], _ id: (T) -> ID) -> Bool {
    position(key, in: items, id) != nil
  }

  private func position<T>(_ key: ID, in items: [T], _ id: (T) -> ID) -> Int? {
    lock.withLock { () -> Int? in
      if positions == nil {
        var built: [ID: Int] = [:]
        built.reserveCapacity(items.count)
        for i in items.indices {
          let name = id(items[i])
          if built[name] == nil { built[name] = i }
        }
        positions = built
      }
      return positions?[key]
    }
  }
}
