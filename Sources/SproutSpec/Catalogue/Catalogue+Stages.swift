extension Catalogue {
  static let recordArgument = ArgumentSpec(
    "record", .list(.kind(.metric)), default: .list([.string("loss")]),
    "Metrics to write: names, or one-key maps with options (`{effective_rank: {layers: 1}}`).")
  static let everyArgument = ArgumentSpec("every", .int, default: .int(1), min: 1, "Steps between metric records.")
  static let batchArgument = ArgumentSpec("batch", .int, default: .int(32), min: 1, "Mini-batch size.")

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
      ] + trainingArguments),
    KindSpec(
      .stage, StageKind.evaluate.rawValue, "Evaluate the final model of a stage on data.",
      example: "test:\n  kind: evaluate\n  from: train\n  data: teacher.test\n  record: [loss]",
      arguments: [
        ArgumentSpec("from", .reference(.stage), required: true, "The stage whose final model is evaluated."),
        ArgumentSpec("data", .data, required: true, "Evaluation data."),
        ArgumentSpec("loss", .kind(.loss), "The loss (default: the from stage's loss)."),
        batchArgument,
        recordArgument,
      ]),
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
        ArgumentSpec("loss", .kind(.loss), "The loss, for the loss metric."),
        batchArgument,
        ArgumentSpec("record", .list(.kind(.metric)), required: true, "Metrics to write."),
      ]),
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
      ] + trainingArguments),
    KindSpec(
      .stage, StageKind.merge.rawValue, "Task arithmetic: θ = θ_base + scale · Σ wᵢ (θᵢ − θ_base).",
      paper: "Ilharco et al., ICLR 2023 (task vectors)",
      example: "merged:\n  kind: merge\n  base: pretrain\n  from: [task_a, task_b]\n  scale: 0.5",
      arguments: [
        ArgumentSpec("base", .reference(.stage), required: true, "The stage the task vectors are relative to."),
        ArgumentSpec("from", .list(.reference(.stage)), required: true, "Stages whose differences to base are added."),
        ArgumentSpec("weights", .list(.float), "One weight per from stage (default 1 each)."),
        ArgumentSpec("scale", .float, default: .float(1), "Scale of the summed task vector."),
      ]),
    KindSpec(
      .stage, StageKind.select.rawValue, "Keep the trial of the matrix whose stage scored best on a recorded metric.",
      example: "best:\n  kind: select\n  from: test\n  metric: loss\n  mode: min",
      arguments: [
        ArgumentSpec("from", .reference(.stage), required: true, "The stage whose records are compared."),
        ArgumentSpec("metric", .string, required: true, "A metric that stage records."),
        ArgumentSpec("mode", .enumeration(["min", "max"]), default: .string("min"), "Lower or higher is better."),
      ]),
  ]
}
