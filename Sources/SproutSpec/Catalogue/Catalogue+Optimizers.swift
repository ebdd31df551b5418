import SproutConfig

extension Catalogue {
  /// Arguments every optimizer accepts: learning rate, decay, schedule, clipping and TrAct.
  static let optimizerCommon: [ArgumentSpec] = [
    ArgumentSpec(
      "schedule", .kind(.schedule), default: .string("constant"), "How the learning rate changes with the step."),
    ArgumentSpec("clip", .kind(.clip), "Gradient clipping, applied before the update."),
    ArgumentSpec(
      "tract",
      .record(
        [ArgumentSpec("lambda", .float, default: .float(0.1), min: 0, exclusiveMin: true, "Ridge λ.")], main: "lambda"),
      "TrAct on the first dense layer: its weight gradient becomes Gᵀ X (XᵀX/b + λI)⁻¹ (Petersen et al., NeurIPS 2024)."
    ),
  ]

  /// The arguments adam and adamw share (they differ only in what weight_decay means).
  static let adamMoments: [ArgumentSpec] = [
    ArgumentSpec("lr", .float, default: .float(0.001), min: 0, exclusiveMin: true, "Learning rate."),
    ArgumentSpec("beta1", .float, default: .float(0.9), min: 0, max: 1, exclusiveMax: true, "First-moment decay."),
    ArgumentSpec(
      "beta2", .float, default: .float(0.999), min: 0, max: 1, exclusiveMax: true, "Second-moment decay."),
    ArgumentSpec("eps", .float, default: .float(1e-8), min: 0, exclusiveMin: true, "Added to the denominator."),
  ]

  /// An optimizer's schedule, clip and TrAct around its update rule.
  static func optimizer(_ a: inout Lowerer, _ rule: UpdateRule) throws -> Lowered {
    var lambda: Double?
    if let tract = try a.optionalRecord("tract") {
      guard let l = tract["lambda"]?.doubleValue else { throw a.fail("tract", "tract needs lambda") }
      lambda = l
    }
    return .optimizer(
      OptimizerConfig(
        rule: rule, lr: try a.double("lr"), schedule: try a.schedule("schedule"), clip: try a.optionalClip("clip"),
        tract: lambda))
  }

  static let optimizers: [KindSpec] = [
    KindSpec(
      .optimizer, "sgd", "Stochastic gradient descent with optional (Nesterov) momentum.",
      example: "optimizer: {kind: sgd, lr: 0.05, momentum: 0.9}",
      arguments: [
        ArgumentSpec("lr", .float, required: true, min: 0, exclusiveMin: true, "Learning rate."),
        ArgumentSpec("momentum", .float, default: .float(0), min: 0, max: 1, exclusiveMax: true, "Momentum factor."),
        ArgumentSpec("nesterov", .bool, default: .bool(false), "Nesterov momentum."),
        ArgumentSpec("weight_decay", .float, default: .float(0), min: 0, "L2 penalty added to the gradient."),
      ] + optimizerCommon,
      lower: { a in
        let momentum = try a.double("momentum")
        let nesterov = try a.bool("nesterov")
        if nesterov && momentum == 0 {
          throw a.fail("nesterov", "Nesterov momentum needs a momentum above 0", help: "set momentum, e.g. 0.9")
        }
        // PyTorch's dampening, which the language does not expose, is 0.
        return try optimizer(
          &a, .sgd(momentum: momentum, dampening: 0, nesterov: nesterov, weightDecay: try a.double("weight_decay")))
      }),
    KindSpec(
      .optimizer, "adam", "Adam.", paper: "Kingma & Ba, ICLR 2015",
      example: "optimizer: {kind: adam, lr: 0.001}",
      arguments: adamMoments + [
        ArgumentSpec("weight_decay", .float, default: .float(0), min: 0, "L2 penalty added to the gradient."),
      ] + optimizerCommon,
      lower: { a in
        try optimizer(
          &a,
          .adam(
            beta1: try a.double("beta1"), beta2: try a.double("beta2"), eps: try a.double("eps"),
            weightDecay: try a.double("weight_decay")))
      }),
    KindSpec(
      .optimizer, "adamw", "Adam with decoupled weight decay.", paper: "Loshchilov & Hutter, ICLR 2019",
      example: "optimizer: {kind: adamw, lr: 0.001, weight_decay: 0.01}",
      arguments: adamMoments + [
        ArgumentSpec("weight_decay", .float, default: .float(0.01), min: 0, "Decoupled decay factor."),
      ] + optimizerCommon,
      lower: { a in
        try optimizer(
          &a,
          .adamw(
            beta1: try a.double("beta1"), beta2: try a.double("beta2"), eps: try a.double("eps"),
            weightDecay: try a.double("weight_decay")))
      }),
  ]

