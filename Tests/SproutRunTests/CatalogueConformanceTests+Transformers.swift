/// The probes of the token layers, datasets and metric: a token model on an induction task (length 6, vocab 5).
extension CatalogueConformanceTests {
  static let transformerSamples: [String: String] = [
    "layer/embedding.vocab": "5", "layer/embedding.dim": "4", "layer/transformer_block.mlp": "8",
    "dataset/copy.samples": "48", "dataset/induction.samples": "48",
  ]

  static let transformerProbes: [String: Probe] = {
    var p: [String: Probe] = [
      // A larger table is drawn from the same stream (its first rows equal), but the tensor differs.
      "layer/embedding.vocab": Probe("7", host: "tokens"), "layer/embedding.dim": Probe("8", host: "tokens"),
      "layer/embedding.positional": Probe("sinusoidal", host: "tokens"),
      "layer/attention.heads": Probe("2", host: "tokens"), "layer/attention.causal": Probe("true", host: "tokens"),
      "layer/transformer_block.heads": Probe("2", host: "tokens"),
      "layer/transformer_block.mlp": Probe("6", host: "tokens"),
      "layer/transformer_block.causal": Probe("true", host: "tokens"),
      "layer/transformer_block.norm": Probe("pre", host: "tokens"),
      "layer/transformer_block.activation": Probe("gelu", host: "tokens"),
      "metric/attention_entropy.samples": Probe("4"),
      // Adapters on the attention projections of a pretrained token model: other projections, other numbers.
      "adapter/lora.tensors": Probe("[key, output]", with: "layers: attention", host: "tokens"),
      "adapter/svfit.tensors": Probe("[query]", base: "[value]", with: "layers: attention", host: "tokens"),
    ]
    for kind in ["copy", "induction"] {
      p["dataset/\(kind).samples"] = Probe("40")
      p["dataset/\(kind).length"] = Probe("8", base: "6")
      p["dataset/\(kind).vocab"] = Probe("4", base: "5")
      p["dataset/\(kind).score"] = Probe("repeated")
      p["dataset/\(kind).split"] = Probe("{a: 0.7, b: 0.3}", base: "{a: 0.5, b: 0.5}")
      p["dataset/\(kind).standardize"] = Probe("true", expect: .isLintError("spec.no-effect"))
      p["dataset/\(kind).one_hot"] = Probe("true", expect: .isLintError("spec.no-effect"))
    }
    return p
  }()

  static let tokenData = "  tok: {kind: induction, samples: 48, length: 6, vocab: 5, split: {train: 0.5, test: 0.5}}"

  /// A token layer `instance` in a model on `tok`: the embedding itself first, the others after an embedding.
  static func tokenLayerHost(kind: String, instance: String) -> String {
    let layers =
      kind == "embedding"
      ? "[\(instance), {dense: 5}]" : "[{embedding: {vocab: 5, dim: 4, positional: learned}}, \(instance), {dense: 5}]"
    return spec(
      datasets: tokenData, models: "  m: {input: {tokens: 6, vocab: 5}, layers: \(layers)}",
      stages: train(model: "m", data: "tok.train", loss: "cross_entropy", record: "[loss]"))
  }

  /// A token dataset `instance` (as `d`, or its part `d.a` when split) read by a token model.
  static func tokenDatasetHost(instance: String, split: Bool) -> String {
    // The model reads the dataset's sequences: its length and vocab as written, else the catalogue's 32 and 16.
    func written(_ name: String, _ otherwise: Int) -> Int {
      guard let r = instance.range(of: "\(name): ") else { return otherwise }
      return Int(instance[r.upperBound...].prefix { $0.isNumber }) ?? otherwise
    }
    let (length, vocab) = (written("length", 32), written("vocab", 16))
    return spec(
      datasets: "  d: \(instance)",
      models: "  dm: {input: {tokens: \(length), vocab: \(vocab)}, layers: [{embedding: {vocab: \(vocab), dim: 4}}, "
        + "{attention: 2}, {dense: \(vocab)}]}",
      stages: train(model: "dm", data: split ? "d.a" : "d", loss: "cross_entropy", record: "[loss]"))
  }

  /// An adapter `instance` fine-tuning a small transformer pretrained on `tok`.
  static func tokenAdapterHost(instance: String) -> String {
    spec(
      datasets: tokenData,
      models: "  tm: {input: {tokens: 6, vocab: 5}, layers: [{embedding: {vocab: 5, dim: 4}}, "
        + "{transformer_block: {heads: 2, mlp: 8, causal: true}}, {dense: 5}]}",
      stages: train("pre", model: "tm", data: "tok.train", loss: "cross_entropy", record: "[loss]") + "\n"
        + """
          adapt: {kind: finetune, from: pre, data: tok.train, adapters: [\(instance)], loss: cross_entropy, \
        optimizer: {kind: adam, lr: 0.01}, steps: 4, batch: 8, record: [loss, weight_norm]}
        """)
  }

  /// `attention_entropy` recorded while a small transformer trains on `tok`.
  static func tokenMetricHost(instance: String) -> String {
    spec(
      datasets: tokenData,
      models: "  tm: {input: {tokens: 6, vocab: 5}, layers: [{embedding: {vocab: 5, dim: 4}}, "
        + "{transformer_block: {heads: 2, mlp: 8, causal: true}}, {dense: 5}]}",
      stages: train(model: "tm", data: "tok.train", loss: "cross_entropy", record: "[\(instance)]"))
  }
}
