import SproutDiagnostics

/// The graph phase's diagnostics (`graph.*`), sorted by id. docs/diagnostics.md is generated from this list.
public enum GraphDiagnostics {
  /// finetune's `from` names a stage that produces no trained model.
  public static let adapterNeedsTrained: DiagnosticID = "graph.adapter-needs-trained"
  /// An adapter on a layer the model does not have or that takes none, or with more singular directions than its
  /// matrix has.
  public static let adapterRank: DiagnosticID = "graph.adapter-rank"
  /// A data file exists but cannot be read (its header, its size, its labels) or disagrees with its partner file.
  public static let badFile: DiagnosticID = "graph.bad-file"
  /// Stages read each other in a cycle.
  public static let cycle: DiagnosticID = "graph.cycle"
  /// A generated dataset whose size argument asks for more memory than the budget.
  public static let dataTooLarge: DiagnosticID = "graph.data-too-large"
  /// A stage's `from` (or a from_stage initializer) does not yield the model expected.
  public static let fromMismatch: DiagnosticID = "graph.from-mismatch"
  /// An initializer assumes an activation the model lacks (siren without sine).
  public static let initActivation: DiagnosticID = "graph.init-activation"
  /// A `layers:` selector of an initializer matches no layer.
  public static let initLayerSelector: DiagnosticID = "graph.init-layer-selector"
  /// low_rank's rank exceeds min(fan_in, fan_out).
  public static let initRank: DiagnosticID = "graph.init-rank"
  /// An initializer on a weight of a shape it does not naturally fit (identity on a non-square weight).
  public static let initShape: DiagnosticID = "graph.init-shape"
  /// A model's input width differs from its data's feature count.
  public static let inputMismatch: DiagnosticID = "graph.input-mismatch"
  /// The loss does not fit the targets or the output width.
  public static let lossTarget: DiagnosticID = "graph.loss-target"
  /// A data file does not exist.
  public static let missingFile: DiagnosticID = "graph.missing-file"
  /// A stage needs a model but neither `model` nor `from` gives one.
  public static let noModel: DiagnosticID = "graph.no-model"
  /// An evaluate stage with no loss of its own reads a model whose stage has none (a merge).
  public static let noLoss: DiagnosticID = "graph.no-loss"
  /// A residual block's body changes the width.
  public static let residualWidth: DiagnosticID = "graph.residual-width"
  /// select compares a metric its stage does not record.
  public static let selectMetric: DiagnosticID = "graph.select-metric"
  /// Layer widths that do not fit together (e.g. rational groups not dividing the width).
  public static let shapeMismatch: DiagnosticID = "graph.shape-mismatch"

