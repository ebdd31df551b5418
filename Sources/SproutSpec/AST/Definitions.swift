import SproutConfig
import SproutDiagnostics

/// `datasets.NAME`: a dataset kind with its arguments (the common options `split`, `standardize`, `one_hot`
/// included).
public struct DatasetDef: Hashable, Sendable {
  /// The name.
  public var id: DatasetID
  /// The range of the name (the mapping key).
  public var nameRange: SourceRange
  /// The kind and its arguments.
  public var definition: Instance

  /// Creates a dataset definition.
  public init(id: DatasetID, nameRange: SourceRange, definition: Instance) {
    self.id = id
    self.nameRange = nameRange
    self.definition = definition
  }

  /// The kind (`teacher_student`).
  public var kind: String { definition.kind }
  /// The arguments.
  public var arguments: Arguments { definition.arguments }
  /// The range of the whole definition.
  public var range: SourceRange { definition.range }

  /// The split names and fractions in declared order (`split: {train: 0.8, test: 0.2}`); empty when unsplit.
  public var splits: [(name: String, fraction: Value)] {
    guard case .map(let entries)? = arguments["split"] else { return [] }
    return entries.map { ($0.key, $0.value) }
  }
}

/// `models.NAME`: an input (a width or a shape) and a list of layers.
public struct ModelDef: Hashable, Sendable {
  /// The name.
  public var id: ModelID
  /// The range of the name.
  public var nameRange: SourceRange
  /// The input: a width (an `.int`), a shape (a `.map`, see `Catalogue.inputShape`), or an `.expression`.
  public var input: Value
  /// The range of the input value.
  public var inputRange: SourceRange
  /// The layers, in order; each an `Instance` of sort `.layer`. A `residual` layer holds its body as the
  /// argument `layers` (a `.list` of `.instance` layers).
  public var layers: [Instance]
  /// The range of the whole definition.
  public var range: SourceRange

  /// Creates a model definition.
  public init(
    id: ModelID, nameRange: SourceRange, input: Value, inputRange: SourceRange, layers: [Instance],
    range: SourceRange
  ) {
    self.id = id
    self.nameRange = nameRange
    self.input = input
    self.inputRange = inputRange
    self.layers = layers
    self.range = range
  }
}

/// Which layers a rule of an initializer's `layers:` selector applies to. Indices count the layers that have
/// parameters (dense layers, in order, residual bodies included), from 0; negative indices count from the end.
public enum LayerSelector: Hashable, Sendable, CustomStringConvertible {
  /// The first layer with parameters.
  case first
  /// The last layer with parameters.
  case last
  /// One layer by index.
  case index(Int)
  /// Several layers by index.
  case indices([Int])
  /// Every layer of a kind with weights (`rnn`, `conv2d`).
  case kind(WeightLayerKind)

  /// True for a kind selector (`rnn`, `transformer_block`).
  public var isKind: Bool {
    if case .kind = self { true } else { false }
  }

  /// `first`, `last`, `2`, `[1, 2]`, `rnn`.
  public var description: String {
    switch self {
    case .first: return "first"
    case .last: return "last"
    case .index(let i): return String(i)
    case .indices(let l): return "[" + l.map(String.init).joined(separator: ", ") + "]"
    case .kind(let k): return k.rawValue
    }
  }

  /// The selected indices among weight layers of these kinds (out-of-range indices are dropped).
  public func resolve(kinds: [WeightLayerKind]) -> [Int] {
    resolve(tags: kinds.map { WeightLayerTag($0) })
  }

  /// The selected indices among weight layers with these tags (`transformer_block` picks the layers inside blocks).
  public func resolve(tags: [WeightLayerTag]) -> [Int] {
    guard case .kind(let kind) = self else { return resolve(count: tags.count) }
    return tags.indices.filter { tags[$0].isSelected(by: kind) }
  }

