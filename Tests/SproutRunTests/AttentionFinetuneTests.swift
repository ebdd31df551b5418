import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTrain
import Testing

@testable import SproutRun

/// Adapters on a tiny transformer's attention through the planner and the executor: LoRA on W_q and W_v (the paper's
/// default), PiSSA, EVA and SVFit on chosen projections; only the adapters move, the run is bit-for-bit repeatable,
/// an interrupted fine-tuning resumes to the same bits, and a later stage reads the adapters folded into
/// `in_proj_weight`.
@Suite struct AttentionFinetuneTests {
  static let text = """
    sprout: 1
    name: adapt-attention
    seed: 3
    datasets:
      a: {kind: induction, samples: 48, length: 6, vocab: 5, split: {train: 0.75, test: 0.25}}
      b: {kind: copy, samples: 48, length: 6, vocab: 5, split: {train: 0.75, test: 0.25}}
    models:
      tiny:
        input: {tokens: 6, vocab: 5}
        layers:
          - embedding: {vocab: 5, dim: 8, positional: learned}
          - transformer_block: {heads: 2, mlp: 16, causal: true, norm: pre}
          - dense: 5
    initializers:
      he: {kind: kaiming_normal}
    stages:
      pretrain: {kind: train, model: tiny, init: he, data: a.train, loss: cross_entropy, optimizer: {kind: adam, lr: 0.01}, steps: 8, batch: 12}
      lora:
        kind: finetune
        from: pretrain
        data: b.train
        adapters: [{kind: lora, rank: 2, layers: attention}]
        loss: cross_entropy
        optimizer: {kind: adam, lr: 0.01}
        steps: 8
        batch: 12
        checkpoint_every: 2
        record: [loss, weight_change]
      pissa: {kind: finetune, from: pretrain, data: b.train, adapters: [{kind: lora, rank: 2, init: pissa, layers: transformer_block, tensors: [key, output]}], loss: cross_entropy, optimizer: {kind: adam, lr: 0.01}, steps: 4, batch: 12}
      eva: {kind: finetune, from: pretrain, data: b.train, adapters: [{kind: lora, rank: 2, init: eva, data: b.train, layers: 1, tensors: [query, key, value, output]}], loss: cross_entropy, optimizer: {kind: adam, lr: 0.01}, steps: 4, batch: 12}
      svfit: {kind: finetune, from: pretrain, data: b.train, adapters: [{kind: svfit, rank: 3, layers: attention, tensors: [value]}], loss: cross_entropy, optimizer: {kind: adam, lr: 0.01}, steps: 4, batch: 12}
      test: {kind: evaluate, from: lora, data: b.test, record: [loss, accuracy]}
    """

  static func plan(only: [String] = []) throws -> Plan {
    var diagnostics = Diagnostics()
    return try #require(
      Planner.plan(
        text: text, file: "adapt-attention.yaml", options: PlanOptions(onlyStages: only), store: nil,
        diagnostics: &diagnostics),
      "\(diagnostics.all.map(\.message))")
  }

  @Test func adaptersOnAttentionRunRepeatAndResume() throws {
    let plan = try Self.plan()
    let reference = Store(root: TemporaryDirectory().path)
    let summary = try Executor(store: reference).run(plan: plan, specText: Self.text)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let attention = "layers.1.layers.0.layers.1"
    func tensors(_ stage: String) throws -> [String: String] {
      let task = try #require(plan.tasks.first { $0.stage == stage })
      return try #require(try reference.outputs(task.hash)?.outputHashes)
    }
    let (pretrain, lora) = (try tensors("pretrain"), try tensors("lora"))
    // LoRA's default: W_q and W_v only.
    let adapted = Set(lora.keys.filter { $0.contains("lora_A") })
    #expect(adapted == ["tensor:\(attention).query.lora_A", "tensor:\(attention).value.lora_A"])
    // Only the adapters moved: every base tensor the finetune ends with is the pretrained one.
    for (name, hash) in pretrain where name.hasPrefix("tensor:") { #expect(lora[name] == hash, "\(name)") }
    // weight_change reads W + ΔW: the packed projection moved, the output projection (no adapter) did not.
    let task = try #require(plan.tasks.first { $0.stage == "lora" })
    let change = try #require(try reference.outputs(task.hash)?.finalMetrics["weight_change"]?.objectValue)
    #expect((change["\(attention).in_proj_weight"]?.doubleValue ?? 0) > 0)
    #expect(change["\(attention).out_proj.weight"]?.doubleValue == 0)
    #expect(try tensors("pissa").keys.contains("tensor:\(attention).out_proj.lora_A"))
    #expect(try tensors("svfit").keys.contains("tensor:\(attention).value.svfit_sigma"))

    // The same plan again, from nothing, gives the same bits; stopped 3 steps into lora, it resumes to them too.
    let again = Store(root: TemporaryDirectory().path)
    #expect(try Executor(store: again).run(plan: plan, specText: Self.text).succeeded)
    #expect(try FinetuneTests.outputHashes(again, plan) == FinetuneTests.outputHashes(reference, plan))
    let store = Store(root: TemporaryDirectory().path)
    #expect(try Executor(store: store).run(plan: try Self.plan(only: ["pretrain"]), specText: Self.text).succeeded)
    let stopped = try Executor(store: store, options: ExecutorOptions(jobs: 1, stopAfterSteps: 3)).run(
      plan: plan, specText: Self.text)
    #expect(!stopped.succeeded)
    #expect(try Executor(store: store).run(plan: plan, specText: Self.text).succeeded)
    let (resumed, expected) = (try FinetuneTests.outputHashes(store, plan), try FinetuneTests.outputHashes(reference, plan))
    for (task, hashes) in expected {
      for (name, hash) in hashes { #expect(resumed[task]?[name] == hash, "\(task) \(name)") }
    }
  }
}