  /// Every graph diagnostic, sorted by id.
  public static let catalog: [DiagnosticCatalog.Entry] = [
    .init(
      adapterNeedsTrained, .error,
      "Adapters (finetune) are added to a trained model, so `from` must name a train, finetune or merge stage.",
      example:
        "stages:\n  look: {kind: measure, model: net, init: he, record: [weight_norm]}\n"
        + "  adapt: {kind: finetune, from: look, ...}"
    ),
    .init(
      adapterRank, .error,
      "An adapter goes on the model's dense layers and on the projections (`tensors`) of its attention layers "
        + "(weight layers by index from 0, negative from the end, or by kind), not on embeddings, convolutions or "
        + "recurrent layers; and its `rank` must be at most min(fan_in, fan_out) of each matrix: PiSSA and SVFit take "
        + "that many singular directions, and a larger LoRA rank adds nothing.",
      example:
        "models:\n  net: {input: 8, layers: [{dense: 32}, relu, {dense: 1}]}\nstages:\n"
        + "  adapt: {kind: finetune, from: pretrain, adapters: [{kind: svfit, rank: 4}], ...}"),
    .init(
      badFile, .error,
      "A data file cannot be read as the trainer would read it — a bad header, a size that does not match the "
        + "header, a label that is not a class index, a ragged CSV row — or it disagrees with the dataset's other "
        + "file or arguments. The message gives the reader's code (`data.truncated`, `data.bad-label`, ...) and the "
        + "place in the file (row, column, byte).",
      example: "datasets:\n  d: {kind: npy, inputs: x.txt, targets: y.npy}"),
    .init(
      cycle, .error,
      "Stages read each other's outputs in a cycle, so none of them can run first. The message lists the cycle.",
      example: "stages:\n  a: {kind: evaluate, from: b, ...}\n  b: {kind: evaluate, from: a, ...}"),
    .init(
      dataTooLarge, .error,
      "A generated dataset's `samples` (or an image pattern's `size`) asks for more memory than the budget of half "
        + "the machine's memory, counting every number a sample holds and the copies the trainer makes. Checked "
        + "before anything is generated; the message states the size.",
      example: "datasets:\n  d: {kind: two_spirals, samples: 1000000000000}"),
    .init(
      fromMismatch, .error,
      "A stage's `from` (or a from_stage initializer) names a stage that does not produce the model it needs.",
      example: "stages:\n  test: {kind: evaluate, from: spectrum, data: d}"),
    .init(
      initActivation, .error, "siren, siren_first and winner are derived for sine activations; the model has none.",
      example: "initializers:\n  s: {kind: siren}\nmodels:\n"
        + "  net: {input: 2, layers: [{dense: 64}, relu, {dense: 1}]}"),
    .init(
      initLayerSelector, .warning,
      "An initializer's `layers:` selector matches no layer with parameters of the model it is applied to.",
      example: "initializers:\n  i: {kind: xavier_normal, layers: {7: {kind: zeros}}}"),
    .init(
      initRank, .error, "low_rank's rank must be at most min(fan_in, fan_out) of every weight it initializes.",
      example: "initializers:\n  lr: {kind: low_rank, rank: 32}\nmodels:\n  net: {input: 16, layers: [{dense: 8}]}"),
    .init(
      initShape, .warning, "identity on a non-square weight is a rectangular identity (ones on the leading diagonal).",
      example: "initializers:\n  eye: {kind: identity}\nmodels:\n  net: {input: 16, layers: [{dense: 64}]}"),
    .init(
      inputMismatch, .error,
      "A model's input width must equal the number of features of the data it is trained or evaluated on.",
      example:
        "models:\n  net: {input: 16, ...}\ndatasets:\n  spirals: {kind: two_spirals, samples: 100}\n"
        + "stages:\n  train: {model: net, data: spirals, ...}"
    ),
    .init(
      lossTarget, .error,
      "The loss must fit the targets: cross_entropy needs class labels and as many outputs as classes; "
        + "mse as many outputs as target values; bce_with_logits binary labels. For a dataset read from files, "
        + "lint counts the classes in the label file or column, as training would.",
      example: "stages:\n  train: {loss: cross_entropy, data: sine_wave, ...}"),
    .init(
      missingFile, .error, "A dataset names a file that does not exist (paths are relative to the spec's directory).",
      example: "datasets:\n  d: {kind: csv, path: data/missing.csv, target: y}"),
    .init(
      noLoss, .error,
      "An evaluate stage without `loss` uses the loss of the stage it reads; a merge stage trains nothing and has "
        + "none, so the evaluate stage must give one.",
      example: "stages:\n  merged: {kind: merge, base: a, from: [b]}\n  test: {kind: evaluate, from: merged, data: d.test}"),
    .init(
      noModel, .error, "A stage needs a model, but neither its `model` nor its `from` chain names one.",
      example: "stages:\n  m: {kind: measure, record: [weight_norm]}"),
    .init(
      residualWidth, .error,
      "A residual block computes x + body(x), so its body must end with the width it starts with.",
      example: "layers:\n  - dense: 64\n  - residual: [{dense: 32}]"),
    .init(
      selectMetric, .error, "select compares a metric, which the stage it selects from must record.",
      example: "stages:\n  best: {kind: select, from: test, metric: accuracy}"),
    .init(
      shapeMismatch, .error, "Layer arguments that do not fit the width they receive (rational groups must divide it).",
      example: "layers:\n  - dense: 10\n  - rational: {groups: 4}"),
  ]

  /// Registers ``catalog`` with the diagnostic registry (idempotent, and free after the first call: the front end
  /// registers every catalogue for each file it checks).
  public static func register() { _ = registered }

  private static let registered: Void = DiagnosticCatalog.register(catalog)
}
