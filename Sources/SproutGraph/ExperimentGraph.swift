import SproutDiagnostics
import SproutSpec

/// A node of the experiment graph, by sort and name.
public enum NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// `datasets.NAME`.
  case dataset(DatasetID)
  /// `models.NAME`.
  case model(ModelID)
  /// `initializers.NAME`.
  case initializer(InitializerID)
  /// `stages.NAME`.
  case stage(StageID)

  /// `stages.train`.
  public var description: String {
    switch self {
    case .dataset(let id): "datasets.\(id.name)"
    case .model(let id): "models.\(id.name)"
    case .initializer(let id): "initializers.\(id.name)"
    case .stage(let id): "stages.\(id.name)"
    }
  }

  /// Orders by text.
  public static func < (a: NodeID, b: NodeID) -> Bool { a.description < b.description }
}

/// What a reference means to the node that makes it.
public enum EdgeRole: String, Hashable, Sendable, CaseIterable {
  /// A stage's `model:`.
  case model
  /// A stage's `init:`.
  case initializer = "init"
  /// A stage's `data:` (or an initializer's `data:`, for lsuv and winner).
  case data
  /// A stage's `from:` (one or, for merge, several stages).
  case from
  /// A merge stage's `base:`.
  case base
  /// A `from_stage` initializer's `stage:`.
  case checkpoint
}

/// A reference from one node to another, with where it is written.
///
/// When the reference is an expression (`init: ${matrix.init}`), the graph has one edge per name the
/// expression can take across the matrix, each marked `conditional`: a trial uses exactly one of them.
public struct Edge: Hashable, Sendable {
  /// The node that refers.
  public var from: NodeID
  /// The node referred to.
  public var to: NodeID
  /// What the reference is for.
  public var role: EdgeRole
  /// For data edges: the split (`teacher.train` → `train`).
  public var split: String?
  /// True when the reference goes through an expression, so only some trials use this edge.
  public var conditional: Bool
  /// Where the reference is written.
  public var range: SourceRange

  /// Creates an edge.
  public init(
    from: NodeID, to: NodeID, role: EdgeRole, split: String? = nil, conditional: Bool = false, range: SourceRange
  ) {
    self.from = from
    self.to = to
    self.role = role
    self.split = split
    self.conditional = conditional
    self.range = range
  }

  /// Ranges are not part of an edge's identity.
  public static func == (a: Edge, b: Edge) -> Bool {
    a.from == b.from && a.to == b.to && a.role == b.role && a.split == b.split && a.conditional == b.conditional
  }

  /// Hashes what `==` compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(from)
    hasher.combine(to)
    hasher.combine(role)
    hasher.combine(split)
    hasher.combine(conditional)
  }
}

/// The typed experiment graph: the spec's definitions as nodes keyed by ID, the references between them as
/// explicit edges, and the stages in an order where every stage comes after the stages it reads.
///
/// Built by ``GraphBuilder/build(_:files:diagnostics:)``; only a graph without errors is returned, so the planner
/// may rely on ``verify()`` holding.
public struct ExperimentGraph: Sendable {
  /// The spec the graph was built from (params, matrix, seed, backend, and the definitions' ranges).
  public var spec: Spec {
    didSet {
      perTrialChecked = nil
      foundReads = nil
    }
  }
  /// The stages ``needsPerTrialChecks(_:)`` holds for, found once when the graph is built (the graph phase and the
  /// planner both ask for every stage); nil after `spec` changes, when each answer is worked out again.
  var perTrialChecked: Set<StageID>?
  /// What the spec's expressions read, found once when the graph is built; nil after `spec` changes.
  var foundReads: ExpressionReads?
  /// Datasets by name, with the shape learnt from their arguments or file headers.
  public var datasets: [DatasetID: DatasetNode]
  /// Models by name.
  public var models: [ModelID: ModelNode]
  /// Initializers by name.
  public var initializers: [InitializerID: InitializerNode]
  /// Stages by name.
  public var stages: [StageID: StageNode]
  /// Every reference, in the order the spec writes them.
  public var edges: [Edge] { didSet { outgoing = Self.index(edges) } }
  /// `edges` grouped by their source node (kept in step with `edges`), so lookups per node are O(degree):
  /// the planner asks for a stage's upstream once per task, and a linear scan made planning quadratic.
  private var outgoing: [NodeID: [Edge]]
  /// Stages ordered so that each comes after every stage it reads (declaration order among independent ones).
  public var stageOrder: [StageID]
  /// What has been read from data files while building the graph; the planner's per-trial checks ask the same
  /// cache, so one run of lint or plan reads each file once.
  public let dataFiles: DataFiles

  /// Creates a graph.
  public init(
    spec: Spec, datasets: [DatasetID: DatasetNode], models: [ModelID: ModelNode],
    initializers: [InitializerID: InitializerNode], stages: [StageID: StageNode], edges: [Edge], stageOrder: [StageID],
    dataFiles: DataFiles = DataFiles()
  ) {
    self.dataFiles = dataFiles
    self.spec = spec
    self.datasets = datasets
    self.models = models
    self.initializers = initializers
    self.stages = stages
    self.edges = edges
    self.outgoing = Self.index(edges)
    self.stageOrder = stageOrder
  }

  /// What every definition's expressions read (``ExpressionReads``): found when the graph was built, or walked now
  /// when `spec` has changed since.
  public var expressionReads: ExpressionReads { foundReads ?? ExpressionReads(spec) }

  /// Whether the definition `node` holds an expression (walking only that definition when `spec` has changed since
  /// the graph was built).
  func hasExpression(_ node: NodeID) -> Bool {
    foundReads?.hasExpression(node) ?? ExpressionReads.reads(of: node, in: spec).hasExpression
  }

  /// `edges` grouped by source node, each group in edge order. Edges from one node are usually written together
  /// (``ReferenceCheck`` makes them definition by definition), so each run of them is copied in one piece.
  private static func index(_ edges: [Edge]) -> [NodeID: [Edge]] {
    var index: [NodeID: [Edge]] = [:]
    index.reserveCapacity(edges.count)
    var start = 0
    while start < edges.count {
      var end = start + 1
      while end < edges.count && edges[end].from == edges[start].from { end += 1 }
      index[edges[start].from, default: []].append(contentsOf: edges[start..<end])
      start = end
    }
    return index
  }

  /// Edges leaving `node`.
  public func edges(from node: NodeID) -> [Edge] { outgoing[node] ?? [] }

  /// Edges leaving `node` with a role.
  public func edges(from node: NodeID, role: EdgeRole) -> [Edge] { edges(from: node).filter { $0.role == role } }

  /// True when a node with this ID exists.
  public func contains(_ node: NodeID) -> Bool {
    switch node {
    case .dataset(let id): datasets[id] != nil
    case .model(let id): models[id] != nil
    case .initializer(let id): initializers[id] != nil
    case .stage(let id): stages[id] != nil
    }
  }

  /// The stages `stage` reads directly: its `from`, `base`, and the stages of `from_stage` initializers it may use.
  public func upstreamStages(of stage: StageID) -> [StageID] {
    var result: [StageID] = []
    for e in edges(from: .stage(stage)) {
      switch (e.role, e.to) {
      case (.from, .stage(let s)), (.base, .stage(let s)):
        if !result.contains(s) { result.append(s) }
      case (.initializer, .initializer(let i)):
        for c in edges(from: .initializer(i), role: .checkpoint) {
          if case .stage(let s) = c.to, !result.contains(s) { result.append(s) }
        }
      default: break
      }
    }
    return result
  }
}