  static let schedules: [KindSpec] = [
    KindSpec(
      .schedule, "constant", "The learning rate stays lr.", example: "schedule: constant",
      lower: { _ in .schedule(.constant) }),
    KindSpec(
      .schedule, "step", "Multiply the learning rate by gamma every step_size steps.", main: "step_size",
      example: "schedule: {kind: step, step_size: 1000, gamma: 0.5}",
      arguments: [
        ArgumentSpec("step_size", .int, required: true, min: 1, "Steps between decays."),
        ArgumentSpec("gamma", .float, default: .float(0.1), min: 0, exclusiveMin: true, "Decay factor."),
      ],
      lower: { a in .schedule(.step(stepSize: try a.int("step_size"), gamma: try a.double("gamma"))) }),
    KindSpec(
      .schedule, "cosine",
      "Cosine decay from lr to min_lr over the stage's steps after an optional warmup, during which the rate is "
        + "lr·(t + 1)/warmup.",
      paper: "Loshchilov & Hutter, ICLR 2017",
      example: "schedule: {kind: cosine, warmup: 100}",
      arguments: [
        ArgumentSpec("min_lr", .float, default: .float(0), min: 0, "Final learning rate."),
        ArgumentSpec("warmup", .int, default: .int(0), min: 0, "Linear warmup steps from 0."),
      ],
      lower: { a in .schedule(.cosine(minLR: try a.double("min_lr"), warmup: try a.int("warmup"))) }),
    KindSpec(
      .schedule, "linear_warmup",
      "Rise linearly from start_factor·lr at step 0 to lr at step warmup, then stay (PyTorch's LinearLR).",
      main: "warmup",
      example: "schedule: {linear_warmup: 500}",
      arguments: [
        ArgumentSpec("warmup", .int, required: true, min: 1, "Warmup steps."),
        ArgumentSpec(
          "start_factor", .float, default: .float(1.0 / 3.0), min: 0, exclusiveMin: true, max: 1,
          "Fraction of lr at step 0 (PyTorch's default 1/3)."),
      ],
      lower: { a in
        .schedule(.linearWarmup(steps: try a.int("warmup"), startFactor: try a.double("start_factor")))
      }),
  ]

  static let clips: [KindSpec] = [
    KindSpec(
      .clip, "norm", "Rescale the whole gradient so its global L2 norm is at most max_norm.", main: "max_norm",
      example: "clip: {norm: 1.0}",
      arguments: [
        ArgumentSpec(
          "max_norm", .float, required: true, min: 0, exclusiveMin: true,
          "Largest global "
            + "norm.")
      ],
      lower: { a in .clip(.norm(maxNorm: try a.double("max_norm"))) }),
    KindSpec(
      .clip, "value", "Clamp every gradient entry to [−max, max].", main: "max", example: "clip: {value: 0.5}",
      arguments: [ArgumentSpec("max", .float, required: true, min: 0, exclusiveMin: true, "Largest absolute entry.")],
      lower: { a in .clip(.value(max: try a.double("max"))) }),
  ]

  static let losses: [KindSpec] = [
    KindSpec(
      .loss, "mse", "Mean squared error over samples and outputs.", example: "loss: mse", lower: { _ in .loss(.mse) }),
    KindSpec(
      .loss, "cross_entropy", "Softmax cross-entropy with integer class labels (or one-hot targets).",
      example: "loss: cross_entropy",
      arguments: [
        ArgumentSpec(
          "label_smoothing", .float, default: .float(0), min: 0, max: 1, exclusiveMax: true,
          "Label smoothing ε: the target is (1 − ε)·one-hot + ε/classes (as PyTorch).")
      ],
      lower: { a in .loss(.crossEntropy(labelSmoothing: try a.double("label_smoothing"))) }),
    KindSpec(
      .loss, "bce_with_logits", "Binary cross-entropy on logits (targets in [0, 1]).", example: "loss: bce_with_logits",
      arguments: [
        ArgumentSpec(
          "pos_weight", .float, default: .float(1), min: 0, exclusiveMin: true,
          "Weight of the positive term −t·log σ(y) (as PyTorch's pos_weight).")
      ],
      lower: { a in .loss(.bceWithLogits(posWeight: try a.double("pos_weight"))) }),
  ]

