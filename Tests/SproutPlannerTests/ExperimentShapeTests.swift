import Foundation
import SproutConfig
import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// The experiment shapes of issue 13 at plan time: select choices that later stages read, model templates, fits,
/// evaluation during training and certified training — what lint says about their misuse, and how they are planned
/// and hashed.
@Suite struct ExperimentShapeTests {
  /// A sweep of learning rates over two seeds, a select by mean test loss, and a stage that trains the choice.
  static func selectSpec(extra: String = "", finalModel: String = "net", mode: String = "min") -> String {
    """
    sprout: 1
    name: shapes
    seed: 3
    matrix:
      lr: [0.001, 0.05]
      seed: [0, 1]
    datasets:
      teacher: {kind: teacher_student, inputs: 3, samples: 64, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: [{dense: 8}, tanh, {dense: 1}]}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      probe:
        kind: train
        model: net
        init: he
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: 5
        batch: 8
      test: {kind: evaluate, from: probe, data: teacher.test, record: [loss]}
      best: {kind: select, from: test, metric: loss, mode: \(mode)}
      final:
        kind: train
        model: \(finalModel)
        init: he
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: "${select.best.lr}"}
        steps: 8
        batch: 8
      check: {kind: evaluate, from: final, data: teacher.test, record: [loss]}
    \(extra)
    """
  }

  static func errors(_ d: Diagnostics) -> [String] { d.all.filter { $0.severity == .error }.map(\.id.rawValue) }