  /// The indices a `layers:` argument value selects (`all`, `first`, `last`, an index or a list of indices, as
  /// decoded for metrics and adapters) among `count` parameterised layers; `nil` for a value that is no selector.
  public static func indices(selectedBy value: Value, count: Int) -> [Int]? {
    switch value {
    case .string("all"): return Array(0..<count)
    case .string("first"): return LayerSelector.first.resolve(count: count)
    case .string("last"): return LayerSelector.last.resolve(count: count)
    case .int(let i): return LayerSelector.index(i).resolve(count: count)
    case .list(let items):
      let ints = items.compactMap(\.intValue)
      return ints.count == items.count ? LayerSelector.indices(ints).resolve(count: count) : nil
    default: return nil
    }
  }

  /// The selected indices among `count` parameterised layers (out-of-range indices are dropped).
  public func resolve(count: Int) -> [Int] {
    let raw: [Int]
    switch self {
    case .first: raw = [0]
    case .last: raw = [count - 1]
    case .index(let i): raw = [i]
    case .indices(let l): raw = l
    case .kind: raw = []  // needs the layers' kinds: resolve(kinds:)
    }
    return raw.map { $0 < 0 ? count + $0 : $0 }.filter { (0..<count).contains($0) }
  }
}

/// One entry of an initializer's `layers:` selector: the layers and the rule that replaces the main one there.
public struct LayerRule: Hashable, Sendable {
  /// Which layers.
  public var selector: LayerSelector
  /// The range of the selector key.
  public var selectorRange: SourceRange
  /// The initializer rule for those layers (an `Instance` of sort `.initializer`).
  public var rule: Instance
  /// The one weight tensor of those layers it applies to (`input` or `recurrent` of a recurrent layer, written
  /// `rnn.recurrent`, `0.input`; `query`, `key`, `value`, `output` of attention; `token`, `position` of an
  /// embedding; `linear1`, `linear2` of a transformer block's MLP), or nil for every weight of the layers.
  public var tensor: String?

  /// Creates a layer rule.
  public init(selector: LayerSelector, selectorRange: SourceRange, rule: Instance, tensor: String? = nil) {
    self.selector = selector
    self.selectorRange = selectorRange
    self.rule = rule
    self.tensor = tensor
  }

  /// `rnn.recurrent`, `first`.
  public var key: String { tensor.map { "\(selector).\($0)" } ?? selector.description }
}

/// `initializers.NAME`: how each parameter tensor starts.
///
/// `rule` applies to every weight; `layerRules` override it on selected layers (later entries win); biases start
/// from `bias` (default `zeros`).
public struct InitializerDef: Hashable, Sendable {
  /// The name.
  public var id: InitializerID
  /// The range of the name.
  public var nameRange: SourceRange
  /// The main rule: kind and arguments (`layers` and `bias` are not among its arguments).
  public var rule: Instance
  /// Per-layer overrides, in written order.
  public var layerRules: [LayerRule]
  /// The rule for biases (`zeros` when not written).
  public var bias: Instance

  /// Creates an initializer definition.
  public init(id: InitializerID, nameRange: SourceRange, rule: Instance, layerRules: [LayerRule], bias: Instance) {
    self.id = id
    self.nameRange = nameRange
    self.rule = rule
    self.layerRules = layerRules
    self.bias = bias
  }

  /// The kind of the main rule.
  public var kind: String { rule.kind }
  /// The range of the whole definition.
  public var range: SourceRange { rule.range }

  /// The rule for the weight of parameterised layer `index` of `count`: the last matching layer rule, else `rule`.
  public func rule(forLayer index: Int, of count: Int) -> Instance {
    layerRules.last { $0.selector.resolve(count: count).contains(index) }?.rule ?? rule
  }

  /// The rule for weight tensor `tensor` (`weight`, `input`, `recurrent`) of weight layer `index` among layers of
  /// `kinds`: the last layer rule that selects the layer and names that tensor or none, else `rule`.
  public func rule(forLayer index: Int, tensor: String, kinds: [WeightLayerKind]) -> Instance {
    layerRule(forLayer: index, tensor: tensor, tags: kinds.map { WeightLayerTag($0) })?.rule ?? rule
  }

