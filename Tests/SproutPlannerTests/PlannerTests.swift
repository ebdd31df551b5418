import Foundation
import SproutConfig
import SproutDiagnostics
import SproutGraph
import SproutSpec
import Testing

@testable import SproutPlanner

@Suite struct PlannerTests {
  @Test func expandsTrialsAndOrdersTasks() throws {
    let (plan, d) = planText(richVsLazy)
    let p = try #require(plan, "\(d.all)")
    #expect(p.count.statement == "6 trials = 2 init × 3 seed")
    #expect(p.trials.map(\.id) == ["t0000", "t0001", "t0002", "t0003", "t0004", "t0005"])
    #expect(p.trials[4].assignmentText == "init=lowrank seed=1")
    #expect(p.trials[4].seed == 1)
    #expect(p.tasks.map(\.key.description).prefix(4) == ["t0000/train", "t0000/test", "t0001/train", "t0001/test"])
    #expect(p.task("t0003/test")?.inputs.map(\.description) == ["t0003/train"])
    #expect(p.tasks.allSatisfy { $0.state == .new })
    // The configuration holds what the task executes: expressions evaluated, references replaced by what they mean.
    let train = try #require(p.task("t0003/train"))
    guard case .train(let model, let initialization, let training)? = train.config?.kind else {
      Issue.record("t0003/train is not a train task")
      return
    }
    #expect(training.optimizer.lr == 0.05)
    #expect(training.optimizer.rule == .sgd(momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0))
    #expect(
      model
        == ModelConfig(
          input: 16,
          layers: [
            .dense(units: 32, bias: true), .activation(.relu), .dense(units: 32, bias: true), .activation(.relu),
            .dense(units: 1, bias: true),
          ]))
    #expect(
      initialization.rule
        == .lowRank(rank: 2, base: .kaimingNormal(mode: .fanIn, nonlinearity: .relu), matchNorm: true))
    #expect(initialization.layerRules == [.init(.last, .kaimingNormal(mode: .fanIn, nonlinearity: .relu))])
    #expect(training.data.split == "train" && training.data.dataset.name == "teacher")
    #expect(training.every == nil && training.length == .epochs(3))
    #expect(train.span.line == 24)
  }

  @Test func hashesAreStableAndCoverExactlyWhatATaskReads() throws {
    let a = try #require(planText(richVsLazy).0)
    let b = try #require(planText(richVsLazy).0)
    #expect(a.tasks.map(\.hash) == b.tasks.map(\.hash))
    #expect(Set(a.tasks.map(\.hash)).count == a.tasks.count)

    // Changing the evaluate stage leaves every train hash alone.
    let unrelated = try #require(planText(richVsLazy + "\n    batch: 7").0)
    for (x, y) in zip(a.tasks, unrelated.tasks) where x.stage == "train" { #expect(x.hash == y.hash) }
    for (x, y) in zip(a.tasks, unrelated.tasks) where x.stage == "test" { #expect(x.hash != y.hash) }

    // Changing the training changes it and every task downstream.
    let upstream = try #require(planText(richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: 4")).0)
    for (x, y) in zip(a.tasks, upstream.tasks) { #expect(x.hash != y.hash) }

    // An initializer only some trials use changes only those trials.
    let lowrank = try #require(planText(richVsLazy.replacingOccurrences(of: "rank: 2", with: "rank: 3")).0)
    for (x, y) in zip(a.tasks, lowrank.tasks) {
      let usesLowrank = a.trials[x.trialIndex!]["init"] == .string("lowrank")
      #expect((x.hash != y.hash) == usesLowrank)
    }
  }

  @Test func seedsComeFromTheSeedAxisOrFromTheAssignment() throws {
    let noSeedAxis = richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  width: [8, 16]\n")
    let p = try #require(planText(noSeedAxis).0)
    #expect(p.trials.map(\.seed) == p.trials.map { TrialSeed.derive(rootSeed: 7, assignment: $0.assignment) })
    #expect(Set(p.trials.map(\.seed)).count == p.trials.count)
    // Adding an axis value keeps the seeds (and hashes) of the trials that were there.
    let more = try #require(
      planText(noSeedAxis.replacingOccurrences(of: "width: [8, 16]", with: "width: [8, 16, 32]")).0)
    let old = Dictionary(uniqueKeysWithValues: p.trials.map { ($0.assignmentText, $0.seed) })
    for t in more.trials where old[t.assignmentText] != nil { #expect(old[t.assignmentText] == t.seed) }
    let noMatrix = richVsLazy.replacingOccurrences(
      of: "matrix:\n  init: [full, lowrank]\n  seed: [0, 1, 2]\n", with: ""
    )
    .replacingOccurrences(of: "${matrix.init}", with: "full")
    let single = try #require(planText(noMatrix).0)
    #expect(single.trials.map(\.seed) == [7])
    #expect(single.count.statement == "1 trial (no matrix)")
  }

  @Test func graphChecksRunPerTrialWithTheTrialNamed() throws {
    let yaml = richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  width: [64, 1]\n")
      .replacingOccurrences(of: "${params.width}", with: "${matrix.width}")
    let (plan, d) = planText(yaml)
    #expect(plan == nil)
    let rank = try #require(d.all.first { $0.id == "graph.init-rank" })
    #expect(rank.range.start.line == 22)
    #expect(rank.notes.map(\.message).contains("in trial t0003 (init=lowrank width=1)"))
    #expect(d.all.filter { $0.id == "graph.init-rank" }.count == 1)
  }

  @Test func resolvedArgumentsAreRecheckedAgainstTheCatalogue() throws {
    // The spec phase already rejects values it can evaluate; a spec changed after decoding (as a tool might)
    // shows the planner's own re-check of resolved arguments.
    var d = Diagnostics()
    let yaml = richVsLazy.replacingOccurrences(of: "epochs: 3", with: "epochs: ${params.epochs}")
      .replacingOccurrences(of: "params: {width: 32, lr: 0.05}", with: "params: {width: 32, lr: 0.05, epochs: 3}")
    var spec = try #require(SpecDecoder.decode(text: yaml, file: "spec.yaml", diagnostics: &d))
    #expect(!d.hasErrors, "\(d.all)")
    let i = try #require(spec.params.firstIndex { $0.name == "epochs" })
    spec.params[i].value = .int(0)
    let graph = try #require(GraphBuilder.build(spec, diagnostics: &d))
    let plan = Planner.plan(graph, options: PlanOptions(), store: nil, diagnostics: &d)
    #expect(plan == nil)
    let range = d.all.filter { $0.id == "spec.out-of-range" }
    #expect(range.count == 1, "\(d.all)")
    #expect(range.first?.range.start.line == 31)
    #expect(range.first?.notes.last?.message == "in trial t0000 (init=full seed=0), and in 5 other trials")
  }

  @Test func selectRunsOnceOverAllTrials() throws {
    let yaml = richVsLazy + "\n  best:\n    kind: select\n    from: test\n    metric: loss\n"
    let p = try #require(planText(yaml).0)
    let best = try #require(p.task("all/best"))
    #expect(best.inputs.count == 6)
    #expect(best.trialIndex == nil)
    #expect(p.tasks.last?.key.description == "all/best")
  }

  @Test func onlyAndTrialSelectWithTheirInputs() throws {
    let p = try #require(planText(richVsLazy, only: ["test"], trials: ["t0002", "4"]).0)
    #expect(p.tasks.map(\.key.description) == ["t0002/train", "t0002/test", "t0004/train", "t0004/test"])
    let (_, d) = planText(richVsLazy, only: ["tets"])
    #expect(d.all.first?.id == PlanDiagnostics.unknownSelection)
    #expect(d.all.first?.help == "did you mean 'test'?")
  }

  @Test func shuffledOrderChangesOnlyTheRunOrder() throws {
    let plain = try #require(planText(richVsLazy).0)
    let shuffled = try #require(
      planText(
        richVsLazy.replacingOccurrences(of: "  seed: [0, 1, 2]\n", with: "  seed: [0, 1, 2]\n  order: shuffled\n")
      ).0)
    #expect(plain.trials == shuffled.trials)
    #expect(plain.tasks.map(\.key) != shuffled.tasks.map(\.key))
    let byKey = Dictionary(uniqueKeysWithValues: plain.tasks.map { ($0.key, $0.hash) })
    #expect(shuffled.tasks.allSatisfy { byKey[$0.key] == $0.hash })
  }
}