  static let adapters: [KindSpec] = [
    KindSpec(
      .adapter, "lora", "Low-rank adapter W + (α/r) B A on the selected dense layers and attention projections; the base stays frozen.",
      paper: "Hu et al., ICLR 2022; PiSSA: Meng et al. 2024; EVA: Paischer et al. 2024", main: "rank",
      constraints: [.requiredWhen("init", .string("eva"), ["data"])],
      example: "adapters:\n  - {kind: lora, rank: 4, alpha: 4, init: pissa}",
      arguments: [
        ArgumentSpec("rank", .int, required: true, min: 1, "Rank r."),
        ArgumentSpec("alpha", .float, min: 0, exclusiveMin: true, "Scale α (default: rank, i.e. α/r = 1)."),
        ArgumentSpec(
          "init", .enumeration(["gaussian", "zeros", "pissa", "eva"]), default: .string("gaussian"),
          "gaussian: A ~ kaiming_uniform(√5), B = 0; zeros: both 0; pissa: principal singular vectors; eva: PCA of "
            + "the layer inputs on `data`."
        ),
        ArgumentSpec("data", .data, "Data for the eva init (any data the model's inputs fit)."),
        adapterLayers, adapterTensors,
        ArgumentSpec(
          "rho", .float, default: .float(2), min: 1,
          "EVA: components computed per layer = round(rho · rank), for rank redistribution."),
      ],
      lower: { a in
        let rank = try a.int("rank")
        let initialization: AdapterInit
        switch try a.string("init") {
        case "zeros": initialization = .zeros
        case "pissa": initialization = .pissa
        case "eva": initialization = .eva(data: try a.data("data"), rho: try a.double("rho"))
        default: initialization = .gaussian
        }
        if case .eva = initialization {} else {
          a.noEffect("data", "it is the data of init: eva only")
          a.noEffect("rho", "it shapes init: eva only")
        }
        return .adapter(
          AdapterConfig(
            form: .lora, rank: rank, alpha: try a.optionalDouble("alpha") ?? Double(rank),
            initialization: initialization, layers: try adapterLayerSet(&a),
            projections: try adapterProjections(&a)))
      }),
    KindSpec(
      .adapter, "svfit", "Train only the top-r singular values of each selected dense weight and attention projection.",
      paper: "Sun et al. 2024 (SVFit)", main: "rank",
      example: "adapters:\n  - {kind: svfit, rank: 32}",
      arguments: [
        ArgumentSpec("rank", .int, required: true, min: 1, "Singular values trained per matrix."),
        adapterLayers, adapterTensors,
      ],
      lower: { a in
        let rank = try a.int("rank")
        return .adapter(
          AdapterConfig(
            form: .svfit, rank: rank, alpha: Double(rank), initialization: .svfit, layers: try adapterLayerSet(&a),
            projections: try adapterProjections(&a)))
      }),
  ]


  /// An adapter's `layers:`: weight layers by position (as per-layer initializer rules count them) or by kind.
  static let adapterLayers = ArgumentSpec(
    "layers", .oneOf([.layerSelector, .enumeration(WeightLayerKind.allCases.map(\.rawValue))]), default: .string("all"),
    "Which weight layers get an adapter: all, first, last, an index or a list of indices (weight layers from 0, as "
      + "per-layer initializer rules count them), or a kind: dense, attention, transformer_block (its attention and "
      + "its MLP's two dense layers). A dense layer's weight is adapted, an attention layer's `tensors`; embedding, "
      + "conv2d, rnn and gru layers take no adapter (a lint error).")

  /// An adapter's `tensors:`: the projections of each selected attention layer.
  static let adapterTensors = ArgumentSpec(
    "tensors", .list(.enumeration(AttentionProjection.allCases.map(\.rawValue))),
    default: .list(AttentionProjection.loraDefault.map { .string($0.rawValue) }),
    "The projections of each selected attention layer that get their own adapter: query, key, value, output "
      + "(LoRA's paper adapts W_q and W_v).")

  /// The `layers:` value as a layer set: a kind, or a selector by position.
  static func adapterLayerSet(_ a: inout Lowerer) throws -> LayerSet {
    if let s = try a.argument("layers").value.stringValue, let kind = WeightLayerKind(rawValue: s) { return .kind(kind) }
    return try a.layerSet("layers")
  }

  /// The `tensors:` value: each projection once.
  static func adapterProjections(_ a: inout Lowerer) throws -> [AttentionProjection] {
    let projections = try a.choices("tensors", AttentionProjection.self)
    if let twice = projections.first(where: { p in projections.filter { $0 == p }.count > 1 }) {
      throw a.fail("tensors", "'\(twice.rawValue)' is named twice; each projection gets one adapter")
    }
    if projections.isEmpty { throw a.fail("tensors", "no projection is named", help: "name query, key, value or output") }
    return projections
  }
}
