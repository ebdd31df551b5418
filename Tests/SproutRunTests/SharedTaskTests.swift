import Foundation
import SproutDiagnostics
import SproutPlanner
import Testing

@testable import SproutRun

/// A task's numbers are a function of its hash. Trials that read no axis telling them apart plan a stage under one
/// hash and the store keeps one result for it, so whichever trial runs it must compute the same numbers, and so must
/// a trial renumbered by an axis value added in front. (The random streams were once keyed by the trial's id: then
/// `pretrain` trained differently as t0000 and as t0001, and which one a run stored depended on which worker took
/// the task first: the massive-activations example's fit flaked under load.)
@Suite struct SharedTaskTests {
  static func spec(lrs: String) -> String {
    """
    sprout: 1
    name: shared
    seed: 5
    matrix:
      lr: \(lrs)
      seed: [0]
    datasets:
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 3, samples: 96, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: [{dense: 16}, relu, {dense: 3}]}
    initializers:
      he: {kind: kaiming_normal, nonlinearity: relu}
    stages:
      pretrain:
        kind: train
        model: net
        init: he
        data: blobs.train
        loss: cross_entropy
        optimizer: {kind: sgd, lr: 0.05}
        steps: 12
        batch: 16
      tune:
        kind: finetune
        from: pretrain
        data: blobs.train
        loss: cross_entropy
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: 6
        batch: 16
    """
  }

  /// Runs `trials` of the spec into a fresh store; the plan (of every trial) and the store.
  static func run(_ text: String, trials: [String]) throws -> (Plan, Store, TemporaryDirectory) {
    var d = Diagnostics()
    let plan = try #require(
      Planner.plan(
        text: text, file: "shared.yaml", options: PlanOptions(onlyTrials: trials), store: nil, diagnostics: &d),
      "\(d.all.map { "\($0.id) \($0.message)" })")
    let dir = TemporaryDirectory()
    let store = Store(root: "\(dir.path)/.sprout")
    #expect(try Executor(store: store, options: ExecutorOptions(jobs: 1)).run(plan: plan, specText: text).succeeded)
    return (plan, store, dir)
  }

  @Test func aSharedTaskComputesTheSameWhicheverTrialRunsIt() throws {
    let text = Self.spec(lrs: "[0.01, 0.1]")
    let (first, a, keepA) = try Self.run(text, trials: ["t0000"])
    let (second, b, keepB) = try Self.run(text, trials: ["t0001"])
    let pretrainA = try #require(first.task("t0000/pretrain"))
    let pretrainB = try #require(second.task("t0001/pretrain"))
    // One task under two trials' keys: the plan shares it, so the store must hold one result for it.
    #expect(pretrainA.hash == pretrainB.hash)
    let outA = try #require(try a.outputs(pretrainA.hash)), outB = try #require(try b.outputs(pretrainB.hash))
    #expect(!outA.outputHashes.isEmpty)
    #expect(outA.outputHashes == outB.outputHashes)
    #expect(try a.metrics(pretrainA.hash) == b.metrics(pretrainB.hash))
    // The tasks that do differ (their lr) are different tasks with different results.
    let tuneA = try #require(first.task("t0000/tune")), tuneB = try #require(second.task("t0001/tune"))
    #expect(tuneA.hash != tuneB.hash)
    #expect(try a.outputs(tuneA.hash)?.outputHashes != b.outputs(tuneB.hash)?.outputHashes)
    withExtendedLifetime((keepA, keepB)) {}
  }

  @Test func renumberedTrialsKeepTheirResults() throws {
    // lr 0.1 is t0001 here and t0002 once 0.001 is added in front: same task hash, same numbers.
    let (before, a, keepA) = try Self.run(Self.spec(lrs: "[0.01, 0.1]"), trials: ["t0001"])
    let (after, b, keepB) = try Self.run(Self.spec(lrs: "[0.001, 0.01, 0.1]"), trials: ["t0002"])
    let tuneA = try #require(before.task("t0001/tune")), tuneB = try #require(after.task("t0002/tune"))
    #expect(tuneA.hash == tuneB.hash)
    let outA = try #require(try a.outputs(tuneA.hash)), outB = try #require(try b.outputs(tuneB.hash))
    #expect(!outA.outputHashes.isEmpty)
    #expect(outA.outputHashes == outB.outputHashes)
    withExtendedLifetime((keepA, keepB)) {}
  }
}
