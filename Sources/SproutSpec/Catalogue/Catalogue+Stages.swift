import SproutConfig

extension Catalogue {
  static let recordArgument = ArgumentSpec(
    "record", .list(.kind(.metric)), default: .list([.string("loss")]),
    "Metrics to write: names, or one-key maps with options (`{effective_rank: {layers: 1}}`).")
  static let everyArgument = ArgumentSpec(
    "every", .int, min: 1,
    "Steps between metric records (default: about \(TrainingConfig.defaultRecords) records over the stage); the "
      + "first and last steps are always recorded.")
  static let batchArgument = ArgumentSpec("batch", .int, default: .int(32), min: 1, "Mini-batch size.")
  static let evaluationBatch = ArgumentSpec(
    "batch", .int, default: .int(256), min: 1, "Rows per forward pass (memory only: the numbers do not depend on it).")

  /// What train and finetune share: data, loss, optimizer, length, batch, shuffle, records and checkpoints.
  static func training(_ a: inout Lowerer, data: DataSelection) throws -> TrainingConfig {
    let length: TrainingLength
    if let steps = try a.optionalInt("steps") {
      length = .steps(steps)
    } else if let epochs = try a.optionalInt("epochs") {
      length = .epochs(epochs)
    } else {
      throw a.fail("steps", "the stage needs epochs or steps")
    }
    guard let loss = try a.optionalLoss("loss") else { throw a.fail("loss", "the stage needs a loss") }
    let record = try a.metrics("record")
    try checkClassMetrics(a, record, loss: loss)
    return TrainingConfig(
      data: data, loss: loss, optimizer: try a.optimizer("optimizer"), length: length, batch: try a.int("batch"),
      shuffle: try a.bool("shuffle"), record: record, every: try a.optionalInt("every"),
      checkpointEvery: try a.optionalInt("checkpoint_every"), eval: try evaluation(&a, loss: loss),
      tensorBoard: try a.bool("tensorboard") ? true : nil)
  }

  /// Metrics that read class labels need a loss that reads them.
  static func checkClassMetrics(_ a: Lowerer, _ record: [MetricConfig], loss: LossConfig) throws {
    guard !loss.readsClassIndices, record.contains(where: { if case .verifiedError = $0 { true } else { false } })
    else { return }
    throw a.fail(
      "record", "verified_error compares class logits with labels, which a \(loss.kindName) loss does not read",
      help: "train with cross_entropy or ibp")
  }

  /// An ibp loss needs a model interval bounds can pass through (``LayerConfig/passesIntervals``), without dropout:
  /// its robust loss bounds the network as evaluation sees it, which the clean loss with dropout is not.
  static func checkCertifiable(_ a: Lowerer, model: ModelConfig, loss: LossConfig, adapters: [AdapterConfig]) throws {
    guard case .ibp = loss else { return }
    if !adapters.isEmpty {
      throw a.fail("loss", "ibp trains every weight; it cannot train adapters", help: "remove the adapters")
    }
    func isDropout(_ layer: LayerConfig) -> Bool { if case .dropout = layer { true } else { false } }
    for (i, layer) in model.layers.enumerated() where !layer.passesIntervals || isDropout(layer) {
      throw a.fail(
        "loss",
        "ibp pushes intervals through the model, and layer \(i) (\(layer.name)) is not one they pass: "
          + LayerConfig.intervalLayersText.replacingOccurrences(of: "dropout and ", with: "and "),
        help: "use monotone activations and no residual, dropout or normalisation layers")
    }
  }

  /// Metrics computed by interval bound propagation (interval_bounds, verified_error) need a model the intervals pass.
  static func checkIntervalMetrics(_ a: Lowerer, _ record: [MetricConfig], layers: [LayerConfig], argument: String)
    throws
  {
    guard let metric = record.first(where: \.propagatesIntervals),
      let (i, layer) = layers.enumerated().first(where: { !$0.element.passesIntervals })
    else { return }
    throw a.fail(
      argument,
      "\(metric.name) pushes intervals through the model, and layer \(i) (\(layer.name)) is not one they pass: "
        + LayerConfig.intervalLayersText,
      help: "record it on a model of those layers")
  }

  /// ``checkIntervalMetrics(_:_:layers:argument:)`` for a training stage's record and its eval's.
  static func checkIntervalMetrics(_ a: Lowerer, training: TrainingConfig, layers: [LayerConfig]) throws {
    try checkIntervalMetrics(a, training.record, layers: layers, argument: "record")
    if let eval = training.eval { try checkIntervalMetrics(a, eval.record, layers: layers, argument: "eval") }
  }

