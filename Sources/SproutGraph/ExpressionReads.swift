import SproutSpec

/// What the expressions of a spec's definitions read, found in one walk over every argument of every definition.
///
/// The graph asks which definitions hold an expression (their checks wait for each trial's values); the planner asks
/// which ones read nothing but `params` (their value is the same in every trial, so they are lowered once per plan)
/// and which matrix axes and trial fields any expression reads (what can tell two trials apart). Each question was a
/// walk of its own over the whole spec (a tenth of linting a large spec's graph and planning set-up).
///
/// A definition is a stage's or dataset's instance, a model's input and layers, or an initializer's rule, bias and
/// layer rules.
///
/// - Complexity: O(n) for n argument values in the spec, once.
public struct ExpressionReads: Sendable {
  /// What one definition's expressions read.
  public struct Reads: Sendable, Hashable {
    /// Whether any argument (at any depth) is an expression.
    public var hasExpression = false
    /// Whether every expression reads only `params` (or nothing): the definition is the same in every trial.
    public var isTrialInvariant = true
  }

  /// The definitions holding an expression; every other definition has none (and is trial-invariant).
  private var withExpressions: [NodeID: Reads] = [:]
  /// The matrix axes some expression reads (`${matrix.AXIS}`), in any definition.
  public private(set) var matrixAxes: Set<String> = []
  /// Whether some expression reads `trial.seed`.
  public private(set) var readsTrialSeed = false
  /// Whether some expression reads a trial field other than the seed (`trial.index`, `trial.id`), which tells every
  /// trial apart.
  public private(set) var readsTrialIdentity = false

  /// Walks every definition of `spec` once. With several definitions of one name in a sort, the first one counts
  /// (the one `Spec`'s lookups find).
  public init(_ spec: Spec) {
    var walk = Walk()
    withExpressions.reserveCapacity(
      spec.stages.count + spec.datasets.count + spec.models.count + spec.initializers.count)
    func record(_ node: NodeID, _ reads: Reads) {
      if reads.hasExpression && withExpressions[node] == nil { withExpressions[node] = reads }
    }
    // By index: iterating copied every definition.
    for i in spec.stages.indices { record(.stage(spec.stages[i].id), walk.reads(of: spec.stages[i])) }
    for i in spec.datasets.indices { record(.dataset(spec.datasets[i].id), walk.reads(of: spec.datasets[i])) }
    for i in spec.models.indices { record(.model(spec.models[i].id), walk.reads(of: spec.models[i])) }
    for i in spec.initializers.indices {
      record(.initializer(spec.initializers[i].id), walk.reads(of: spec.initializers[i]))
    }
    matrixAxes = walk.axes
    readsTrialSeed = walk.seed
    readsTrialIdentity = walk.identity
  }

  /// The reads of the definition `node` (none for a definition without expressions, or one not in the spec).
  public func reads(of node: NodeID) -> Reads { withExpressions[node] ?? Reads() }

  /// Whether the definition `node` holds an expression.
  public func hasExpression(_ node: NodeID) -> Bool { withExpressions[node]?.hasExpression ?? false }

  /// The reads of one definition, walked on their own (for a graph whose spec changed after it was built).
  public static func reads(of node: NodeID, in spec: Spec) -> Reads {
    var walk = Walk()
    switch node {
    case .stage(let id): return spec.stage(id).map { walk.reads(of: $0) } ?? Reads()
    case .dataset(let id): return spec.dataset(id).map { walk.reads(of: $0) } ?? Reads()
    case .model(let id): return spec.model(id).map { walk.reads(of: $0) } ?? Reads()
    case .initializer(let id): return spec.initializer(id).map { walk.reads(of: $0) } ?? Reads()
    }
  }

  /// One walk, collecting what every expression met reads.
  private struct Walk {
    var axes: Set<String> = []
    var seed = false
    var identity = false
    /// The definition being walked.
    var current = Reads()

    mutating func reads(of d: StageDef) -> Reads { definition { $0.visit(d.definition) } }
    mutating func reads(of d: DatasetDef) -> Reads { definition { $0.visit(d.definition) } }

    mutating func reads(of d: ModelDef) -> Reads {
      definition { walk in
        walk.visit(d.input)
        for i in d.layers.indices { walk.visit(d.layers[i]) }
      }
    }

    mutating func reads(of d: InitializerDef) -> Reads {
      definition { walk in
        walk.visit(d.rule)
        walk.visit(d.bias)
        for i in d.layerRules.indices { walk.visit(d.layerRules[i].rule) }
      }
    }

    private mutating func definition(_ body: (inout Walk) -> Void) -> Reads {
      current = Reads()
      body(&self)
      return current
    }

    /// An instance's arguments, when it holds an expression (it knows: most do not, and are not walked).
    mutating func visit(_ instance: Instance) {
      guard instance.holdsExpression else { return }
      // By index: iterating the arrays copied every argument (its name, value and ranges) it passed.
      for i in instance.arguments.entries.indices { visit(instance.arguments.entries[i].value) }
    }

    mutating func visit(_ value: Value) {
      switch value {
      case .null, .bool, .int, .float, .string: return
      case .list(let items): for i in items.indices { visit(items[i]) }
      case .map(let entries): for i in entries.indices { visit(entries[i].value) }
      case .instance(let instance): visit(instance)
      case .expression(let e):
        current.hasExpression = true
        for r in e.expression.references {
          if r.path.first != "params" { current.isTrialInvariant = false }
          guard r.path.count == 2 else { continue }
          switch r.path[0] {
          case "matrix": axes.insert(r.path[1])
          case "trial": if r.path[1] == "seed" { seed = true } else { identity = true }
          default: break
          }
        }
      }
    }
  }
}
