import SproutDiagnostics
import SproutSpec

/// References between definitions: each becomes an edge when it names a definition of the right sort (and an
/// existing split). The spec phase has already reported every reference that does not.
struct ReferenceCheck {
  let spec: Spec
  private var found: [Edge] = []

  init(spec: Spec) { self.spec = spec }

  /// All edges of the spec, in the order written.
  mutating func collect() -> [Edge] {
    for stage in spec.stages {
      let node = NodeID.stage(stage.id)
      for (key, role, sort) in [
        ("model", EdgeRole.model, DefinitionSort.model), ("init", .initializer, .initializer),
        ("data", .data, .dataset),
        ("from", .from, .stage), ("base", .base, .stage),
      ] {
        guard let arg = stage.arguments.argument(key) else { continue }
        let items: [(Value, SourceRange)]
        if case .list(let values) = arg.value {
          items = values.map { ($0, arg.range) }
        } else {
          items = [(arg.value, arg.range)]
        }
        for (value, range) in items {
          reference(value, range: range, from: node, role: role, sort: sort)
        }
      }
    }
    for initializer in spec.initializers {
      let node = NodeID.initializer(initializer.id)
      for rule in [initializer.rule] + initializer.layerRules.map(\.rule) {
        if let arg = rule.arguments.argument("data") {
          reference(arg.value, range: arg.range, from: node, role: .data, sort: .dataset)
        }
        if rule.kind == "from_stage", let arg = rule.arguments.argument("stage") {
          reference(arg.value, range: arg.range, from: node, role: .checkpoint, sort: .stage)
        }
      }
    }
    return found
  }

  /// Checks one reference value and records its edges (one per name an expression can take).
  private mutating func reference(
    _ value: Value, range: SourceRange, from: NodeID, role: EdgeRole, sort: DefinitionSort
  ) {
    let conditional: Bool
    switch value {
    case .string: conditional = false
    case .expression: conditional = true
    default: return  // a wrong type was reported by the spec phase
    }
    for text in spec.candidateNames(for: value) {
      var name = text
      var split: String?
      if sort == .dataset {
        guard let ref = DataReference(parsing: text) else { continue }
        name = ref.dataset.name
        split = ref.split
      }
      if spec.invalidNames[sort]?.contains(name) ?? false { continue }  // already reported by the spec phase
      // Undefined names, wrong sorts and unknown splits are the spec phase's diagnostics
      // (spec.undefined-reference, spec.wrong-sort, spec.undefined-split); here they simply make no edge.
      guard spec.defines(name, as: sort) else { continue }
      let to: NodeID
      switch sort {
      case .dataset: to = .dataset(DatasetID(name))
      case .model: to = .model(ModelID(name))
      case .initializer: to = .initializer(InitializerID(name))
      case .stage: to = .stage(StageID(name))
      }
      if let split, let dataset = spec.dataset(DatasetID(name)), !dataset.splits.contains(where: { $0.name == split }) {
        continue
      }
      found.append(Edge(from: from, to: to, role: role, split: split, conditional: conditional, range: range))
    }
  }
}