  /// Metrics a stage that does not train cannot record.
  static func checkNoTrainingMetrics(_ a: Lowerer, _ record: [MetricConfig], stage: String) throws {
    if let m = record.first(where: \.needsTrainingStep) {
      throw a.fail(
        "record", "\(m.name) is a quantity of a training step, which a \(stage) stage does not take",
        help: "record it in the train stage")
    }
  }

  static let trainingArguments: [ArgumentSpec] = [
    ArgumentSpec("loss", .kind(.loss), required: true, "The loss."),
    ArgumentSpec("optimizer", .kind(.optimizer), required: true, "The optimizer, with schedule, clip and tract."),
    ArgumentSpec("epochs", .int, min: 1, "Passes over the data."),
    ArgumentSpec("steps", .int, min: 1, "Optimizer steps."),
    batchArgument,
    ArgumentSpec("checkpoint_every", .int, min: 1, "Steps between checkpoints (the final one is always written)."),
    ArgumentSpec("shuffle", .bool, default: .bool(true), "Reshuffle the samples every epoch (seeded)."),
    recordArgument,
    everyArgument,
    evalArgument,
    ArgumentSpec(
      "tensorboard", .bool, default: .bool(false),
      "Also write the records as TensorBoard event files while training: one TensorBoard run per trial under "
        + "`<store>/tensorboard/<run id>/` (`tensorboard --logdir .sprout/tensorboard`). The numbers do not depend "
        + "on it."),
  ]

