import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Each check fires with its id at the line of the offending text (line numbers count from `sprout: 1`).
@Suite struct GraphCheckTests {
  @Test func inputWidthMustMatchTheDataFeatures() {
    let yaml = baseSpec.replacingOccurrences(of: "inputs: 16", with: "inputs: 8")
    let (graph, d) = buildGraph(yaml)
    #expect(graph == nil)
    #expect(graphFindings(d) == ["graph.input-mismatch@22", "graph.input-mismatch@29"])
    let diag = d.all.first { $0.id == GraphDiagnostics.inputMismatch }
    #expect(diag?.message == "model 'net' takes 16 inputs, but 'teacher.train' has 8 features")
    #expect(diag?.help == "set models.net.input to 8")
    #expect(diag?.notes.first?.range?.start.line == 13)
  }

  @Test func lossMustFitTheTargets() {
    let ce = baseSpec.replacingOccurrences(of: "loss: mse", with: "loss: cross_entropy")
    #expect(graphFindings(buildGraph(ce).1) == ["graph.loss-target@23"])
    let blobs = baseSpec.replacingOccurrences(
      of: "kind: teacher_student\n    inputs: 16\n    outputs: 1",
      with: "kind: gaussian_blobs\n    inputs: 16\n    classes: 3"
    ).replacingOccurrences(of: "loss: mse", with: "loss: cross_entropy")
    let (_, d) = buildGraph(blobs)
    #expect(graphFindings(d) == ["graph.loss-target@23"])
    #expect(
      d.all.first { $0.id == GraphDiagnostics.lossTarget }?.message
        == "cross_entropy over 3 classes needs an output width of 3, but the model outputs 1")
    let fixed = blobs.replacingOccurrences(of: "{dense: 1}]", with: "{dense: 3}]")
    #expect(graphFindings(buildGraph(fixed).1) == [])
    let bce = blobs.replacingOccurrences(of: "loss: cross_entropy", with: "loss: bce_with_logits")
    #expect(graphFindings(buildGraph(bce).1) == ["graph.loss-target@23"])
  }

  @Test func residualBlocksMustKeepTheWidth() {
    let yaml = baseSpec.replacingOccurrences(
      of: "layers: [{dense: 32}, relu, {dense: 1}]",
      with: "layers:\n      - dense: 32\n      - residual:\n          - dense: 8\n      - dense: 1")
    let (_, d) = buildGraph(yaml)
    #expect(graphFindings(d) == ["graph.residual-width@16"])
    #expect(d.all.first?.message.contains("from 32 to 8") ?? false)
  }

  /// A broken layer does not hide the model's other problems: the residual block, the rational after it (which
  /// sees the block's input width, 32) and the input width against the data of both stages are all reported.
  @Test func everyProblemOfAModelIsReported() throws {
    let yaml = baseSpec.replacingOccurrences(of: "input: 16", with: "input: 12").replacingOccurrences(
      of: "layers: [{dense: 32}, relu, {dense: 1}]",
      with: "layers:\n      - dense: 32\n      - residual:\n          - dense: 8\n      - rational: {groups: 3}"
        + "\n      - dense: 1")
    let (graph, d) = buildGraph(yaml)
    #expect(graph == nil)
    #expect(
      graphFindings(d) == [
        "graph.residual-width@16", "graph.shape-mismatch@18", "graph.input-mismatch@27", "graph.input-mismatch@34",
      ])
    #expect(d.all.first { $0.id == GraphDiagnostics.shapeMismatch }?.message.contains("its 32 inputs") ?? false)
    #expect(d.all.first { $0.id == GraphDiagnostics.inputMismatch }?.message.contains("takes 12 inputs") ?? false)
  }

  @Test func fourierFeaturesChangeTheWidth() throws {
    let yaml = baseSpec.replacingOccurrences(
      of: "layers: [{dense: 32}, relu, {dense: 1}]",
      with: "layers: [{fourier_features: {features: 10}}, {dense: 32}, relu, {dense: 1}]")
    let (graph, d) = buildGraph(yaml)
    #expect(!d.hasErrors)
    #expect(try #require(graph).models["net"]?.shape?.weights.first?.text == "32×20")
  }

  @Test func lowRankMustNotExceedTheSmallerFan() {
    let yaml = baseSpec.replacingOccurrences(
      of: "he: {kind: kaiming_normal}", with: "he: {kind: low_rank, rank: 20}")
    let (_, d) = buildGraph(yaml)
    #expect(graphFindings(d) == ["graph.init-rank@16"])
    #expect(d.all.first { $0.id == GraphDiagnostics.initRank }?.help?.contains("at most 16") ?? false)
  }

  @Test func identityOnRectangularWeightsWarns() {
    let yaml = baseSpec.replacingOccurrences(of: "he: {kind: kaiming_normal}", with: "he: {kind: identity}")
    let (graph, d) = buildGraph(yaml)
    #expect(graph != nil)
    #expect(graphFindings(d) == ["graph.init-shape@16"])
    #expect(d.all.first { $0.id == GraphDiagnostics.initShape }?.severity == .warning)
  }

  @Test func sirenNeedsSineActivations() {
    let yaml = baseSpec.replacingOccurrences(of: "he: {kind: kaiming_normal}", with: "he: {kind: siren}")
    #expect(graphFindings(buildGraph(yaml).1) == ["graph.init-activation@16"])
    let withSine = yaml.replacingOccurrences(of: "relu, {dense: 1}", with: "{sine: {omega: 30}}, {dense: 1}")
    #expect(graphFindings(buildGraph(withSine).1) == [])
  }

  @Test func lsuvDataMustFitTheModel() {
    let yaml = baseSpec.replacingOccurrences(
      of: "he: {kind: kaiming_normal}", with: "he: {kind: lsuv, data: spirals}"
    ).replacingOccurrences(of: "datasets:", with: "datasets:\n  spirals: {kind: two_spirals, samples: 64}")
    #expect(graphFindings(buildGraph(yaml).1) == ["graph.input-mismatch@17"])
  }

  @Test func evaluateFromAStageWithoutAModel() {
    let yaml = baseSpec + "\n  again:\n    kind: evaluate\n    from: test\n    data: teacher.test"
    let (_, d) = buildGraph(yaml)
    #expect(graphFindings(d) == ["graph.from-mismatch@32"])
  }

  @Test func finetuneNeedsATrainedModel() {
    let yaml =
      baseSpec + """

          look:
            kind: measure
            model: net
            init: he
            record: [weight_norm]
          adapt:
            kind: finetune
            from: look
            data: teacher.train
            loss: mse
            optimizer: {kind: sgd, lr: 0.1}
            steps: 5
        """
    let (_, d) = buildGraph(yaml)
    #expect(graphFindings(d) == ["graph.adapter-needs-trained@37"])
  }

  @Test func adaptersMustFitTheirLayers() {
    func findings(_ adapters: String) -> [String] {
      let yaml =
        baseSpec + """

            adapt:
              kind: finetune
              from: train
              data: teacher.train
              loss: mse
              optimizer: {kind: sgd, lr: 0.1}
              steps: 5
              adapters: \(adapters)
          """
      return graphFindings(buildGraph(yaml).1)
    }
    // net is 16 → 32 → 1: an adapter's rank is bounded by each layer's smaller side.
    #expect(findings("[{kind: svfit, rank: 4}]") == ["graph.adapter-rank@37"])
    #expect(findings("[{kind: svfit, rank: 4, layers: [0]}]") == [])
    #expect(findings("[{kind: lora, rank: 20, init: pissa, layers: first}]") == ["graph.adapter-rank@37"])
    #expect(findings("[{kind: lora, rank: 20, layers: first}]") == ["graph.adapter-rank@37"])
    #expect(findings("[{kind: lora, rank: 16, layers: first}]") == [])
    #expect(findings("[{kind: lora, rank: 1000000000, layers: first}]") == ["graph.adapter-rank@37"])
    #expect(findings("[{kind: lora, rank: 2, layers: [0, 5]}]") == ["graph.adapter-rank@37"])
    #expect(findings("[{kind: lora, rank: 1, layers: [-1]}]") == [])
  }

  @Test func evaluatingAMergeNeedsALoss() {
    let merge = baseSpec + "\n  merged: {kind: merge, base: train, from: [train]}\n  probe: {kind: evaluate, from: merged, data: teacher.test}"
    #expect(graphFindings(buildGraph(merge).1) == ["graph.no-loss@31"])
    let fixed = merge.replacingOccurrences(of: "from: merged, data: teacher.test}", with: "from: merged, data: teacher.test, loss: mse}")
    #expect(graphFindings(buildGraph(fixed).1) == [])
  }

  @Test func selectNeedsARecordedMetric() {
    let yaml = baseSpec + "\n  best:\n    kind: select\n    from: test\n    metric: accuracy"
    let (graph, d) = buildGraph(yaml)
    #expect(graphFindings(d) == ["graph.select-metric@33"])
    _ = graph
    let ok = baseSpec + "\n  best:\n    kind: select\n    from: test\n    metric: loss"
    let (g, okDiagnostics) = buildGraph(ok)
    #expect(!okDiagnostics.hasErrors, "\(okDiagnostics.all)")
    #expect(g?.stages["best"]?.acrossTrials == true)
    #expect(g?.stages["test"]?.acrossTrials == false)
    #expect(g?.verify() == [])
  }

  @Test func fromStageNeedsTheSameArchitecture() {
    let yaml =
      baseSpec.replacingOccurrences(
        of: "  he: {kind: kaiming_normal}",
        with: "  he: {kind: kaiming_normal}\n  warm: {kind: from_stage, stage: train}"
      )
      .replacingOccurrences(
        of: "  net:\n", with: "  small:\n    input: 16\n    layers: [{dense: 4}, relu, {dense: 1}]\n  net:\n")
      + "\n  again:\n    kind: train\n    model: small\n    init: warm\n    data: teacher.train\n    loss: mse\n"
      + "    optimizer: {kind: sgd, lr: 0.1}\n    steps: 5"
    let (_, d) = buildGraph(yaml)
    #expect(graphFindings(d) == ["graph.from-mismatch@20"])
  }

  @Test func cyclesAreListed() {
    let yaml = baseSpec.replacingOccurrences(
      of: "  he: {kind: kaiming_normal}", with: "  he: {kind: kaiming_normal}\n  warm: {kind: from_stage, stage: test}"
    )
    .replacingOccurrences(of: "init: he", with: "init: warm")
    let (graph, d) = buildGraph(yaml)
    #expect(graph == nil)
    let cycle = d.all.first { $0.id == GraphDiagnostics.cycle }
    #expect(cycle?.message == "stages read each other in a cycle: train → test → train")
    #expect(cycle?.range.start.line == 29)
  }

  @Test func selectorsThatMatchNothingWarn() {
    let yaml = baseSpec.replacingOccurrences(
      of: "he: {kind: kaiming_normal}", with: "he: {kind: kaiming_normal, layers: {5: {kind: zeros}}}")
    #expect(graphFindings(buildGraph(yaml).1) == ["graph.init-layer-selector@16"])
  }

  @Test func expressionsAreLeftToThePlanner() {
    let yaml = baseSpec.replacingOccurrences(of: "{dense: 32}", with: "{dense: \"${params.width}\"}")
      .replacingOccurrences(of: "he: {kind: kaiming_normal}", with: "he: {kind: low_rank, rank: 20}")
      .replacingOccurrences(of: "datasets:", with: "params: {width: 8}\ndatasets:")
    let (graph, d) = buildGraph(yaml)
    #expect(graphFindings(d) == [])
    #expect(graph?.needsPerTrialChecks("train") == true)
    #expect(graph?.needsPerTrialChecks("test") == true)
    // The answers found once when the graph is built are those worked out per stage (a changed spec drops them).
    for spec in [yaml, baseSpec] {
      guard var g = buildGraph(spec).0 else {
        Issue.record("no graph")
        continue
      }
      let ids = g.spec.stages.map(\.id) + ["nonexistent"]
      let built = ids.map(g.needsPerTrialChecks)
      let spec = g.spec
      g.spec = spec
      #expect(ids.map(g.needsPerTrialChecks) == built)
    }
  }

  @Test func catalogueIsSortedAndComplete() {
    let ids = GraphDiagnostics.catalog.map(\.id)
    #expect(ids == ids.sorted())
    #expect(Set(ids).count == ids.count)
    #expect(ids.allSatisfy { $0.domain == "graph" })
  }
}
