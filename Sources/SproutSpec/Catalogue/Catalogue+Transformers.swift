import SproutConfig

extension Catalogue {
  /// The token tasks (`copy`, `induction`): one kind each, the same arguments.
  static func tokenTask(_ task: TokenTask, _ doc: String) -> KindSpec {
    let name = task.rawValue
    return KindSpec(
      .dataset, name, doc,
      paper: task == .induction ? "Olsson et al. 2022 (induction heads)" : nil,
      example:
        "\(name):\n  kind: \(name)\n  samples: 2048\n  length: 32\n  vocab: 16\n  split: {train: 0.875, test: "
        + "0.125}",
      arguments: [
        ArgumentSpec("samples", .int, required: true, min: 1, "Number of sequences."),
        ArgumentSpec("length", .int, default: .int(32), min: 2, "Tokens per sequence (the model's {tokens: length})."),
        ArgumentSpec("vocab", .int, default: .int(16), min: task == .copy ? 3 : 2, "Token ids are 0..<vocab."),
        ArgumentSpec(
          "score", .enumeration(TokenScoring.allCases.map(\.rawValue)), default: .string("all"),
          "Which positions count in the loss and accuracy: all, or the repeated part only (positions from P on; the "
            + "others' targets are then −100, ignored as PyTorch's ignore_index)."),
      ] + datasetOptions,
      lower: { a in
        a.noEffect("standardize", "token ids are indices, not features")
        a.noEffect("one_hot", "the targets are token ids, read by cross_entropy")
        return try dataset(
          &a,
          .tokens(
            task, samples: try a.int("samples"), length: try a.int("length"), vocab: try a.int("vocab"),
            scored: try a.choice("score", TokenScoring.self)),
          classLabels: false, features: false)
      })
  }

  static let tokenDatasets: [KindSpec] = [
    tokenTask(
      .copy,
      "Sequences whose first half is random ids and second half the blank id vocab − 1; the target at position i is "
        + "the first half's id at i mod ⌈L/2⌉, so the second half must copy the first."),
    tokenTask(
      .induction,
      "A random prefix of P ids (P uniform in ⌈L/4⌉…⌈L/2⌉ per sequence) repeated; the target is the next token. In "
        + "the repeated part it is the token that followed the current one's earlier occurrence, P positions back: "
        + "the standard induction-head probe (the varying P defeats a fixed-offset lookup)."),
  ]

  static let transformerLayers: [KindSpec] = [
    KindSpec(
      .layer, "embedding",
      "Token ids [L] to a sequence [L, dim]: row id of a [vocab, dim] table (nn.Embedding, drawn N(0, 1)), plus a "
        + "positional encoding (none, a learned [L, dim] table drawn N(0, 1), or Vaswani et al.'s sinusoids).",
      main: "dim", example: "- embedding: {vocab: 16, dim: 64, positional: sinusoidal}",
      arguments: [
        ArgumentSpec("vocab", .int, required: true, min: 1, "Rows of the table: token ids 0..<vocab."),
        ArgumentSpec("dim", .int, required: true, min: 1, "Features per position."),
        ArgumentSpec(
          "positional", .enumeration(PositionalEncoding.allCases.map(\.rawValue)), default: .string("none"),
          "What is added to each position: nothing, a learned table, or sin/cos of the position (Vaswani et al. "
            + "2017)."),
      ],
      lower: { a in
        .layer(
          .embedding(
            vocab: try a.int("vocab"), dim: try a.int("dim"),
            positional: try a.choice("positional", PositionalEncoding.self)))
      }),
    KindSpec(
      .layer, "attention",
      "Multi-head scaled dot-product self-attention over a sequence [L, E] (nn.MultiheadAttention(E, heads) with "
        + "q = k = v = x): softmax(Q Kᵀ/√d) V per head, d = E/heads; in-projection xavier_uniform, out-projection "
        + "U(±1/√E), biases 0, as PyTorch.",
      paper: "Vaswani et al., NeurIPS 2017", main: "heads", example: "- attention: {heads: 4, causal: true}",
      arguments: [
        ArgumentSpec("heads", .int, default: .int(1), min: 1, "Heads; they must divide the width."),
        ArgumentSpec("causal", .bool, default: .bool(false), "Mask future positions (position i attends to j ≤ i)."),
      ],
      lower: { a in .layer(.attention(heads: try a.int("heads"), causal: try a.bool("causal"))) }),
    KindSpec(
      .layer, "transformer_block",
      "A transformer encoder layer (nn.TransformerEncoderLayer without dropout): attention and an MLP "
        + "(dense mlp, activation, dense back to the width), each with a residual connection and a layer norm before "
        + "it (pre, norm_first) or after the sum (post, PyTorch's default).",
      paper: "Vaswani et al., NeurIPS 2017; Xiong et al., ICML 2020 (pre-norm)", main: "heads",
      example: "- transformer_block: {heads: 4, mlp: 256, causal: true, norm: pre}",
      arguments: [
        ArgumentSpec("heads", .int, default: .int(1), min: 1, "Attention heads; they must divide the width."),
        ArgumentSpec("mlp", .int, required: true, min: 1, "Hidden units of the MLP (dim_feedforward)."),
        ArgumentSpec("causal", .bool, default: .bool(false), "Mask future positions in the attention."),
        ArgumentSpec(
          "norm", .enumeration(BlockNorm.allCases.map(\.rawValue)), default: .string("post"),
          "Layer norm before each sublayer (pre) or after each residual sum (post)."),
        ArgumentSpec(
          "activation", .enumeration(BlockActivation.allCases.map(\.rawValue)), default: .string("relu"),
          "The MLP's activation (relu, PyTorch's default, or the exact gelu)."),
      ],
      lower: { a in
        .layer(
          .transformerBlock(
            heads: try a.int("heads"), mlp: try a.int("mlp"), causal: try a.bool("causal"),
            norm: try a.choice("norm", BlockNorm.self), activation: try a.choice("activation", BlockActivation.self)))
      }),
  ]

  static let transformerMetrics: [KindSpec] = [
    KindSpec(
      .metric, "attention_entropy",
      "Per attention layer (transformer blocks' included) and head, the mean entropy in nats of each query "
        + "position's attention weights over the probe rows: ln L when uniform, 0 when on one position.",
      paper: "Zhai et al., ICML 2023 (attention entropy collapse)", main: "samples",
      example: "record: [{attention_entropy: {samples: 64}}]",
      arguments: [
        ArgumentSpec("samples", .int, default: .int(64), min: 1, "Probe rows: the first ones of the stage's data.")
      ],
      lower: { a in .metric(.attentionEntropy(samples: try a.int("samples"))) }),
  ]
}