  /// The last layer rule that selects weight layer `index` among layers with `tags` and names `tensor` or no tensor,
  /// or nil when none does (then the main rule applies, or, to an embedding or attention tensor, PyTorch's start).
  public func layerRule(forLayer index: Int, tensor: String, tags: [WeightLayerTag]) -> LayerRule? {
    layerRules.last {
      $0.selector.resolve(tags: tags).contains(index) && ($0.tensor == nil || $0.tensor == tensor)
    }
  }
}

/// The stage kinds.
public enum StageKind: String, Sendable, Hashable, CaseIterable {
  /// Train a model from an initializer on data.
  case train
  /// Evaluate a trained stage's model on data.
  case evaluate
  /// Record metrics of a model without training it.
  case measure
  /// Train adapters (or the whole model) starting from a trained stage.
  case finetune
  /// Task-vector arithmetic over checkpoints.
  case merge
  /// Choose matrix values by an aggregate of a metric over the other axes.
  case select
  /// Fit a parametric form to a recorded metric's trajectory.
  case fit
}

/// `stages.NAME`: one step of the experiment, its inputs (`model`, `init`, `data`, `from`) and what it records.
public struct StageDef: Hashable, Sendable {
  /// The name.
  public var id: StageID
  /// The range of the name.
  public var nameRange: SourceRange
  /// The stage kind.
  public var kind: StageKind
  /// All keys of the stage as an instance of sort `.stage` (defaults filled in).
  public var definition: Instance

  /// Creates a stage definition.
  public init(id: StageID, nameRange: SourceRange, kind: StageKind, definition: Instance) {
    self.id = id
    self.nameRange = nameRange
    self.kind = kind
    self.definition = definition
  }

  /// The arguments.
  public var arguments: Arguments { definition.arguments }
  /// The range of the whole definition.
  public var range: SourceRange { definition.range }

  /// `model:` when written as a plain name.
  public var model: ModelID? { arguments["model"]?.stringValue.map { ModelID($0) } }
  /// `init:` when written as a plain name.
  public var initializer: InitializerID? { arguments["init"]?.stringValue.map { InitializerID($0) } }
  /// `data:` when written as a plain reference.
  public var data: DataReference? { arguments["data"]?.stringValue.flatMap { DataReference(parsing: $0) } }
  /// `from:` (one stage, or several for `merge`) when written as plain names.
  public var from: [StageID] {
    switch arguments["from"] {
    case .string(let s)?: return [StageID(s)]
    case .list(let items)?: return items.compactMap(\.stringValue).map { StageID($0) }
    default: return []
    }
  }
  /// `base:` of a merge stage.
  public var base: StageID? { arguments["base"]?.stringValue.map { StageID($0) } }
  /// `loss:`.
  public var loss: Instance? { arguments["loss"]?.instanceValue }
  /// `optimizer:` (its arguments hold `schedule`, `clip` and `tract` when given).
  public var optimizer: Instance? { arguments["optimizer"]?.instanceValue }
  /// `record:` metrics, in order.
  public var record: [Instance] { arguments["record"]?.listValue?.compactMap(\.instanceValue) ?? [] }
  /// `adapters:` of a finetune stage.
  public var adapters: [Instance] { arguments["adapters"]?.listValue?.compactMap(\.instanceValue) ?? [] }
  /// `epochs:` when a literal integer.
  public var epochs: Int? { arguments["epochs"]?.intValue }
  /// `steps:` when a literal integer.
  public var steps: Int? { arguments["steps"]?.intValue }
  /// `batch:` when a literal integer.
  public var batch: Int? { arguments["batch"]?.intValue }
  /// `every:` when a literal integer.
  public var every: Int? { arguments["every"]?.intValue }
  /// `checkpoint_every:` when a literal integer.
  public var checkpointEvery: Int? { arguments["checkpoint_every"]?.intValue }
}
