import SproutPlanner
import SproutTensor
import SproutTrain

/// Resolved definitions (the language's YAML shapes, as JSON) → SproutTrain configuration values.
enum TrainConfigs {
  /// The main (positional) argument of each layer kind: `{dense: 256}` means `{dense: {units: 256}}`.
  static func layerMain(_ kind: String) -> String? {
    [
      "dense": "units", "dropout": "rate", "fourier_features": "features", "leaky_relu": "slope", "elu": "alpha",
      "gelu": "approximate", "softplus": "beta", "sine": "omega", "crrelu": "epsilon", "rational": "groups",
      "residual": "layers", "layer_norm": "eps", "dice": "alpha",
    ][kind]
  }

  /// A model definition's layer list.
  static func layers(_ model: Definition) throws -> (input: Int, layers: [LayerConfig]) {
    let input = try model.required("input").int()
    return (input, try layerList(try model.required("layers")))
  }

  static func layerList(_ list: Definition) throws -> [LayerConfig] {
    try list.array().map(layer)
  }

  static func layer(_ item: Definition) throws -> LayerConfig {
    let (kind, a) = try item.kindAndArguments(main: layerMain)
    switch kind {
    case "dense": return .dense(units: try a.required("units").int(), bias: try a.bool("bias", default: true))
    case "residual":
      if case .array = a.value { return .residual(try layerList(a)) }
      return .residual(try layerList(try a.required("layers")))
    case "layer_norm":
      return .layerNorm(eps: try a.float("eps", default: 1e-5), affine: try a.bool("affine", default: true))
    case "dropout": return .dropout(p: try a.required("rate").float())
    case "fourier_features":
      return .fourierFeatures(
        features: try a.required("features").int(), sigma: try a.float("sigma", default: 10),
        includeInput: try a.bool("include_input", default: false))
    case "crrelu":
      return .activation(
        .crrelu(epsilon: try a.float("epsilon", default: 0.01), learnable: try a.bool("learnable", default: true)))
    case "rational":
      let name = try a.string("init", default: "swish")
      guard let initialization = RationalInitialization(rawValue: name) else {
        throw a.fail("unknown rational init '\(name)'")
      }
      try a.refuseUnlessDefault("degrees", [5, 4], "SproutTrain's rational layer has degrees [5, 4] only")
      return .activation(.rational(groups: try a.int("groups", default: 8), initialization: initialization))
    case "dice":
      try a.refuseUnlessDefault("form", "paper", "only the paper's formula is implemented, not the official code's β")
      try a.refuseUnlessDefault("momentum", 0.1, "SproutTrain's Dice keeps running statistics with momentum 0.1")
      return .activation(.dice(alpha: try a.float("alpha", default: 0), eps: try a.float("eps", default: 1e-8)))
    default:
      return .activation(.stateless(try activation(kind, a)))
    }
  }

  static func activation(_ kind: String, _ a: Definition) throws -> Activation {
    switch kind {
    case "identity": return .identity
    case "relu": return .relu
    case "leaky_relu": return .leakyRelu(slope: try a.float("slope", default: 0.01))
    case "elu": return .elu(alpha: try a.float("alpha", default: 1))
    case "selu": return .selu
    case "gelu": return .gelu(approximateTanh: try a.string("approximate", default: "none") == "tanh")
    case "silu": return .silu
    case "tanh": return .tanh
    case "sigmoid": return .sigmoid
    case "softplus": return .softplus(beta: try a.float("beta", default: 1), threshold: 20)
    case "sine": return .sine(omega: try a.float("omega", default: 30))
    default: throw a.fail("unknown layer '\(kind)'")
    }
  }

  /// A loss written as `mse` or `{kind: cross_entropy, ...}`.
  static func loss(_ d: Definition) throws -> Loss {
    let (kind, a) = try d.kindAndArguments()
    guard let loss = Loss(rawValue: kind) else { throw d.fail("loss '\(kind)' is not supported by the executor") }
    switch loss {
    case .crossEntropy:
      try a.refuseUnlessDefault("label_smoothing", 0, "SproutTrain's cross_entropy has no label smoothing")
    case .bceWithLogits:
      try a.refuseUnlessDefault("pos_weight", 1, "SproutTrain's bce_with_logits has no positive-class weight")
    default: break
    }
    return loss
  }

