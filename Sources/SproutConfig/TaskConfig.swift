/// Everything one task executes, lowered once by the planner from the checked spec for one trial: the stage's
/// kind and arguments with every reference (model, initializer, data, upstream stage) replaced by what it
/// means. A task's content hash is the SHA-256 of this value's canonical encoding (``CanonicalEncoder``) and of
/// its inputs' hashes, seed and backend; the executor runs exactly this value and decodes nothing else.
public struct TaskConfig: Hashable, Sendable, Codable {
  /// The stage's name (it keys the task's random streams).
  public var stage: String
  /// What the stage does.
  public var kind: StageConfig

  /// Creates a task configuration.
  public init(stage: String, kind: StageConfig) {
    self.stage = stage
    self.kind = kind
  }
}

/// The stage kinds, each with what it reads. Indirect: a plan holds one per task, and the trials that share a
/// configuration then share one boxed copy instead of each holding its few hundred bytes inline.
public indirect enum StageConfig: Hashable, Sendable, Codable {
  /// Train `model` from `initialization` on `training.data`.
  case train(model: ModelConfig, initialization: InitConfig, training: TrainingConfig)
  /// Evaluate the final model of `from` on `data`.
  case evaluate(from: UpstreamModel, data: DataSelection, loss: LossConfig, batch: Int, record: [MetricConfig])
  /// Record metrics of a model without training it: a fresh model or an upstream stage's final model.
  case measure(source: MeasureSource, data: DataSelection?, loss: LossConfig?, batch: Int, record: [MetricConfig])
  /// Train adapters (or, with none, every weight) on the final model of `from`.
  case finetune(from: UpstreamModel, adapters: [AdapterConfig], training: TrainingConfig)
  /// Task arithmetic: θ = θ_base + scale · Σ wᵢ (θᵢ − θ_base) (Ilharco et al., ICLR 2023).
  case merge(base: UpstreamModel, from: [String], weights: [Double], scale: Double)
  /// The trial of the matrix whose `from` task scored best on `metric`.
  case select(SelectConfig)
  /// A parametric form fitted to the trajectory of a metric an upstream stage recorded.
  case fit(FitConfig)

  /// `train`, `evaluate`, ...
  public var name: String {
    switch self {
    case .train: "train"
    case .evaluate: "evaluate"
    case .measure: "measure"
    case .finetune: "finetune"
    case .merge: "merge"
    case .select: "select"
    case .fit: "fit"
    }
  }

  /// Whether the stage writes a model later stages can read.
  public var producesModel: Bool {
    switch self {
    case .train, .finetune, .merge: true
    default: false
    }
  }

  /// The loss the stage's model was trained with, which an evaluate stage reading it uses by default.
  public var loss: LossConfig? {
    switch self {
    case .train(_, _, let t), .finetune(_, _, let t): t.loss
    case .evaluate(_, _, let loss, _, _): loss
    case .measure(_, _, let loss, _, _): loss
    case .merge, .select, .fit: nil
    }
  }
}

/// A model's architecture: its input and layers.
public struct ModelConfig: Hashable, Sendable, Codable {
  /// Floats per input sample (a vector's features; an image's, sequence's or token sequence's element count).
  public var input: Int
  /// The input's shape when it is not a plain vector (nil for `[input]`, so that a vector model's canonical
  /// encoding, hence its task hash, is what it was before shapes existed).
  public var shape: TensorShape?
  /// The layers, in order.
  public var layers: [LayerConfig]

  /// Creates a model reading vectors of `input` features.
  public init(input: Int, layers: [LayerConfig]) {
    self.input = input
    self.shape = nil
    self.layers = layers
  }

  /// Creates a model reading samples of `shape`.
  public init(shape: TensorShape, layers: [LayerConfig]) {
    self.input = shape.elementCount
    if case .vector = shape { self.shape = nil } else { self.shape = shape }
    self.layers = layers
  }

  /// The input's shape.
  public var inputShape: TensorShape { shape ?? .vector(features: input) }
}

/// The final model of an upstream stage: which stage, and the architecture it has.
public struct UpstreamModel: Hashable, Sendable, Codable {
  /// The stage's name (its task in the same trial is an input of this task).
  public var stage: String
  /// The model's architecture.
  public var model: ModelConfig

  /// Creates a reference.
  public init(stage: String, model: ModelConfig) {
    self.stage = stage
    self.model = model
  }
}

/// What a measure stage measures.
public enum MeasureSource: Hashable, Sendable, Codable {
  /// A fresh model, initialised.
  case fresh(model: ModelConfig, initialization: InitConfig)
  /// The final model of an upstream stage.
  case upstream(UpstreamModel)
}

