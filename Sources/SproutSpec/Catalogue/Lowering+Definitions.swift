import SproutConfig
import SproutDiagnostics

/// Lowering of the definitions that are not a single kind: a model (input and layer list) and an initializer
/// (main rule, per-layer overrides, bias rule). Their parts are resolved for one trial by the caller.
public enum DefinitionLowering {
  /// A model from its resolved input width and layers.
  public static func model(
    _ def: ModelDef, input: Value, layers: [Instance], context: any LoweringContext
  ) throws -> ModelConfig {
    let path = "models.\(def.id.name)"
    let shape: TensorShape
    switch Catalogue.inputShape(input) {
    case .success(let s): shape = s
    case .failure(let p):
      throw LoweringError(Diagnostic(p.id, p.message, at: def.inputRange, path: "\(path).input", help: p.help))
    }
    return ModelConfig(
      shape: shape,
      layers: try Catalogue.layerList(
        layers.enumerated().map { ($1, LoweringPlace(parent: path, key: "layers", index: $0)) }, context: context))
  }

  /// An initializer from its resolved rule, overrides and bias rule.
  public static func initialization(
    _ def: InitializerDef, rule: Instance, layerRules: [Instance], bias: Instance, context: any LoweringContext
  ) throws -> InitConfig {
    let path = "initializers.\(def.id.name)"
    func lower(_ i: Instance, _ p: String) throws -> InitRule {
      guard case .initializer(let r) = try Lowerer.lower(i, path: p, context: context) else {
        preconditionFailure("an initializer instance lowers to a rule")
      }
      return r
    }
    var overrides: [InitConfig.LayerRule] = []
    for (entry, resolved) in zip(def.layerRules, layerRules) {
      let set: LayerSet
      switch entry.selector {
      case .first: set = .first
      case .last: set = .last
      case .index(let i): set = .indices([i])
      case .indices(let l): set = .indices(l)
      case .kind(let k): set = .kind(k)
      }
      overrides.append(.init(set, try lower(resolved, "\(path).layers.\(entry.key)"), tensor: entry.tensor))
    }
    return InitConfig(rule: try lower(rule, path), layerRules: overrides, bias: try lower(bias, "\(path).bias"))
  }
}
