import SproutDiagnostics
import SproutSpec

/// References between definitions: each becomes an edge when it names a definition of the right sort (and an
/// existing split). The spec phase has already reported every reference that does not.
struct ReferenceCheck {
  let spec: Spec
  private var found: [Edge] = []
  /// The split names of each dataset named by a `data` reference with a split (nil: no such dataset), looked up once
  /// per dataset: a dataset is usually read twice (`d.train`, `d.test`), and each look-up copied its definition.
  private var splits: [String: [String]?] = [:]

  init(spec: Spec) { self.spec = spec }

  /// The stage arguments that name other definitions, in the order their edges are made.
  private static let stageReferences: [(key: String, role: EdgeRole, sort: DefinitionSort)] = [
    ("model", .model, .model), ("init", .initializer, .initializer), ("data", .data, .dataset),
    ("from", .from, .stage), ("base", .base, .stage),
  ]

  /// All edges of the spec, in the order written.
  mutating func collect() -> [Edge] {
    found.reserveCapacity(4 * spec.stages.count + spec.initializers.count)
    for s in spec.stages.indices {
      let node = NodeID.stage(spec.stages[s].id)
      let entries = spec.stages[s].definition.arguments.entries
      // One pass over the arguments, read in place, comparing the names only of those that can name a definition
      // (a text, an expression or a list): asking for each of the five keys compared every argument's name five
      // times, and copying each argument out was a third of the walk.
      var positions = [Int?](repeating: nil, count: Self.stageReferences.count)
      for a in entries.indices {
        switch entries[a].value {
        case .string, .expression, .list:
          if let k = Self.stageReferences.firstIndex(where: { $0.key == entries[a].name }), positions[k] == nil {
            positions[k] = a
          }
        default: continue  // makes no edge (a wrong type was reported by the spec phase)
        }
      }
      for (k, position) in positions.enumerated() {
        guard let a = position else { continue }
        let (_, role, sort) = Self.stageReferences[k]
        let range = entries[a].range
        if case .list(let values) = entries[a].value {
          for value in values { reference(value, range: range, from: node, role: role, sort: sort) }
        } else {
          reference(entries[a].value, range: range, from: node, role: role, sort: sort)
        }
      }
    }
    for i in spec.initializers.indices {
      let node = NodeID.initializer(spec.initializers[i].id)
      ruleReferences(spec.initializers[i].rule, from: node)
      for r in spec.initializers[i].layerRules.indices {
        ruleReferences(spec.initializers[i].layerRules[r].rule, from: node)
      }
    }
    return found
  }

  /// The references of one initializer rule: the data it reads, and the stage of a `from_stage` rule.
  private mutating func ruleReferences(_ rule: Instance, from node: NodeID) {
    if let a = rule.arguments.index(of: "data") {
      reference(rule.arguments.entries[a].value, range: rule.arguments.entries[a].range, from: node, role: .data,
        sort: .dataset)
    }
    if rule.kind == "from_stage", let a = rule.arguments.index(of: "stage") {
      reference(rule.arguments.entries[a].value, range: rule.arguments.entries[a].range, from: node, role: .checkpoint,
        sort: .stage)
    }
  }

  /// Checks one reference value and records its edges (one per name an expression can take).
  private mutating func reference(
    _ value: Value, range: SourceRange, from: NodeID, role: EdgeRole, sort: DefinitionSort
  ) {
    switch value {
    case .string(let text): edge(to: text, range: range, from: from, role: role, sort: sort, conditional: false)
    case .expression:
      for text in spec.candidateNames(for: value) {
        edge(to: text, range: range, from: from, role: role, sort: sort, conditional: true)
      }
    default: return  // a wrong type was reported by the spec phase
    }
  }

  /// Records the edge to the definition `text` names, if it names one of the right sort (and an existing split).
  private mutating func edge(
    to text: String, range: SourceRange, from: NodeID, role: EdgeRole, sort: DefinitionSort, conditional: Bool
  ) {
    var name = text
    var split: String?
    if sort == .dataset {
      guard let ref = DataReference(parsing: text) else { return }
      name = ref.dataset.name
      split = ref.split
    }
    if spec.invalidNames[sort]?.contains(name) ?? false { return }  // already reported by the spec phase
    // Undefined names, wrong sorts and unknown splits are the spec phase's diagnostics
    // (spec.undefined-reference, spec.wrong-sort, spec.undefined-split); here they simply make no edge.
    guard spec.defines(name, as: sort) else { return }
    let to: NodeID
    switch sort {
    case .dataset: to = .dataset(DatasetID(name))
    case .model: to = .model(ModelID(name))
    case .initializer: to = .initializer(InitializerID(name))
    case .stage: to = .stage(StageID(name))
    }
    if let split {
      if splits[name] == nil { splits[name] = .some(spec.dataset(DatasetID(name)).map { $0.splits.map(\.name) }) }
      if let names = splits[name] ?? nil, !names.contains(split) { return }
    }
    found.append(Edge(from: from, to: to, role: role, split: split, conditional: conditional, range: range))
  }
}