/// How a train or finetune stage trains.
public struct TrainingConfig: Hashable, Sendable, Codable {
  /// The training rows.
  public var data: DataSelection
  /// The objective.
  public var loss: LossConfig
  /// The optimizer.
  public var optimizer: OptimizerConfig
  /// Epochs or steps.
  public var length: TrainingLength
  /// Rows per batch.
  public var batch: Int
  /// Reshuffle the rows every epoch (seeded).
  public var shuffle: Bool
  /// What to record.
  public var record: [MetricConfig]
  /// Steps between records; nil spreads about ``TrainingConfig/defaultRecords`` records over the stage.
  public var every: Int?
  /// Steps between checkpoints (the last step is always checkpointed), or nil for only the last.
  public var checkpointEvery: Int?
  /// Held-out metrics recorded during training, if any.
  public var eval: EvalConfig?
  /// True: the records are also written as TensorBoard event files while training. Nil when not asked for, so
  /// the encoding (and the task hash) of a stage without it is what it was before the option existed.
  public var tensorBoard: Bool?

  /// Records written over a stage when `every` is not given.
  public static let defaultRecords = 100

  /// Creates a training configuration.
  public init(
    data: DataSelection, loss: LossConfig, optimizer: OptimizerConfig, length: TrainingLength, batch: Int,
    shuffle: Bool, record: [MetricConfig], every: Int?, checkpointEvery: Int?, eval: EvalConfig? = nil,
    tensorBoard: Bool? = nil
  ) {
    self.data = data
    self.loss = loss
    self.optimizer = optimizer
    self.length = length
    self.batch = batch
    self.shuffle = shuffle
    self.record = record
    self.every = every
    self.checkpointEvery = checkpointEvery
    self.eval = eval
    self.tensorBoard = tensorBoard
  }
}

/// How long a stage trains.
public enum TrainingLength: Hashable, Sendable, Codable {
  /// Whole passes over the data (each ⌈rows / batch⌉ steps).
  case epochs(Int)
  /// Optimizer steps.
  case steps(Int)
}

/// One adapter of a finetune stage.
public struct AdapterConfig: Hashable, Sendable, Codable {
  /// LoRA or SVFit.
  public var form: AdapterForm
  /// Rank r.
  public var rank: Int
  /// LoRA's α (α/r scales the update).
  public var alpha: Double
  /// LoRA's starting values.
  public var initialization: AdapterInit
  /// Which weight layers get it (dense layers, and attention layers on `projections`).
  public var layers: LayerSet
  /// The projections of each selected attention layer that get an adapter (LoRA's paper: W_q and W_v).
  public var projections: [AttentionProjection]

  /// Creates an adapter.
  public init(
    form: AdapterForm, rank: Int, alpha: Double, initialization: AdapterInit, layers: LayerSet,
    projections: [AttentionProjection] = AttentionProjection.loraDefault
  ) {
    self.form = form
    self.rank = rank
    self.alpha = alpha
    self.initialization = initialization
    self.layers = layers
    self.projections = projections
  }

  private enum CodingKeys: String, CodingKey { case form, rank, alpha, initialization, layers, projections }

  /// The default `projections` is left out of the encoding, so the hashes of adapter tasks written before attention
  /// adapters existed stay as they were.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(form, forKey: .form)
    try c.encode(rank, forKey: .rank)
    try c.encode(alpha, forKey: .alpha)
    try c.encode(initialization, forKey: .initialization)
    try c.encode(layers, forKey: .layers)
    if projections != AttentionProjection.loraDefault { try c.encode(projections, forKey: .projections) }
  }

  /// Reads what `encode(to:)` writes (a missing `projections` is the default).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    form = try c.decode(AdapterForm.self, forKey: .form)
    rank = try c.decode(Int.self, forKey: .rank)
    alpha = try c.decode(Double.self, forKey: .alpha)
    initialization = try c.decode(AdapterInit.self, forKey: .initialization)
    layers = try c.decode(LayerSet.self, forKey: .layers)
    projections =
      try c.decodeIfPresent([AttentionProjection].self, forKey: .projections) ?? AttentionProjection.loraDefault
  }
}

/// One of an attention layer's four projections, as per-layer rules and adapters name them.
public enum AttentionProjection: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
  /// W_q, rows 0..<E of `in_proj_weight`.
  case query
  /// W_k, rows E..<2E.
  case key
  /// W_v, rows 2E..<3E.
  case value
  /// W_o, `out_proj.weight`.
  case output

  /// Where LoRA puts its adapters in a transformer (Hu et al., ICLR 2022, §7.1: W_q and W_v).
  public static let loraDefault: [AttentionProjection] = [.query, .value]

  /// Model order: query, key, value, output.
  public static func < (a: Self, b: Self) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

/// The adapter forms.
public enum AdapterForm: String, Hashable, Sendable, Codable, CaseIterable {
  /// W + (α/r) B A (Hu et al., ICLR 2022).
  case lora
  /// Only the top-r singular values of W train (Sun et al. 2024).
  case svfit
}

/// How a LoRA adapter starts.
public enum AdapterInit: Hashable, Sendable, Codable {
  /// A ~ kaiming_uniform(a = √5), B = 0.
  case gaussian
  /// A = B = 0.
  case zeros
  /// The principal singular vectors and values of W (Meng et al. 2024).
  case pissa
  /// The principal components of the layer inputs on `data`, with ranks redistributed by explained variance over
  /// round(`rho` · rank) components per layer (Paischer et al. 2024).
  case eva(data: DataSelection, rho: Double)
  /// SVFit's own start (the top-r singular values of W).
  case svfit
}
