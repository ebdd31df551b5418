import Testing

/// Lint of adapters on a transformer: what the executor runs (dense layers; attention's query, key, value and output
/// projections) is accepted, and what it does not (embeddings, a projection named twice or on no attention layer, a
/// rank above a projection's width) is an error at the argument's line.
@Suite struct AdapterLintTests {
  static func spec(_ adapters: String) -> String {
    """
    sprout: 1
    name: attention-adapters
    datasets:
      toks: {kind: copy, samples: 16, length: 6, vocab: 5, split: {train: 0.5, test: 0.5}}
    models:
      tiny:
        input: {tokens: 6, vocab: 5}
        layers:
          - embedding: {vocab: 5, dim: 8}
          - transformer_block: {heads: 2, mlp: 16}
          - dense: 5
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train: {kind: train, model: tiny, init: he, data: toks.train, loss: cross_entropy, optimizer: {kind: sgd, lr: 0.1}, steps: 2}
      adapt:
        kind: finetune
        from: train
        data: toks.train
        loss: cross_entropy
        optimizer: {kind: sgd, lr: 0.1}
        steps: 2
        adapters:
    \(adapters)
    """
  }

  @Test func whatRunsIsAccepted() {
    LoweringTests.check(
      Self.spec(
        """
              - {kind: lora, rank: 2, layers: attention}
              - {kind: svfit, rank: 8, layers: transformer_block, tensors: [key, output]}
              - {kind: lora, rank: 2, init: eva, data: toks.train, layers: -1}
        """))
    LoweringTests.check(Self.spec("      - {kind: lora, rank: 4, init: pissa, layers: [1, 2, 3], tensors: [query, key, value, output]}"))
  }

  @Test func whatDoesNotRunIsAnErrorAtItsLine() {
    LoweringTests.check(
      Self.spec(
        """
              - {kind: lora, rank: 2}  # expect-error[graph.adapter-rank]
              - {kind: svfit, rank: 2, layers: [0]}  # expect-error[graph.adapter-rank]
              - {kind: lora, rank: 2, layers: -1, tensors: [key]}  # expect-error[graph.adapter-rank]
              - {kind: lora, rank: 9, layers: attention, tensors: [value]}  # expect-error[graph.adapter-rank]
        """))
    LoweringTests.check(Self.spec("      - {kind: lora, rank: 2, layers: conv2d}  # expect-error[graph.adapter-rank]"))
    LoweringTests.check(Self.spec("      - {kind: lora, rank: 2, layers: embedding}  # expect-error[graph.adapter-rank]"))
    LoweringTests.check(Self.spec("      - {kind: lora, rank: 2, layers: atention}  # expect-error[spec.wrong-type]"))
    LoweringTests.check(Self.spec("      - {kind: lora, rank: 2, layers: attention, tensors: [query, query]}  # expect-error[spec.cannot-run]"))
    LoweringTests.check(Self.spec("      - {kind: lora, rank: 2, layers: attention, tensors: [qury]}  # expect-error[spec.invalid-choice]"))
  }
}
