import SproutConfig
import SproutDiagnostics
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

  /// True when no expression in `value` reads the matrix or the trial (only `params`, or none at all).
  static func isTrialInvariant(_ value: Value) -> Bool {
    switch value {
    case .null, .bool, .int, .float, .string: return true
    case .expression(let e): return e.expression.references.allSatisfy { $0.path.first == "params" }
    case .list(let items): return items.allSatisfy(isTrialInvariant)
    case .map(let entries): return entries.allSatisfy { isTrialInvariant($0.value) }
    case .instance(let i): return i.arguments.entries.allSatisfy { isTrialInvariant($0.value) }
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