  /// An optimizer map: the update rule, base lr, schedule and clip.
  static func optimizer(
    _ d: Definition
  ) throws -> (
    config: OptimizerConfig, lr: Float, schedule: Schedule, clipNorm: Float?, trAct: Double?
  ) {
    let (kind, a) = try d.kindAndArguments()
    let config: OptimizerConfig
    let lr: Float
    switch kind {
    case "sgd":
      lr = try a.required("lr").float()
      config = .sgd(
        momentum: try a.float("momentum", default: 0), dampening: try a.float("dampening", default: 0),
        nesterov: try a.bool("nesterov", default: false), weightDecay: try a.float("weight_decay", default: 0))
    case "adam", "adamw":
      lr = try a.float("lr", default: 0.001)
      let (b1, b2, eps) = (
        try a.float("beta1", default: 0.9), try a.float("beta2", default: 0.999), try a.float("eps", default: 1e-8)
      )
      config =
        kind == "adam"
        ? .adam(beta1: b1, beta2: b2, eps: eps, weightDecay: try a.float("weight_decay", default: 0))
        : .adamw(beta1: b1, beta2: b2, eps: eps, weightDecay: try a.float("weight_decay", default: 0.01))
    default: throw d.fail("optimizer '\(kind)' is not supported by the executor")
    }
    let schedule = try a["schedule"].map(Self.schedule) ?? .constant
    var clip: Float?
    if let c = a["clip"] {
      let (clipKind, args) = try c.kindAndArguments(main: { _ in "max_norm" })
      guard clipKind == "norm" || clipKind == "global_norm" || clipKind == "max_norm" || args["max_norm"] != nil else {
        throw c.fail("clip '\(clipKind)' is not supported by the executor (global norm clipping is)")
      }
      clip = try args.required("max_norm").float()
    }
    var trAct: Double?
    if let t = a["tract"] {
      if case .bool(let on) = t.value {
        trAct = on ? 0.1 : nil
      } else if t.value.doubleValue != nil {
        trAct = try t.double()
      } else {
        trAct = try t.double("lambda", default: 0.1)
      }
    }
    return (config, lr, schedule, clip, trAct)
  }

  /// A schedule written as `constant` or `{kind: step|cosine|warmup, ...}`.
  static func schedule(_ d: Definition) throws -> Schedule {
    let (kind, a) = try d.kindAndArguments()
    switch kind {
    case "constant": return .constant
    case "step": return .step(stepSize: try a.required("step_size").int(), gamma: try a.float("gamma", default: 0.1))
    case "cosine":
      let total = try a.int("steps", default: try a.int("total_steps", default: 0))
      let cosine = Schedule.cosine(totalSteps: total, minLR: try a.float("min_lr", default: 0))
      let warmup = try a.int("warmup", default: 0)
      return warmup > 0 ? .linearWarmup(steps: warmup, then: cosine) : cosine
    case "warmup", "linear_warmup": return .linearWarmup(steps: try a.required("warmup").int(), then: .constant)
    default: throw d.fail("schedule '\(kind)' is not supported by the executor")
    }
  }
}

/// One entry of a finetune stage's `adapters:` list.
struct AdapterConfig: Hashable {
  /// LoRA or SVFit.
  var form: DenseAdapter.Form
  /// r.
  var rank: Int
  /// LoRA's α (nil: α = r).
  var alpha: Double?
  /// LoRA's init (SVFit: unused).
  var initRule: LoRAInit
  /// The dense layers (a selector, as written).
  var layers: Definition
  /// EVA: components per layer = round(rho · rank).
  var rho: Double
  /// EVA's data reference, if written.
  var data: String?
  /// Position in the list (initialisation order).
  var order: Int

  static func == (a: Self, b: Self) -> Bool { a.order == b.order }
  func hash(into hasher: inout Hasher) { hasher.combine(order) }
}

extension TrainConfigs {
  /// A finetune stage's adapters (none: full fine-tuning).
  static func adapters(_ list: Definition?) throws -> [AdapterConfig] {
    guard let list else { return [] }
    return try list.array().enumerated().map { order, item in
      let kind = try item.required("kind").string()
      guard let form = DenseAdapter.Form(rawValue: kind) else { throw item.fail("unknown adapter '\(kind)'") }
      let initName = try item.string("init", default: "gaussian")
      guard let initRule = LoRAInit(rawValue: initName) else { throw item.fail("unknown LoRA init '\(initName)'") }
      return AdapterConfig(
        form: form, rank: try item.required("rank").int(), alpha: try item["alpha"]?.double(), initRule: initRule,
        layers: item["layers"] ?? Definition(.string("all"), path: "\(item.path).layers"),
        rho: try item.double("rho", default: 2), data: try item["data"]?.string(), order: order)
    }
  }
}
