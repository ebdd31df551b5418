import SproutConfig
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// Lowers one trial's definitions: resolves their expressions with the trial's values, re-checks the resolved
/// arguments against the catalogue, and lowers them into the typed configuration tasks execute. Models,
/// initializers and datasets no trial value reaches are lowered once per plan (``PlanCaches``); the rest once per
/// trial. Problems are collected in ``found`` with the trial they belong to, for the caller to merge.
///
/// A class: it is the ``LoweringContext`` the catalogue's lowering functions call back into while it fills its
/// caches.
final class TrialLowering: LoweringContext {
  let builder: PlanBuilder
  let caches: PlanCaches
  let resolver: TrialResolver
  /// The trial's label for notes (`t0003 (init=lowrank)`), nil for a task over all trials.
  let label: String?
  /// Problems found, each with the trial label to report it under (nil: found once for the whole plan).
  private(set) var found: [(Diagnostic, String?)] = []
  /// This trial's lowered definitions by key path (nil: lowering failed, already reported).
  private var lowered: [String: LoweredDefinition?] = [:]
  /// This trial's lowered stages.
  var stages: [StageID: TaskConfig?] = [:]

  init(builder: PlanBuilder, caches: PlanCaches, resolver: TrialResolver, label: String?) {
    self.builder = builder
    self.caches = caches
    self.resolver = resolver
    self.label = label
  }

  /// Takes the problems found so far.
  func drain() -> [(Diagnostic, String?)] {
    defer { found = [] }
    return found
  }

  // MARK: - Resolution

  /// `value` with this trial's values substituted and every resolved instance re-checked against the catalogue
  /// (a matrix value can be out of range); nil when something did not resolve or fit (reported).
  /// `path` is built only for a value that holds an expression (most of a model's layers hold none).
  func resolve(_ value: Value, path makePath: @autoclosure () -> String, invariant: Bool) -> Value? {
    var r = resolver
    guard let resolved = r.resolvedIfChanged(value) else { return value }
    let path = makePath()
    let note = invariant ? nil : label
    // A layer whose kind an expression chose becomes that kind, with its defaults, before it is checked.
    let v = path.hasPrefix("models.") ? resolved.choosingKinds : resolved
    for e in r.errors { found.append((e.diagnostic(path: path), note)) }
    guard r.errors.isEmpty else { return nil }
    guard case .instance(let instance) = v else { return v }
    func check() -> [Diagnostic] {
      var local = Diagnostics()
      if case .instance(let written) = value {
        Catalogue.check(instance, resolvedFrom: written, path: path, diagnostics: &local)
      } else {
        Catalogue.check(instance, path: path, diagnostics: &local)
      }
      return local.all
    }
    let problems: [Diagnostic]
    if invariant, instance.range.start.offset >= 0, instance.range.end.offset >= 0 {
      let key = InvariantKey(
        path: path, file: instance.range.fileID, start: instance.range.start.offset, end: instance.range.end.offset)
      if let known = caches.invariantCatalogue[key] {
        problems = known
      } else {
        problems = check()
        caches.invariantCatalogue[key] = problems
      }
    } else {
      let key = ResolvedKey(path: path, value: v)
      if let known = caches.catalogue[key] {
        problems = known
      } else {
        problems = check()
        caches.catalogue[key] = problems
      }
    }
    for d in problems { found.append((d, note)) }
    return problems.contains { $0.severity == .error } ? nil : v
  }

  /// ``resolve(_:path:invariant:)`` of an instance. One without an expression is returned as it is, without
  /// wrapping it in a `Value` (a boxed copy) to find that out: most of a spec's layers and rules hold none.
  func resolve(instance: Instance, path makePath: @autoclosure () -> String, invariant: Bool) -> Instance? {
    guard instance.holdsExpression else { return instance }
    guard case .instance(let resolved)? = resolve(.instance(instance), path: makePath(), invariant: invariant) else {
      return nil
    }
    return resolved
  }

  /// Runs `lower`, recording its problem; nil when it failed.
  private func attempt<T>(invariant: Bool, _ lower: () throws -> T) -> T? {
    do { return try lower() } catch let e as LoweringError {
      if let d = e.diagnostic { found.append((d, invariant ? nil : label)) }
      return nil
    } catch {
      preconditionFailure("lowering throws LoweringError only, got \(error)")
    }
  }

  /// A definition lowered once per plan when `invariant`, else once per trial.
  private func definition(
    _ path: String, _ make: (_ invariant: Bool) -> LoweredDefinition?
  ) -> LoweredDefinition? {
    let invariant = builder.invariant.contains(path)
    if invariant, let known = caches.invariant[path] { return known }
    if !invariant, let known = lowered[path] { return known }
    let value = make(invariant)
    if invariant { caches.invariant[path] = .some(value) } else { lowered[path] = .some(value) }
    return value
  }