  @Test func stagesReadingAChoiceAreGatedPerCandidate() throws {
    let (plan, d) = planText(Self.selectSpec())
    let p = try #require(plan, "\(d.all.map(\.message))")
    let final = p.tasks.filter { $0.stage == "final" }
    #expect(final.count == 4)
    for task in final {
      let gate = try #require(task.gates?.first)
      #expect(gate.select == TaskKey(trial: "all", stage: "best"))
      #expect(gate.candidate.map(\.axis) == ["lr"])
      #expect(task.inputs.contains(gate.select))
      // The config is the candidate's: its own learning rate.
      guard case .train(_, _, let t)? = task.config?.kind else { Issue.record("not a train task"); continue }
      let trial = try #require(p.trial(task.key.trial))
      #expect(t.optimizer.lr == trial["lr"]?.doubleValue)
    }
    // The evaluate after it inherits the gate.
    #expect(p.tasks.filter { $0.stage == "check" }.allSatisfy { $0.gates?.count == 1 })
    // The select comes before every task it gates, and reads every trial's test.
    let order = p.positions
    let select = try #require(p.task("all/best"))
    #expect(select.inputs.count == 4)
    for task in final { #expect(order[task.key]! > order[select.key]!) }
    guard case .select(let s)? = select.config?.kind else { Issue.record("not a select"); return }
    #expect(s.over == ["lr"])
    #expect(s.candidates.count == 4)
    // `sprout plan` says which candidate each gated task belongs to; `--explain` that it runs only if chosen.
    let text = p.render(.text)
    for task in final {
      let lr = try #require(p.trial(task.key.trial)?["lr"]?.canonical)
      let line = try #require(text.split(separator: "\n").first { $0.contains(task.key.description) })
      #expect(line.hasSuffix("(if best chooses lr=\(lr))"), "\(line)")
      #expect(p.explain(task.key.description)?.contains("runs only if best chooses lr=\(lr)") == true)
    }
  }

  /// Which candidate wins decides whether a gated task runs, not what it computes: its hash leaves the select out.
  @Test func aGatedTaskHashDoesNotDependOnTheSelect() throws {
    let (a, _) = planText(Self.selectSpec(mode: "min"))
    let (b, _) = planText(Self.selectSpec(mode: "max"))
    let pa = try #require(a), pb = try #require(b)
    #expect(pa.task("all/best")?.hash != pb.task("all/best")?.hash)
    for task in pa.tasks where task.stage == "final" || task.stage == "check" {
      #expect(pb.task(task.key)?.hash == task.hash, "\(task.key)")
    }
  }

  @Test func misreadChoicesAreLintErrors() {
    var (_, d) = planText(Self.selectSpec().replacingOccurrences(of: "select.best.lr", with: "select.bset.lr"))
    #expect(Self.errors(d) == ["spec.expression-undefined"])
    #expect(d.all.first?.help?.contains("select.best.lr") == true)
    (_, d) = planText(Self.selectSpec().replacingOccurrences(of: "select.best.lr", with: "select.best.seed"))
    #expect(Self.errors(d) == ["spec.expression-undefined"], "seed is not chosen over")
    (_, d) = planText(
      Self.selectSpec().replacingOccurrences(
        of: "metric: loss, mode: min}", with: "metric: loss, mode: min, over: [rate]}"))
    #expect(Self.errors(d).contains("spec.matrix-unknown-axis"))
    (_, d) = planText(
      Self.selectSpec().replacingOccurrences(of: "metric: loss, mode: min}", with: "metric: los, mode: min}"))
    #expect(!Self.errors(d).isEmpty)
  }

  @Test func aChoiceThatMakesAStageReadItsOwnSelectIsACycle() {
    let spec = Self.selectSpec().replacingOccurrences(
      of: "optimizer: {kind: sgd, lr: \"${matrix.lr}\"}", with: "optimizer: {kind: sgd, lr: \"${select.best.lr}\"}")
    let (_, d) = planText(spec)
    #expect(Self.errors(d).contains("graph.cycle"))
  }

  /// The same spec with a second swept axis, the batch size, that the probes and the final stage read.
  static func twoAxisSpec(select: String) -> String {
    selectSpec()
      .replacingOccurrences(of: "  seed: [0, 1]", with: "  bs: [4, 8]\n  seed: [0, 1]")
      .replacingOccurrences(of: "    batch: 8", with: "    batch: \"${matrix.bs}\"")
      .replacingOccurrences(of: "best: {kind: select, from: test, metric: loss, mode: min}", with: select)
  }

  /// `per: [bs]` gives every batch size its own choice of `lr`: each gated task carries its trial's group and
  /// candidate, and the select task records which trial stands for which candidate of which group.
  @Test func perAxesGiveEachGroupItsOwnChoice() throws {
    let (plan, d) = planText(
      Self.twoAxisSpec(select: "best: {kind: select, from: test, metric: loss, over: [lr], per: [bs]}"))
    let p = try #require(plan, "\(d.all.map(\.message))")
    let select = try #require(p.task("all/best"))
    guard case .select(let s)? = select.config?.kind else { Issue.record("not a select"); return }
    #expect(s.over == ["lr"] && s.per == ["bs"])
    #expect(s.candidates.count == 8)
    let final = p.tasks.filter { $0.stage == "final" }
    #expect(final.count == 8)
    for task in final {
      let trial = try #require(p.trial(task.key.trial))
      let gate = try #require(task.gates?.first)
      #expect(gate.group == [AxisSetting(axis: "bs", value: try #require(trial["bs"]?.canonical))])
      #expect(gate.candidate == [AxisSetting(axis: "lr", value: try #require(trial["lr"]?.canonical))])
      let mine = try #require(s.candidates.first { $0.trial == task.key.trial })
      #expect(mine.group == gate.group && mine.choice == gate.candidate)
      // The trial's own batch size and the candidate's learning rate are what the task is lowered with.
      guard case .train(_, _, let t)? = task.config?.kind else { Issue.record("not a train task"); continue }
      #expect(t.optimizer.lr == trial["lr"]?.doubleValue)
    }
  }

  /// Without `over`, a select chooses over every axis but `seed` (and its `per` axes): here `lr` and `bs` together,
  /// so every gated task's candidate names both, and a stage may read either.
  @Test func overDefaultsToEveryAxisButTheSeed() throws {
    let spec = Self.twoAxisSpec(select: "best: {kind: select, from: test, metric: loss}")
      .replacingOccurrences(of: "    batch: \"${matrix.bs}\"\n  check", with: "    batch: \"${select.best.bs}\"\n  check")
    let (plan, d) = planText(spec)
    let p = try #require(plan, "\(d.all.map(\.message))")
    guard case .select(let s)? = p.task("all/best")?.config?.kind else { Issue.record("not a select"); return }
    #expect(s.over == ["lr", "bs"] && s.per.isEmpty)
    for task in p.tasks where task.stage == "final" {
      let gate = try #require(task.gates?.first)
      #expect(gate.candidate.map(\.axis) == ["lr", "bs"] && gate.group.isEmpty)
    }
  }

  /// Misuse of `over`, `per` and `aggregate` is a lint error at the select, naming what is wrong.
  @Test func selectAxesMisuseIsReported() {
    func lint(_ select: String) -> [Diagnostic] {
      planText(Self.twoAxisSpec(select: select)).1.all.filter { $0.severity == .error }
    }
    var d = lint("best: {kind: select, from: test, metric: loss, over: [lr], per: [lr]}")
    #expect(d.contains { $0.message.contains("both chosen over and chosen per") })
    d = lint("best: {kind: select, from: test, metric: loss, over: [lr], per: [batch]}")
    #expect(d.contains { $0.id.rawValue == "spec.matrix-unknown-axis" && $0.help?.contains("bs") == true })
    d = lint("best: {kind: select, from: test, metric: loss, aggregate: average}")
    #expect(d.contains { $0.message.contains("average") }, "\(d.map(\.message))")
    d = lint("best: {kind: select, from: test, metric: loss, over: [lr], mode: lowest}")
    #expect(!d.isEmpty)
  }

  /// Every aggregate and mode is part of the select's configuration, so of its hash: changing one reruns the
  /// select (and never the candidates it reads).
  @Test func aggregateAndModeAreHashed() throws {
    var hashes: Set<String> = []
    var probes: Set<[String]> = []
    for aggregate in SelectAggregate.allCases {
      for mode in SelectMode.allCases {
        let (plan, d) = planText(
          Self.selectSpec().replacingOccurrences(
            of: "metric: loss, mode: min}", with: "metric: loss, mode: \(mode.rawValue), aggregate: \(aggregate)}"))
        let p = try #require(plan, "\(d.all.map(\.message))")
        let select = try #require(p.task("all/best"))
        guard case .select(let s)? = select.config?.kind else { Issue.record("not a select"); return }
        #expect(s.aggregate == aggregate && s.mode == mode)
        hashes.insert(select.hash)
        probes.insert(p.tasks.filter { $0.stage == "probe" }.map(\.hash))
      }
    }
    #expect(hashes.count == SelectAggregate.allCases.count * SelectMode.allCases.count)
    #expect(probes.count == 1)
  }

  /// A model written with `${select.S.AXIS}` in its layers (a template the select fills in) gates the tasks that
  /// use it, and lint checks the model of every candidate.
  @Test func aModelTemplateCanReadAChoice() throws {
    let spec = Self.selectSpec(finalModel: "picked")
      .replacingOccurrences(of: "  lr: [0.001, 0.05]", with: "  lr: [0.001, 0.05]\n  act: [tanh, relu]")
      .replacingOccurrences(
        of: "  net: {input: 3, layers: [{dense: 8}, tanh, {dense: 1}]}",
        with: """
            net: {input: 3, layers: [{dense: 8}, "${matrix.act}", {dense: 1}]}
            picked: {input: 3, layers: [{dense: 8}, "${select.best.act}", {dense: 1}]}
          """)
      .replacingOccurrences(of: "metric: loss, mode: min}", with: "metric: loss, mode: min, over: [lr, act]}")
    let (plan, d) = planText(spec)
    let p = try #require(plan, "\(d.all.map(\.message))")
    for task in p.tasks where task.stage == "final" {
      let trial = try #require(p.trial(task.key.trial))
      let gate = try #require(task.gates?.first)
      #expect(gate.candidate.map(\.axis) == ["lr", "act"])
      guard case .train(let model, _, _)? = task.config?.kind else { Issue.record("not a train task"); continue }
      let act: LayerConfig = trial["act"]?.stringValue == "relu" ? .activation(.relu) : .activation(.tanh)
      #expect(model.layers[1] == act)
    }
    // A candidate the model cannot take is an error of that instantiation, though no trial's own model has it.
    let bad = spec.replacingOccurrences(of: "act: [tanh, relu]", with: "act: [tanh, dense]")
    #expect(Self.errors(planText(bad).1).contains("spec.expression-type"))
  }

  // MARK: - Templates

  static func templateSpec(acts: String, layers: String) -> String {
    """
    sprout: 1
    name: templates
    matrix:
      act: \(acts)
      depth: [1, 3]
    datasets:
      teacher: {kind: teacher_student, inputs: 3, samples: 32}
    models:
      net:
        input: 3
        layers: \(layers)
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train:
        kind: train
        model: net
        init: he
        data: teacher
        loss: mse
        optimizer: {kind: sgd, lr: 0.01}
        steps: 2
        batch: 8
    """
  }

  @Test func templatesInstantiatePerTrial() throws {
    let spec = Self.templateSpec(
      acts: "[relu, gelu]",
      layers: "[{repeat: {count: \"${matrix.depth}\", layers: [{dense: 8}, \"${matrix.act}\"]}}, {dense: 1}]")
    let (plan, d) = planText(spec)
    let p = try #require(plan, "\(d.all.map(\.message))")
    var seen: Set<[LayerConfig]> = []
    for task in p.tasks {
      guard case .train(let model, _, _)? = task.config?.kind else { continue }
      let trial = try #require(p.trial(task.key.trial))
      let depth = try #require(trial["depth"]?.intValue)
      #expect(model.layers.count == 2 * depth + 1)
      let act: LayerConfig =
        trial["act"]?.stringValue == "relu" ? .activation(.relu) : .activation(.gelu(approximate: .none))
      #expect(model.layers[1] == act)
      seen.insert(model.layers)
    }
    #expect(seen.count == 4)
  }

  @Test func everyInstantiationIsChecked() {
    // dense needs units, so an expression cannot choose it.
    var (_, d) = planText(
      Self.templateSpec(acts: "[relu, dense]", layers: "[{dense: 8}, \"${matrix.act}\", {dense: 1}]"))
    #expect(Self.errors(d).contains("spec.expression-type"))
    // A repeated block that changes the width breaks the residual it sits in, in the trials that repeat it.
    (_, d) = planText(
      Self.templateSpec(
        acts: "[relu]",
        layers: "[{dense: 8}, {residual: [{repeat: {count: \"${matrix.depth}\", layers: [{dense: 4}]}}]}, {dense: 1}]"))
    #expect(Self.errors(d).contains("graph.residual-width"))
    // Only the instantiations that break are reported, and the note names them: a width swept as [act] here, where
    // 8 keeps the residual's width and 4 does not.
    (_, d) = planText(
      Self.templateSpec(
        acts: "[8, 4]",
        layers: "[{dense: 8}, {residual: [{repeat: {count: \"${matrix.depth}\", layers: [{dense: \"${matrix.act}\"}]}}]}, "
          + "{dense: 1}]"))
    let broken = d.all.filter { $0.id.rawValue == "graph.residual-width" }
    #expect(broken.count == 1, "\(d.all.map(\.message))")
    let note = broken.first?.notes.map(\.message).joined() ?? ""
    #expect(note.contains("act=4") && !note.contains("act=8"), "\(note)")
    #expect(broken.first?.message.contains("from 8 to 4") == true)
  }

  // MARK: - Fit, eval, ibp

  static func trainSpec(stage: String, extra: String = "", model: String = "[{dense: 8}, relu, {dense: 3}]") -> String {
    """
    sprout: 1
    name: fits
    datasets:
      blobs: {kind: gaussian_blobs, inputs: 3, classes: 3, samples: 64, split: {train: 0.5, test: 0.5}}
    models:
      net: {input: 3, layers: \(model)}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train:
        kind: train
        model: net
        init: he
        data: blobs.train
        loss: cross_entropy
        optimizer: {kind: adam, lr: 0.01}
        steps: 20
        batch: 8
        record: [loss, accuracy]
        every: 2
    \(stage)
      test: {kind: evaluate, from: train, data: blobs.test, record: [loss]}
    \(extra)
    """
  }

  @Test func fitMisuseIsReported() {
    func lint(_ stage: String) -> [String] { Self.errors(planText(Self.trainSpec(stage: stage)).1) }
    #expect(lint("  trend: {kind: fit, from: train, metric: loss, form: power_law}").isEmpty)
    #expect(lint("  trend: {kind: fit, from: test, metric: loss, form: power_law}") == ["spec.cannot-run"])
    #expect(lint("  trend: {kind: fit, from: train, metric: psnr, form: power_law}") == ["spec.cannot-run"])
    #expect(
      lint("  trend: {kind: fit, from: train, metric: loss, form: linear, start: {c: 1}}") == ["spec.unknown-key"])
    #expect(
      lint("  trend: {kind: fit, from: train, metric: loss, form: linear, lower: {a: 2}, upper: {a: 1}}")
        == ["spec.cannot-run"])
    // 5 parameters, but only 2 records in the window.
    #expect(
      lint("  trend: {kind: fit, from: train, metric: loss, form: massive_activation, last_step: 2}")
        == ["spec.cannot-run"])
  }

  @Test func evalMisuseIsReported() {
    func lint(_ eval: String) -> [String] {
      Self.errors(
        planText(
          Self.trainSpec(stage: "").replacingOccurrences(of: "    every: 2", with: "    every: 2\n    eval: \(eval)")
        ).1)
    }
    #expect(lint("{data: blobs.test, every: 5, record: [loss, accuracy]}").isEmpty)
    #expect(lint("{data: blobs.test, record: [weight_norm]}") == ["spec.cannot-run"])
    #expect(lint("{data: blobs.test, record: [grad_norm]}") == ["spec.cannot-run"])
    #expect(!lint("{data: blobz.test, record: [loss]}").isEmpty)
  }

  @Test func certifiedTrainingMisuseIsReported() {
    func lint(_ loss: String, model: String = "[{dense: 8}, relu, {dense: 3}]") -> [String] {
      Self.errors(
        planText(
          Self.trainSpec(stage: "", model: model).replacingOccurrences(of: "loss: cross_entropy", with: "loss: \(loss)")
        ).1)
    }
    #expect(lint("{kind: ibp, eps: 0.1, ramp_length: 10, regularizers: [tightness, relu]}").isEmpty)
    #expect(lint("{kind: ibp, eps: 0.1}", model: "[{dense: 8}, gelu, {dense: 3}]") == ["spec.cannot-run"])
    #expect(lint("{kind: ibp, eps: 0.1, regularizers: [relu]}") == ["spec.no-effect"])
    #expect(lint("{kind: ibp, eps: 0.1, ramp_length: 5, reg_lambda: 2}") == ["spec.no-effect"])
    #expect(lint("{kind: ibp, eps: 0.1}", model: "[{dense: 8}, {dropout: 0.1}, relu, {dense: 3}]") == ["spec.cannot-run"])
    // Intervals pass convolutions and pooling.
    let cnn = Self.trainSpec(stage: "", model: "[{conv2d: {filters: 2, kernel: 2}}, relu, {max_pool2d: 2}, flatten, {dense: 3}]")
      .replacingOccurrences(of: "net: {input: 3,", with: "net: {input: {image: [1, 4, 4]},")
      .replacingOccurrences(of: "{kind: gaussian_blobs, inputs: 3,", with: "{kind: gaussian_blobs, inputs: 16,")
    #expect(Self.errors(planText(cnn).1).isEmpty, "\(planText(cnn).1)")
    let certified = cnn.replacingOccurrences(of: "loss: cross_entropy", with: "loss: {kind: ibp, eps: 0.1}")
      .replacingOccurrences(of: "record: [loss, accuracy]", with: "record: [loss, {verified_error: 0.1}, interval_bounds]")
    #expect(Self.errors(planText(certified).1).isEmpty, "\(planText(certified).1)")
    // The interval metrics need a model the intervals pass, wherever they are recorded.
    let gelu = Self.trainSpec(stage: "", model: "[{dense: 8}, gelu, {dense: 3}]")
    for (old, new) in [
      ("record: [loss, accuracy]", "record: [loss, interval_bounds]"),
      ("record: [loss]}", "record: [{verified_error: 0.1}]}"),
      ("    every: 2", "    every: 2\n    eval: {data: blobs.test, record: [{verified_error: 0.1}]}"),
    ] {
      let d = planText(gelu.replacingOccurrences(of: old, with: new)).1
      #expect(Self.errors(d) == ["spec.cannot-run"], "\(new)")
      #expect(d.all.contains { $0.message.contains("layer 1 (gelu) is not one they pass") }, "\(d.all.map(\.message))")
    }
    // verified_error needs class labels.
    let spec = Self.trainSpec(stage: "").replacingOccurrences(of: "loss: cross_entropy", with: "loss: mse")
      .replacingOccurrences(of: "samples: 64,", with: "samples: 64, one_hot: true,")
      .replacingOccurrences(of: "record: [loss, accuracy]", with: "record: [loss, {verified_error: 0.1}]")
    #expect(Self.errors(planText(spec).1).contains("spec.cannot-run"))
  }

  // MARK: - Plan, and where lint points

  /// The line of `text` a diagnostic with `id` starts on (1-based), or nil when there is none.
  static func line(of id: String, in d: Diagnostics, text: String) -> String? {
    guard let diagnostic = d.all.first(where: { $0.id.rawValue == id }) else { return nil }
    let lines = text.components(separatedBy: "\n")
    let n = diagnostic.range.start.line
    return n >= 1 && n <= lines.count ? lines[n - 1] : nil
  }

  /// Each shape as `plan` makes it: a fit is a task of its trial that reads the stage it fits, planned after it;
  /// evaluation during training and the certified objective are part of the training task's hash (changing them
  /// re-runs it), a fit's form only of the fit's.
  @Test func fitEvalAndCertifiedTrainingArePlannedAsTheyRead() throws {
    let spec = Self.trainSpec(stage: "  trend: {kind: fit, from: train, metric: eval/loss, form: exp_saturation}")
      .replacingOccurrences(
        of: "    every: 2", with: "    every: 2\n    eval: {data: blobs.test, every: 4, record: [loss]}")
    let (plan, d) = planText(spec)
    let p = try #require(plan, "\(d.all.map(\.message))")
    let train = try #require(p.task("t0000/train")), trend = try #require(p.task("t0000/trend"))
    #expect(trend.inputs == [train.key])
    #expect(trend.kind == "fit")
    let order = p.tasks.map(\.key)
    #expect(try #require(order.firstIndex(of: train.key)) < (try #require(order.firstIndex(of: trend.key))))
    func hashes(_ text: String) throws -> (train: String, trend: String) {
      let q = try #require(planText(text).0, "\(planText(text).1.all.map(\.message))")
      return (try #require(q.task("t0000/train")).hash, try #require(q.task("t0000/trend")).hash)
    }
    // eval: its period and metrics are part of the training task.
    #expect(try hashes(spec.replacingOccurrences(of: "every: 4", with: "every: 5")).train != train.hash)
    #expect(
      try hashes(spec.replacingOccurrences(of: "record: [loss]}", with: "record: [loss, accuracy]}")).train
        != train.hash)
    // ibp: the objective and its ε are part of the training task, and so of the fit that reads it.
    let ibp = spec.replacingOccurrences(of: "loss: cross_entropy", with: "loss: {kind: ibp, eps: 0.1}")
    let certified = try hashes(ibp)
    #expect(certified.train != train.hash && certified.trend != trend.hash)
    #expect(try hashes(ibp.replacingOccurrences(of: "eps: 0.1", with: "eps: 0.2")).train != certified.train)
    // fit: its form changes the fit's task only; the training is reused.
    let powerLaw = try hashes(spec.replacingOccurrences(of: "form: exp_saturation", with: "form: power_law"))
    #expect(powerLaw.train == train.hash && powerLaw.trend != trend.hash)
  }

  /// Lint points each shape's misuse at the line that is wrong, with the stage or key it names.
  @Test func misusesArePointedAtTheirLine() {
    // fit: a metric the stage does not record.
    var text = Self.trainSpec(stage: "  trend: {kind: fit, from: train, metric: psnr, form: power_law}")
    #expect(Self.line(of: "spec.cannot-run", in: planText(text).1, text: text)?.contains("metric: psnr") == true)
    // eval: a metric evaluation cannot compute.
    text = Self.trainSpec(stage: "")
      .replacingOccurrences(of: "    every: 2", with: "    every: 2\n    eval: {data: blobs.test, record: [grad_norm]}")
    #expect(Self.line(of: "spec.cannot-run", in: planText(text).1, text: text)?.contains("grad_norm") == true)
    // ibp: regularizers without a warm-up to act in.
    text = Self.trainSpec(stage: "")
      .replacingOccurrences(of: "loss: cross_entropy", with: "loss: {kind: ibp, eps: 0.1, regularizers: [relu]}")
    #expect(Self.line(of: "spec.no-effect", in: planText(text).1, text: text)?.contains("regularizers") == true)
    // select: a choice of an axis the select does not choose.
    text = Self.selectSpec().replacingOccurrences(of: "lr: \"${select.best.lr}\"", with: "lr: \"${select.best.nope}\"")
    let misread = planText(text).1
    #expect(!Self.errors(misread).isEmpty)
    let first = misread.all.first { $0.severity == .error }
    let lines = text.components(separatedBy: "\n")
    #expect(first.map { lines[$0.range.start.line - 1] }?.contains("select.best.nope") == true)
    // template: a layer kind an expression cannot choose, in the trials that choose it.
    text = Self.templateSpec(acts: "[relu, dense]", layers: "[{dense: 8}, \"${matrix.act}\", {dense: 1}]")
    let typed = Self.line(of: "spec.expression-type", in: planText(text).1, text: text)
    #expect(typed?.contains("${matrix.act}") == true || typed?.contains("act:") == true, "\(typed ?? "none")")
  }
}
