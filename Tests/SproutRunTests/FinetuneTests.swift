import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTrain
import SproutConfig
import Testing

@testable import SproutRun

/// finetune and merge through the planner and the executor: every adapter kind runs, an interrupted
/// fine-tuning resumes to the same bits, and merge computes θ_base + scale · Σ wᵢ (θᵢ − θ_base).
@Suite struct FinetuneTests {
  static let text = """
    sprout: 1
    name: adapt
    seed: 5
    datasets:
      a: {kind: teacher_student, inputs: 6, outputs: 1, samples: 96, split: {train: 0.75, test: 0.25}}
      b: {kind: teacher_student, inputs: 6, outputs: 1, samples: 96, split: {train: 0.75, test: 0.25}}
    models:
      net: {input: 6, layers: [{dense: 12}, tanh, {dense: 12}, tanh, {dense: 1}]}
    initializers:
      he: {kind: kaiming_normal}
      from_lora: {kind: from_stage, stage: lora}
    stages:
      pretrain: {kind: train, model: net, init: he, data: a.train, loss: mse, optimizer: {kind: adam, lr: 0.01}, steps: 20}
      lora:
        kind: finetune
        from: pretrain
        data: b.train
        adapters: [{kind: lora, rank: 2, alpha: 4, layers: [0, 1]}]
        loss: mse
        optimizer: {kind: adam, lr: 0.01}
        steps: 12
        checkpoint_every: 4
        record: [loss, weight_change]
      pissa: {kind: finetune, from: pretrain, data: b.train, adapters: [{kind: lora, rank: 2, init: pissa, layers: [0, 1]}], loss: mse, optimizer: {kind: adam, lr: 0.01}, steps: 12}
      eva: {kind: finetune, from: pretrain, data: b.train, adapters: [{kind: lora, rank: 2, init: eva, data: b.train, rho: 1e300, layers: [0, 1]}], loss: mse, optimizer: {kind: adam, lr: 0.01}, steps: 12}
      svfit: {kind: finetune, from: pretrain, data: b.train, adapters: [{kind: svfit, rank: 3, layers: [0, 1]}], loss: mse, optimizer: {kind: adam, lr: 0.01}, steps: 12}
      full: {kind: finetune, from: pretrain, data: b.train, loss: mse, optimizer: {kind: adam, lr: 0.01}, steps: 12}
      test: {kind: evaluate, from: lora, data: b.test, record: [loss]}
      merged: {kind: merge, base: pretrain, from: [lora, full], weights: [1, 0.5], scale: 0.8}
      test_merged: {kind: evaluate, from: merged, data: b.test, loss: mse, record: [loss]}
      again: {kind: train, model: net, init: from_lora, data: b.train, loss: mse, optimizer: {kind: sgd, lr: 0.01}, steps: 2, checkpoint_every: 1}
    """

  static func plan(only: [String] = []) throws -> Plan {
    var diagnostics = Diagnostics()
    return try #require(
      Planner.plan(
        text: text, file: "adapt.yaml", options: PlanOptions(onlyStages: only), store: nil, diagnostics: &diagnostics),
      "\(diagnostics.all.map(\.message))")
  }

  static func outputHashes(_ store: Store, _ plan: Plan) throws -> [String: [String: String]] {
    var result: [String: [String: String]] = [:]
    for t in plan.tasks { result[t.key.description] = try store.outputs(t.hash)?.outputHashes }
    return result
  }

  @Test func everyAdapterRunsAndAnInterruptedFinetuneResumesBitForBit() throws {
    let plan = try Self.plan()
    let reference = Store(root: TemporaryDirectory().path)
    let summary = try Executor(store: reference).run(plan: plan, specText: Self.text)
    #expect(summary.succeeded, "\(summary.results.compactMap(\.error).map(\.description))")
    let lora = try #require(plan.tasks.first { $0.stage == "lora" })
    let tensors = try #require(try reference.outputs(lora.hash)?.outputHashes.keys)
    #expect(tensors.contains("tensor:layers.0.lora_A") && tensors.contains("tensor:layers.2.lora_scale"))
    // weight_change follows the weight each layer applies (W + ΔW): the adapted layers moved, the last did not.
    let change = try #require(try reference.outputs(lora.hash)?.finalMetrics["weight_change"]?.objectValue)
    #expect((change["layers.0.weight"]?.doubleValue ?? 0) > 0)
    #expect((change["layers.2.weight"]?.doubleValue ?? 0) > 0)
    #expect(change["layers.4.weight"]?.doubleValue == 0)
    // Only the adapters moved: the base weight the finetune task ends with is the pretrained one.
    let pretrain = try #require(plan.tasks.first { $0.stage == "pretrain" })
    #expect(
      try reference.outputs(lora.hash)?.outputHashes["tensor:layers.0.weight"]
        == reference.outputs(pretrain.hash)?.outputHashes["tensor:layers.0.weight"])

    // With the pretrained model in the store, stop the run 6 steps into the lora finetune, then run again.
    let store = Store(root: TemporaryDirectory().path)
    #expect(try Executor(store: store).run(plan: try Self.plan(only: ["pretrain"]), specText: Self.text).succeeded)
    let stopped = try Executor(store: store, options: ExecutorOptions(jobs: 1, stopAfterSteps: 6)).run(
      plan: plan, specText: Self.text)
    #expect(!stopped.succeeded)
    #expect(store.checkpointSteps(lora.hash).last == 6)
    let resumed = try Executor(store: store).run(plan: plan, specText: Self.text)
    #expect(resumed.succeeded)
    #expect(try Self.outputHashes(store, plan) == Self.outputHashes(reference, plan))
  }

  @Test func mergeAddsWeightedTaskVectors() throws {
    let plan = try Self.plan()
    let store = Store(root: TemporaryDirectory().path)
    #expect(try Executor(store: store).run(plan: plan, specText: Self.text).succeeded)
    func model(_ stage: String) throws -> [String: StageTensor] {
      let task = try #require(plan.tasks.first { $0.stage == stage })
      let outputs = try #require(try store.outputs(task.hash))
      let name = try #require(outputs.finalCheckpoint)
      let path = "\(store.taskDirectory(task.hash))/\(name)"
      return try StageRunner.modelTensors(try Checkpoint.read(path), path: path)
    }
    let (base, lora, full, merged) = (try model("pretrain"), try model("lora"), try model("full"), try model("merged"))
    #expect(Set(merged.keys) == Set(base.keys))
    for (name, m) in merged {
      let (b, l, f) = (try #require(base[name]), try #require(lora[name]), try #require(full[name]))
      for i in m.values.indices {
        let expected = Double(b.values[i])
          + 0.8 * (1 * (Double(l.values[i]) - Double(b.values[i])) + 0.5 * (Double(f.values[i]) - Double(b.values[i])))
        #expect(abs(Double(m.values[i]) - expected) < 1e-5, "\(name)[\(i)]")
      }
    }
    // The lora model read back has its adapter folded in: its first weight differs from the pretrained one.
    #expect(lora["layers.0.weight"]?.values != base["layers.0.weight"]?.values)
    // A from_stage initializer reading the finetune stage starts from those folded weights.
    let again = try #require(plan.tasks.first { $0.stage == "again" })
    let start = try Checkpoint.read(store.checkpointPath(again.hash, step: 0))
    for name in ["layers.0.weight", "layers.2.weight", "layers.4.weight"] {
      #expect(start[name]?.values == lora[name]?.values, "\(name)")
    }
  }
}