  /// The model named `name` as this trial lowered it so far, without lowering it; nil when it was not lowered (or
  /// its lowering failed).
  func loweredModel(_ name: String) -> ModelConfig? {
    let key = "models.\(name)"
    let known = builder.invariant.contains(key) ? caches.invariant[key] : lowered[key]
    guard case .model(let m)?? = known else { return nil }
    return m
  }

  // MARK: - LoweringContext

  func model(_ name: String, at argument: Argument, path: String) throws -> ModelConfig {
    guard let def = builder.spec.model(ModelID(name)) else { throw LoweringError.alreadyReported }
    let key = "models.\(name)"
    let result = definition(key) { invariant in
      guard let input = resolve(def.input, path: "\(key).input", invariant: invariant) else { return nil }
      var layers: [Instance] = []
      for (n, layer) in def.layers.enumerated() {
        guard let i = resolve(instance: layer, path: "\(key).layers[\(n)]", invariant: invariant) else { return nil }
        layers.append(i)
      }
      return attempt(invariant: invariant) {
        .model(try DefinitionLowering.model(def, input: input, layers: layers, context: self))
      }
    }
    guard case .model(let m)? = result else { throw LoweringError.alreadyReported }
    return m
  }

  func initialization(_ name: String, at argument: Argument, path: String) throws -> InitConfig {
    guard let def = builder.spec.initializer(InitializerID(name)) else { throw LoweringError.alreadyReported }
    let key = "initializers.\(name)"
    let result = definition(key) { invariant in
      func instance(_ i: Instance, _ p: String) -> Instance? {
        resolve(instance: i, path: p, invariant: invariant)
      }
      guard let rule = instance(def.rule, key), let bias = instance(def.bias, "\(key).bias") else { return nil }
      var overrides: [Instance] = []
      for entry in def.layerRules {
        guard let r = instance(entry.rule, "\(key).layers") else { return nil }
        overrides.append(r)
      }
      return attempt(invariant: invariant) {
        .initialization(
          try DefinitionLowering.initialization(def, rule: rule, layerRules: overrides, bias: bias, context: self))
      }
    }
    guard case .initialization(let i)? = result else { throw LoweringError.alreadyReported }
    return i
  }

  func data(_ reference: String, at argument: Argument, path: String) throws -> DataSelection {
    guard let ref = DataReference(parsing: reference), let def = builder.spec.dataset(ref.dataset) else {
      throw LoweringError.alreadyReported
    }
    let key = "datasets.\(ref.dataset.name)"
    let result = definition(key) { invariant in
      guard let i = resolve(instance: def.definition, path: key, invariant: invariant) else { return nil }
      return attempt(invariant: invariant) {
        guard case .dataset(let d) = try Lowerer.lower(i, path: key, context: self, definitionName: ref.dataset.name)
        else { preconditionFailure("a dataset instance lowers to a dataset") }
        return .dataset(d)
      }
    }
    guard case .dataset(let d)? = result else { throw LoweringError.alreadyReported }
    if let split = ref.split, !d.split.contains(where: { $0.name == split }) {
      throw LoweringError(
        Diagnostic(
          "spec.cannot-run",
          "dataset '\(ref.dataset.name)' has no split '\(split)'"
            + (d.split.isEmpty ? " (it is not split)" : " (it has \(d.split.map(\.name).joined(separator: ", ")))"),
          at: argument.range, path: path))
    }
    return DataSelection(dataset: d, split: ref.split)
  }

  func upstream(_ name: String, at argument: Argument, path: String) throws -> StageConfig {
    // A task over all trials reads every trial's task of the stage; it checks against the first one's.
    if label == nil, stages[StageID(name)] == nil, let first = caches.firstConfigs[StageID(name)] { return first.kind }
    guard let config = stages[StageID(name)], let config else { throw LoweringError.alreadyReported }
    return config.kind
  }

  func file(_ path: String, at argument: Argument, path keyPath: String) throws -> DataFile {
    // A task's hash covers the file's contents; lint (check-only) hashes nothing.
    guard !builder.options.checkOnly else { return DataFile(path: path, digest: "") }
    let location = path.hasPrefix("/") ? path : "\(builder.baseDirectory)/\(path)"
    guard let digest = builder.options.files.digest(ofFile: location) else {
      throw LoweringError(
        Diagnostic(
          "graph.missing-file", "the file '\(path)' cannot be read", at: argument.range, path: keyPath,
          help: "paths are relative to the spec's directory"))
    }
    return DataFile(path: path, digest: digest)
  }
}
