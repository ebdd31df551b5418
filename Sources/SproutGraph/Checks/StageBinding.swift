import SproutSpec

/// The concrete definitions one stage reads, once its references are resolved (for one trial, or for all
/// trials when they are literal). A `nil` field is either absent or not yet resolved.
public struct StageBinding: Hashable, Sendable {
  /// The stage.
  public var stage: StageID
  /// The model it builds or receives (through `from`/`base` for evaluate, finetune, merge, select).
  public var model: ModelID?
  /// The initializer it starts from (train, measure with a model).
  public var initializer: InitializerID?
  /// The data it reads.
  public var data: DataReference?
  /// The stages it reads (`from`, in order; for merge `base` first).
  public var upstream: [StageID]

  /// Resolves the references of `stage` in `spec` with `resolve`.
  ///
  /// - Complexity: O(d) for a chain of d `from` stages (followed to find the model); a cycle stops the walk once it
  ///   has taken as many steps as the spec has stages.
  public static func of(_ stage: StageDef, in spec: Spec, resolve: ValueResolver) -> StageBinding {
    let args = stage.arguments
    var upstream: [StageID] = []
    if let base = resolve.string(args["base"]) { upstream.append(StageID(base)) }
    switch resolve(args["from"]) {
    case .string(let s)?: upstream.append(StageID(s))
    case .list(let items)?: upstream += items.compactMap(\.stringValue).map { StageID($0) }
    default: break
    }
    var binding = StageBinding(
      stage: stage.id, model: resolve.string(args["model"]).map { ModelID($0) },
      initializer: resolve.string(args["init"]).map { InitializerID($0) },
      data: resolve.string(args["data"]).flatMap { DataReference(parsing: $0) }, upstream: upstream)
    if binding.model == nil {
      // The walk from a stage is the same whenever it reaches that stage again, so a cycle (of stages none of which
      // names a model) ends it with no model either way: a bound on the steps replaces a set of the stages seen,
      // which was half of finding a binding.
      var steps = 0
      var next = upstream.first
      while let s = next, steps < spec.stages.count, let def = spec.stage(s) {
        steps += 1
        if let m = resolve.string(def.arguments["model"]) {
          binding.model = ModelID(m)
          break
        }
        next = firstUpstream(of: def, resolve: resolve)
      }
    }
    return binding
  }

  private static func firstUpstream(of def: StageDef, resolve: ValueResolver) -> StageID? {
    if let b = resolve.string(def.arguments["base"]) { return StageID(b) }
    switch resolve(def.arguments["from"]) {
    case .string(let x)?: return StageID(x)
    case .list(let xs)?: return xs.first?.stringValue.map { StageID($0) }
    default: return nil
    }
  }
}
