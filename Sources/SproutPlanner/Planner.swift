import SproutDiagnostics
import SproutGraph
import SproutSpec
import SproutSyntax

/// What `sprout plan` and `sprout run` ask of the planner beyond the graph.
public struct PlanOptions: Sendable {
  /// The spec's path as the user gave it (recorded in the plan).
  public var specPath: String
  /// The spec's text (its SHA-256 is recorded, so a plan file can refuse a changed spec).
  public var specText: String
  /// `--backend`, overriding the spec's `backend` (default `cpu`).
  public var backend: String?
  /// The `--set` overrides, as given (already applied to the tree by ``Overrides``; recorded in the plan).
  public var overrides: [String]
  /// `--force`: plan every task to run even when its outputs are in the store.
  public var force: Bool
  /// `--only STAGE`: keep these stages' tasks and the tasks they read (empty: all).
  public var onlyStages: [String]
  /// `--trial K`: keep these trials (ids `t0003` or indices `3`) and the tasks they read (empty: all).
  public var onlyTrials: [String]
  /// Resolve, lower and check every trial but hash nothing (`sprout lint`): tasks get an empty hash, data files
  /// are not read, and the diagnostics are exactly those of a full plan.
  public var checkOnly: Bool
  /// Content digests of the data files tasks read (part of their hashes).
  public var files: any FileDigests
  /// `--max-trials`: a matrix forming more trials is refused, with its count, before any trial is made.
  public var maxTrials: Int

  /// Creates options.
  public init(
    specPath: String = "", specText: String = "", backend: String? = nil, overrides: [String] = [], force: Bool = false,
    onlyStages: [String] = [], onlyTrials: [String] = [], checkOnly: Bool = false,
    files: any FileDigests = DirectFileDigests(), maxTrials: Int = MatrixExpansion.defaultTrialLimit
  ) {
    self.maxTrials = maxTrials
    self.specPath = specPath
    self.specText = specText
    self.backend = backend
    self.overrides = overrides
    self.force = force
    self.onlyStages = onlyStages
    self.onlyTrials = onlyTrials
    self.checkOnly = checkOnly
    self.files = files
  }
}

/// The planner: expands the matrix, resolves every expression per trial, hashes every (trial, stage) task and
/// decides what is cached. Pure: it reads the graph and a read-only view of the store and returns a value.
public enum Planner {
  /// Plans `graph`; `nil` when planning found errors (all reported to `diagnostics`).
  ///
  /// - Complexity: O(t · s · d) for t trials, s stages and definitions of size d; no step is quadratic in t.
  public static func plan(
    _ graph: ExperimentGraph, options: PlanOptions, store: StoreView?, diagnostics: inout Diagnostics
  ) -> Plan? {
    PlanDiagnostics.register()
    let errorsBefore = diagnostics.errorCount
    var builder = PlanBuilder(graph: graph, options: options)
    let plan = builder.build(store: store, diagnostics: &diagnostics)
    return diagnostics.errorCount > errorsBefore ? nil : plan
  }

  /// Plans `graph` as a stream (``PlanStream``): every trial checked now, so the diagnostics are a full plan's, and
  /// the tasks made (hashed, their cache state decided) as they are read, so a plan of a million trials is printed
  /// without holding its tasks. `nil` when planning found errors.
  public static func stream(
    _ graph: ExperimentGraph, options: PlanOptions, store: StoreView?, diagnostics: inout Diagnostics
  ) -> PlanStream? {
    PlanDiagnostics.register()
    let errorsBefore = diagnostics.errorCount
    var builder = PlanBuilder(graph: graph, options: options)
    let stream = builder.stream(store: store, diagnostics: &diagnostics)
    return diagnostics.errorCount > errorsBefore ? nil : stream
  }

  /// Parses, overrides, decodes, builds the graph and plans, stopping at the first phase with errors: the
  /// whole front of `sprout plan` in one call.
  public static func plan(
    text: String, file: String, options: PlanOptions, store: StoreView?, diagnostics: inout Diagnostics
  ) -> Plan? {
    let parsed = YAMLParser.parse(text: text, file: file, diagnostics: &diagnostics)
    guard !diagnostics.hasErrors else { return nil }
    let document = Overrides.apply(options.overrides, to: parsed, diagnostics: &diagnostics)
    guard !diagnostics.hasErrors, let spec = SpecDecoder.decode(document, diagnostics: &diagnostics),
      !diagnostics.hasErrors,
      let graph = GraphBuilder.build(spec, diagnostics: &diagnostics)
    else { return nil }
    var o = options
    if o.specPath.isEmpty { o.specPath = file }
    if o.specText.isEmpty { o.specText = text }
    return plan(graph, options: o, store: store, diagnostics: &diagnostics)
  }
}
