import SproutConfig
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// Work shared across trials. Most trials of a sweep share most of their definitions (every seed of one width has
/// the same model), so definitions that no trial value reaches are lowered once, and checks are run once per
/// distinct resolved input and replayed for the other trials (so the trial counts in notes stay right). A class,
/// because every trial's context writes to it.
final class PlanCaches {
  /// Lowered models, initializers and datasets whose expressions only read `params`, by key path
  /// (`models.net`); nil when lowering failed (already reported).
  var invariant: [String: LoweredDefinition?] = [:]
  /// Catalogue re-check results by key path and resolved value.
  var catalogue: [ResolvedKey: [Diagnostic]] = [:]
  /// Catalogue re-check results of trial-invariant definitions, by key path and where the instance was written
  /// (an initializer's layer rules share one path): their resolved value is the same in every trial, so hashing
  /// it (a whole stage's arguments) would only cost.
  var invariantCatalogue: [InvariantKey: [Diagnostic]] = [:]
  /// SHA-256 (hex) of each distinct task configuration's canonical encoding.
  var digests: [TaskConfig: String] = [:]
  /// Stage check results by the task's configuration and its inputs'.
  var stageChecks: [[TaskConfig?]: [Diagnostic]] = [:]
  /// Stages whose task is the same in every trial but for the trial's seed and key, from the first trial.
  var fixedTasks: [StageID: FixedTask] = [:]
  /// The first lowered configuration of each per-trial stage, which a task over all trials (a select) checks what it
  /// reads against.
  var firstConfigs: [StageID: TaskConfig] = [:]
}

/// The definitions whose expressions read only `params` (or that have none), so that they are the same in every
/// trial: asked by node, or by key path (`models.net`).
struct InvariantDefinitions {
  /// The defined trial-invariant definitions.
  private var nodes: Set<NodeID> = []

  init(_ spec: Spec, reads: ExpressionReads) {
    nodes.reserveCapacity(spec.stages.count + spec.datasets.count + spec.models.count + spec.initializers.count)
    func add(_ node: NodeID) { if reads.reads(of: node).isTrialInvariant { nodes.insert(node) } }
    for i in spec.stages.indices { add(.stage(spec.stages[i].id)) }
    for i in spec.datasets.indices { add(.dataset(spec.datasets[i].id)) }
    for i in spec.models.indices { add(.model(spec.models[i].id)) }
    for i in spec.initializers.indices { add(.initializer(spec.initializers[i].id)) }
  }

  /// Whether `node` is a trial-invariant definition of the spec.
  func contains(_ node: NodeID) -> Bool { nodes.contains(node) }

  /// Whether `path` is `SECTION.NAME` of a trial-invariant definition.
  func contains(_ path: String) -> Bool {
    guard let dot = path.utf8.firstIndex(of: UInt8(ascii: ".")) else { return false }
    let name = String(path[path.utf8.index(after: dot)...])
    switch path[..<dot] {
    case "stages": return contains(.stage(StageID(name)))
    case "datasets": return contains(.dataset(DatasetID(name)))
    case "models": return contains(.model(ModelID(name)))
    case "initializers": return contains(.initializer(InitializerID(name)))
    default: return false
    }
  }
}

/// A lowered model, initializer or dataset.
enum LoweredDefinition: Hashable {
  case model(ModelConfig)
  case initialization(InitConfig)
  case dataset(DatasetConfig)
}

/// A resolved value at a key path, as a cache key (ranges do not take part in `==`).
struct ResolvedKey: Hashable {
  let path: String
  let value: Value
}

/// A trial-invariant instance: its key path and the file and byte offsets it was written at.
struct InvariantKey: Hashable {
  let path: String
  let file: SourceFileID
  let start: Int
  let end: Int
}

/// What a stage's task is in every trial when nothing it reads depends on the trial: its configuration, that
/// configuration's digest, the upstream stages it reads and what its checks found.
///
/// A stage is fixed when its own definition, the model, initializer and datasets it uses are trial-invariant
/// (their expressions read only `params`) and every stage it reads is fixed. Later trials then build its task
/// from this record instead of resolving, lowering and checking it again; the checks' findings are replayed with
/// each trial's label, so the diagnostics are those of the full work.
struct FixedTask {
  /// The lowered configuration, nil when lowering failed.
  var config: TaskConfig?
  /// SHA-256 (hex) of the configuration; empty when planning checks only.
  var digest: String
  var upstream: [StageID]
  var checkFindings: [Diagnostic]
}
