import SproutDiagnostics

/// `${select.STAGE.AXIS}` references: which definitions read a select stage's choice.
extension Value {
  /// The select stages this value's expressions read, with the range of each reference.
  public var selectReferences: [(stage: String, range: SourceRange)] {
    switch self {
    case .null, .bool, .int, .float, .string: return []
    case .expression(let e):
      return e.expression.references.compactMap { ref in
        ref.path.count == 3 && ref.path[0] == "select" ? (ref.path[1], ref.range) : nil
      }
    case .list(let items): return items.flatMap(\.selectReferences)
    case .map(let entries): return entries.flatMap(\.value.selectReferences)
    case .instance(let i): return i.arguments.entries.flatMap(\.value.selectReferences)
    }
  }
}

extension ModelDef {
  /// The select stages the model's layers or input read.
  public var selectReferences: [(stage: String, range: SourceRange)] {
    input.selectReferences + layers.flatMap { Value.instance($0).selectReferences }
  }
}

extension InitializerDef {
  /// The select stages the initializer's rules read.
  public var selectReferences: [(stage: String, range: SourceRange)] {
    ([rule, bias] + layerRules.map(\.rule)).flatMap { Value.instance($0).selectReferences }
  }
}

extension Spec {
  /// The select stages a stage may read the choice of, in any trial: through its own arguments, or through the
  /// model, initializer or dataset it names (every name an expression can give). Each with a range where it is read.
  ///
  /// - Complexity: O(size of the stage and of the definitions it may name).
  public func selectionsRead(by stage: StageDef) -> [(stage: String, range: SourceRange)] {
    var out = Value.instance(stage.definition).selectReferences
    let args = stage.arguments
    for name in args["model"].map(candidateNames) ?? [] {
      out += model(ModelID(name))?.selectReferences ?? []
    }
    for name in args["init"].map(candidateNames) ?? [] {
      guard let i = initializer(InitializerID(name)) else { continue }
      out += i.selectReferences
      for rule in [i.rule] + i.layerRules.map(\.rule) {
        for text in rule["data"].map(candidateNames) ?? [] {
          guard let ref = DataReference(parsing: text), let d = dataset(ref.dataset) else { continue }
          out += Value.instance(d.definition).selectReferences
        }
      }
    }
    for text in args["data"].map(candidateNames) ?? [] {
      guard let ref = DataReference(parsing: text), let d = dataset(ref.dataset) else { continue }
      out += Value.instance(d.definition).selectReferences
    }
    return out
  }
}