  static let stages: [KindSpec] = [
    KindSpec(
      .stage, StageKind.train.rawValue, "Train a model from an initializer on data.",
      constraints: [.exactlyOne(["epochs", "steps"])],
      example: """
        train:
          kind: train
          model: net
          init: ${matrix.init}
          data: teacher.train
          loss: mse
          optimizer: {kind: sgd, lr: 0.05, momentum: 0.9}
          epochs: 30
          batch: 64
          record: [loss, weight_change, effective_rank]
          every: 50
        """,
      arguments: [
        ArgumentSpec("model", .reference(.model), required: true, "The model to build."),
        ArgumentSpec("init", .reference(.initializer), required: true, "How its parameters start."),
        ArgumentSpec("data", .data, required: true, "Training data."),
      ] + trainingArguments,
      lower: { a in
        let model = try a.model("model")
        let initialization = try a.initialization("init")
        let data = try a.data("data")
        let training = try training(&a, data: data)
        try checkCertifiable(a, model: model, loss: training.loss, adapters: [])
        try checkIntervalMetrics(a, training: training, layers: model.layers)
        return .stage(.train(model: model, initialization: initialization, training: training))
      }),
    KindSpec(
      .stage, StageKind.evaluate.rawValue, "Evaluate the final model of a stage on data.",
      example: "test:\n  kind: evaluate\n  from: train\n  data: teacher.test\n  record: [loss]",
      arguments: [
        ArgumentSpec("from", .reference(.stage), required: true, "The stage whose final model is evaluated."),
        ArgumentSpec("data", .data, required: true, "Evaluation data."),
        ArgumentSpec("loss", .kind(.loss), "The loss (default: the from stage's loss)."),
        evaluationBatch,
        recordArgument,
      ],
      lower: { a in
        let up = try a.upstream("from")
        let model = try a.modelOf(up, argument: "from")
        guard let loss = try a.optionalLoss("loss") ?? up.config.loss else {
          throw a.fail(
            "from", "evaluate uses the loss of the stage it reads, but '\(up.name)' has none",
            help: "add 'loss:' to this stage")
        }
        let record = try a.metrics("record")
        try checkNoTrainingMetrics(a, record, stage: "evaluate")
        try checkClassMetrics(a, record, loss: loss)
        try checkIntervalMetrics(a, record, layers: model.model.layers, argument: "record")
        return .stage(
          .evaluate(from: model, data: try a.data("data"), loss: loss, batch: try a.int("batch"), record: record))
      }),
    KindSpec(
      .stage, StageKind.measure.rawValue,
      "Record metrics of a model without training it (e.g. an untrained network's output spectrum).",
      constraints: [.exactlyOne(["model", "from"]), .requires("model", ["init"])],
      example: "spectrum:\n  kind: measure\n  model: net\n  init: siren\n  data: target\n  record: [output_spectrum]",
      arguments: [
        ArgumentSpec("model", .reference(.model), "The model to build (with init)."),
        ArgumentSpec("init", .reference(.initializer), "How its parameters start."),
        ArgumentSpec("from", .reference(.stage), "Measure a stage's final model instead."),
        ArgumentSpec("data", .data, "Data the metrics need."),
        ArgumentSpec("loss", .kind(.loss), "The loss, for the loss metric (default: the from stage's loss)."),
        evaluationBatch,
        ArgumentSpec("record", .list(.kind(.metric)), required: true, "Metrics to write."),
      ],
      lower: { a in
        let source: MeasureSource
        var loss = try a.optionalLoss("loss")
        if a.optionalArgument("model") != nil {
          source = .fresh(model: try a.model("model"), initialization: try a.initialization("init"))
        } else {
          let up = try a.upstream("from")
          source = .upstream(try a.modelOf(up, argument: "from"))
          loss = loss ?? up.config.loss
        }
        let record = try a.metrics("record")
        try checkNoTrainingMetrics(a, record, stage: "measure")
        switch source {
        case .fresh(let model, _): try checkIntervalMetrics(a, record, layers: model.layers, argument: "record")
        case .upstream(let up): try checkIntervalMetrics(a, record, layers: up.model.layers, argument: "record")
        }
        if record.contains(where: { if case .verifiedError = $0 { true } else { false } }),
          !(loss?.readsClassIndices ?? false)
        {
          throw a.fail(
            "record", "verified_error compares class logits with labels, and measure has no classification loss",
            help: "add 'loss: cross_entropy' to the stage")
        }
        if record.contains(.loss), loss == nil {
          throw a.fail("record", "measure records loss but has no loss", help: "add 'loss:' to the stage")
        }
        if record.contains(.accuracy), loss == nil {
          throw a.fail(
            "record", "accuracy compares outputs with targets as the loss reads them, and measure has no loss",
            help: "add 'loss:' to the stage")
        }
        if loss != nil, !record.contains(.loss), !record.contains(.accuracy) {
          a.noEffect("loss", "no recorded metric uses it (record loss or accuracy)")
        }
        let data = try a.optionalData("data")
        if data == nil, let m = record.first(where: { !$0.readsOnlyWeights }) {
          throw a.fail("record", "\(m.name) needs data, and the stage has none", help: "add 'data:' to the stage")
        }
        return .stage(.measure(source: source, data: data, loss: loss, batch: try a.int("batch"), record: record))
      }),
    KindSpec(
      .stage, StageKind.finetune.rawValue, "Train adapters (or every weight) starting from a stage's final model.",
      constraints: [.exactlyOne(["epochs", "steps"])],
      example: """
        adapt:
          kind: finetune
          from: pretrain
          data: task_b.train
          adapters: [{kind: lora, rank: 4, init: pissa}]
          loss: cross_entropy
          optimizer: {kind: adam, lr: 0.001}
          steps: 300
        """,
      arguments: [
        ArgumentSpec("from", .reference(.stage), required: true, "The trained stage to start from."),
        ArgumentSpec("data", .data, required: true, "Fine-tuning data."),
        ArgumentSpec("adapters", .list(.kind(.adapter)), default: .list([]), "Adapters; none means full fine-tuning."),
      ] + trainingArguments,
      lower: { a in
        let from = try a.upstreamModel("from")
        let adapters = try a.adapters("adapters")
        let data = try a.data("data")
        let training = try training(&a, data: data)
        try checkCertifiable(a, model: from.model, loss: training.loss, adapters: adapters)
        try checkIntervalMetrics(a, training: training, layers: from.model.layers)
        return .stage(.finetune(from: from, adapters: adapters, training: training))
      }),
    KindSpec(
      .stage, StageKind.merge.rawValue, "Task arithmetic: θ = θ_base + scale · Σ wᵢ (θᵢ − θ_base).",
      paper: "Ilharco et al., ICLR 2023 (task vectors)",
      example: "merged:\n  kind: merge\n  base: pretrain\n  from: [task_a, task_b]\n  scale: 0.5",
      arguments: [
        ArgumentSpec("base", .reference(.stage), required: true, "The stage the task vectors are relative to."),
        ArgumentSpec("from", .list(.reference(.stage)), required: true, "Stages whose differences to base are added."),
        ArgumentSpec("weights", .list(.float), "One weight per from stage (default 1 each)."),
        ArgumentSpec("scale", .float, default: .float(1), "Scale of the summed task vector."),
      ],
      lower: { a in
        let base = try a.upstreamModel("base")
        let from = try a.upstreams("from")
        for up in from {
          let m = try a.modelOf(up, argument: "from")
          guard m.model == base.model else {
            throw a.fail(
              "from",
              "merge adds task vectors of one architecture, but '\(up.name)' has a different model than "
                + "'\(base.stage)'")
          }
        }
        let weights = try a.optionalDoubles("weights") ?? from.map { _ in 1 }
        guard weights.count == from.count else {
          throw a.fail("weights", "weights has \(weights.count) entries but from has \(from.count)")
        }
        return .stage(.merge(base: base, from: from.map(\.name), weights: weights, scale: try a.double("scale")))
      }),
  ]
}
