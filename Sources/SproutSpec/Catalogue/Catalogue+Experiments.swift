import SproutConfig
import SproutDiagnostics

/// The kinds that give experiments the shape the papers run them in: selection across seeds, trajectory fits,
/// certified training, evaluation during training and the metrics these read.
extension Catalogue {
  // MARK: - Evaluation during training

  static let evalArgument = ArgumentSpec(
    "eval",
    .record(
      [
        ArgumentSpec("data", .data, required: true, "The held-out rows (a split the stage does not train on)."),
        ArgumentSpec(
          "every", .int, min: 1,
          "Steps between evaluations (default: about \(TrainingConfig.defaultRecords) over the stage); the first "
            + "and last steps are always evaluated."),
        ArgumentSpec(
          "record", .list(.kind(.metric)), required: true,
          "Metrics of the model on `data`, in evaluation mode (loss, accuracy, psnr, verified_error, "
            + "activation_stats, dead_units, interval_bounds, output_spectrum)."),
      ], main: nil),
    "Evaluation during training: held-out metrics every `every` steps, written as their own series "
      + "(`eval/loss`, `eval/accuracy`, ...) beside the training records; resumable like them.")

  /// The `eval:` of a train or finetune stage, if written.
  static func evaluation(_ a: inout Lowerer, loss: LossConfig) throws -> EvalConfig? {
    guard let fields = try a.optionalRecord("eval"), let argument = a.instance.arguments.argument("eval") else {
      return nil
    }
    let path = a.argPath("eval")
    guard let reference = fields["data"]?.stringValue else {
      throw a.fail("eval", "eval needs 'data', the held-out rows", help: "add data: DATASET.SPLIT")
    }
    let data = try a.context.data(reference, at: argument, path: "\(path).data")
    guard case .list(let items)? = fields["record"], !items.isEmpty else {
      throw a.fail("eval", "eval needs 'record', the metrics to take on the held-out rows", help: "add record: [loss]")
    }
    var record: [MetricConfig] = []
    for (n, item) in items.enumerated() {
      guard case .instance(let i) = item else { throw a.fail("eval", "eval.record lists metrics") }
      guard case .metric(let m) = try Lowerer.lower(i, path: "\(path).record[\(n)]", context: a.context) else {
        throw a.fail("eval", "eval.record lists metrics")
      }
      if m.needsTrainingStep || m.readsOnlyWeights {
        throw a.fail(
          "eval",
          "\(m.name) does not depend on the held-out data"
            + (m.needsTrainingStep ? " (it is a quantity of a training step)" : " (it reads only the weights)"),
          help: "record it in the stage's own record list")
      }
      if case .kernelAlignment = m {
        throw a.fail(
          "eval", "kernel_alignment compares with the tangent kernel at init, which eval does not keep",
          help: "record it in the stage's own record list")
      }
      if case .verifiedError = m, !loss.readsClassIndices {
        throw a.fail("eval", "verified_error needs class labels (a cross_entropy or ibp loss)")
      }
      record.append(m)
    }
    return EvalConfig(data: data, every: fields["every"]?.intValue, record: record)
  }

  // MARK: - Stages

  static let experimentStages: [KindSpec] = [
    KindSpec(
      .stage, StageKind.select.rawValue,
      "Choose values of matrix axes by an aggregate of a metric over the other axes (the seeds); later stages read "
        + "the choice as `${select.NAME.AXIS}` and run only for the chosen candidate.",
      example: """
        best:
          kind: select
          from: spectrum
          metric: spectrum_w1
          mode: min
          over: [omega]
          per: [target]
          aggregate: mean
        """,
      arguments: [
        ArgumentSpec("from", .reference(.stage), required: true, "The stage whose final records are compared."),
        ArgumentSpec(
          "metric", .string, required: true,
          "A metric that stage records: its name, or a path into a structured one "
            + "(`activation_stats/layers.1/std`, `eval/accuracy`)."),
        ArgumentSpec(
          "mode", .enumeration(SelectMode.allCases.map(\.rawValue)), default: .string("min"),
          "Lower or higher is better."),
        ArgumentSpec(
          "over", .list(.string),
          "The axes chosen over (default: every axis but `seed` and the `per` axes)."),
        ArgumentSpec("per", .list(.string), default: .list([]), "Axes that get a choice each (e.g. one ω per target)."),
        ArgumentSpec(
          "aggregate", .enumeration(SelectAggregate.allCases.map(\.rawValue)), default: .string("mean"),
          "How a candidate's trials (those differing only in the remaining axes, usually the seeds) are combined."),
      ],
      lower: { a in
        let up = try a.upstream("from")
        let metricText = try a.string("metric")
        let path = metricText.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        try checkMetricPath(path, of: up, a, argument: "metric", what: "select")
        return .stage(
          .select(
            SelectConfig(
              from: up.name, metric: path, mode: try a.choice("mode", SelectMode.self),
              aggregate: try a.choice("aggregate", SelectAggregate.self), over: try a.strings("over") ?? [],
              per: try a.strings("per") ?? [])))
      }),
    KindSpec(
      .stage, "fit",
      "Fit a parametric form to the trajectory of a metric a train or finetune stage recorded (least squares by "
        + "Levenberg–Marquardt); records the parameters, their standard errors (`NAME_se`), R² and the RMSE.",
      paper: "Gallego-Feliciano et al. 2025 (massive_activation)",
      example: """
        trend:
          kind: fit
          from: train
          metric: eval/loss
          form: power_law
          start: {b: -0.5}
          upper: {b: 0}
        """,
      arguments: [
        ArgumentSpec("from", .reference(.stage), required: true, "The train or finetune stage whose records are read."),
        ArgumentSpec(
          "metric", .string, required: true,
          "The metric: its name (`loss`, `eval/accuracy`) or a path to a number inside a structured one "
            + "(`activation_stats/layers.3/max_abs`, `weight_norm/layers.0.weight`)."),
        ArgumentSpec(
          "form", .enumeration(FitForm.allCases.map(\.rawValue)), required: true,
          FitForm.allCases.map { "\($0.rawValue): \($0.formula)" }.joined(separator: "; ")
            + " (x is the step)."),
        ArgumentSpec(
          "start", .map(.float), "Starting values by parameter name (default: guesses from the data, several tried)."),
        ArgumentSpec("lower", .map(.float), "Lower bounds by parameter name."),
        ArgumentSpec("upper", .map(.float), "Upper bounds by parameter name."),
        ArgumentSpec("first_step", .int, min: 0, "The first step fitted (default: the first recorded)."),
        ArgumentSpec("last_step", .int, min: 0, "The last step fitted (default: the last recorded)."),
      ],
      lower: { a in
        let up = try a.upstream("from")
        switch up.config {
        case .train, .finetune: break
        default:
          throw a.fail(
            "from",
            "fit reads a metric's trajectory, and '\(up.name)' is a \(up.config.name) stage, which records it once",
            help: "fit a train or finetune stage")
        }
        let metricText = try a.string("metric")
        let path = metricText.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        try checkMetricPath(path, of: up, a, argument: "metric", what: "fit")
        let form = try a.choice("form", FitForm.self)
        let start = try parameterValues("start", form, &a)
        let lower = try parameterValues("lower", form, &a)
        let upper = try parameterValues("upper", form, &a)
        for (i, name) in form.parameters.enumerated() {
          if let l = lower[i], let u = upper[i], !(l < u) {
            throw a.fail("upper", "the bounds of '\(name)' are empty: lower \(l) is not below upper \(u)")
          }
          if let s = start[i], let l = lower[i], s < l {
            throw a.fail("start", "the start of '\(name)' (\(s)) is below its lower bound \(l)")
          }
          if let s = start[i], let u = upper[i], s > u {
            throw a.fail("start", "the start of '\(name)' (\(s)) is above its upper bound \(u)")
          }
          if let r = form.requiredLower[name], let s = start[i], !(s > r) {
            throw a.fail("start", "\(form.rawValue) needs \(name) > \(ArgumentSpec.num(r)), found a start of \(s)")
          }
          if let r = form.requiredLower[name], let u = upper[i], !(u > r) {
            throw a.fail(
              "upper", "\(form.rawValue) needs \(name) > \(ArgumentSpec.num(r)), but its upper bound is \(u)")
          }
        }
        let first = try a.optionalInt("first_step")
        let last = try a.optionalInt("last_step")
        if let first, let last, first > last {
          throw a.fail("last_step", "last_step \(last) comes before first_step \(first)")
        }
        if case .train(_, _, let t) = up.config, case .steps(let total) = t.length {
          let records = recordedSteps(t, total: total, metric: path).filter {
            $0 >= (first ?? 0) && $0 <= (last ?? total) && (form != .powerLaw || $0 > 0)
          }
          if records.count <= form.parameters.count {
            throw a.fail(
              "metric",
              "\(form.rawValue) has \(form.parameters.count) parameters, but '\(up.name)' records '\(metricText)' at "
                + "only \(records.count) step\(records.count == 1 ? "" : "s") in the window fitted",
              help: "record it more often (every:) or widen first_step/last_step")
          }
        }
        return .stage(
          .fit(
            FitConfig(
              from: up.name, metric: path, form: form, start: start, lower: lower, upper: upper, firstStep: first,
              lastStep: last)))
      }),
  ]

  /// The steps at which a train stage of `total` steps writes a key (its training or its eval series).
  static func recordedSteps(_ t: TrainingConfig, total: Int, metric: [String]) -> [Int] {
    let isEval = metric.first.map { "\($0)/".hasPrefix(EvalConfig.prefix) } ?? false
    let every: Int
    if isEval, let e = t.eval {
      every = e.every ?? max(1, (total + TrainingConfig.defaultRecords - 1) / TrainingConfig.defaultRecords)
    } else {
      every = t.every ?? max(1, (total + TrainingConfig.defaultRecords - 1) / TrainingConfig.defaultRecords)
    }
    var steps = Array(stride(from: 0, through: total, by: every))
    if steps.last != total { steps.append(total) }
    return steps
  }

  /// One optional value per parameter of `form` from a map argument; an unknown name is an error at the argument.
  static func parameterValues(_ name: String, _ form: FitForm, _ a: inout Lowerer) throws -> [Double?] {
    guard let map = try a.optionalRecord(name) else { return form.parameters.map { _ in nil } }
    for key in map.keys.sorted() where !form.parameters.contains(key) {
      let argument = a.instance.arguments.argument(name)
      let near = Suggestions.nearest(key, among: form.parameters)
      throw LoweringError(
        Diagnostic(
          "spec.unknown-key",
          "\(form.rawValue) has no parameter '\(key)' (its parameters: \(form.parameters.joined(separator: ", ")))",
          at: argument?.range ?? a.instance.range, path: "\(a.argPath(name)).\(key)",
          help: near.map { "did you mean '\($0)'?" } ?? "\(form.rawValue): \(form.formula)"))
    }
    return try form.parameters.map { p in
      guard let v = map[p] else { return nil }
      guard let d = v.doubleValue, d.isFinite else { throw a.fail(name, "\(name).\(p) must be a finite number") }
      return d
    }
  }

  /// A metric path must start with a key the upstream stage records and reach a number.
  static func checkMetricPath(
    _ path: [String], of up: (name: String, config: StageConfig), _ a: Lowerer, argument: String, what: String
  ) throws {
    let keys = RecordedMetrics.keys(of: up.config)
    let text = path.joined(separator: "/")
    guard let (key, rest) = RecordedMetrics.split(path, among: keys) else {
      let names = keys.map(\.name)
      let near = Suggestions.nearest(path.first ?? text, among: names)
      throw LoweringError(
        Diagnostic(
          "spec.cannot-run",
          "\(what) reads '\(text)', but stage '\(up.name)' records "
            + (names.isEmpty ? "nothing" : "only " + names.map { "'\($0)'" }.joined(separator: ", ")),
          at: a.instance.arguments.argument(argument)?.range ?? a.instance.range, path: a.argPath(argument),
          help: near.map { "did you mean '\($0)'?" } ?? "add it to the record list of '\(up.name)'"))
    }
    guard let depth = key.depth else {
      throw a.fail(argument, "'\(key.name)' is a vector; \(what) needs a number")
    }
    if rest.count != depth {
      let shape =
        depth == 0
        ? "a number"
        : depth == 1
          ? "a map by layer (write '\(key.name)/LAYER')"
          : "a map by layer of maps (write '\(key.name)/LAYER/FIELD')"
      throw a.fail(
        argument, "'\(key.name)' is \(shape); '\(text)' does not reach a number",
        help: depth == 0 ? "write '\(key.name)'" : nil)
    }
  }

  // MARK: - Model templates

  static let experimentLayers: [KindSpec] = [
    KindSpec(
      .layer, "repeat",
      "Repeats a block of layers `count` times in place (`count: ${matrix.depth}` sweeps the depth); a layer written "
        + "as `${...}` takes its kind from the trial (`- ${matrix.act}` sweeps the activation). Selectors and "
        + "from_stage mappings count the layers after expansion.",
      example: "- repeat: {count: 3, layers: [{dense: 64}, relu]}",
      arguments: [
        ArgumentSpec("count", .int, required: true, min: 0, "How many copies of the block."),
        ArgumentSpec("layers", .list(.kind(.layer)), required: true, "The block."),
      ],
      lower: { a in
        throw a.fail("count", "repeat is expanded where its layer list is lowered; it cannot stand alone")
      })
  ]

  /// Lowers a layer list, expanding `repeat` blocks in place.
  static func layerList(_ items: [(Instance, LoweringPlace)], context: any LoweringContext) throws -> [LayerConfig] {
    var out: [LayerConfig] = []
    out.reserveCapacity(items.count)
    for (instance, place) in items {
      if instance.kind == "repeat" {
        let path = place.text
        guard let count = instance["count"]?.intValue else {
          throw LoweringError(
            Diagnostic(
              "spec.wrong-type", "repeat's count must be an integer", at: instance.range,
              path: "\(path).count"))
        }
        let body = (instance["layers"]?.listValue ?? []).enumerated().compactMap { n, v in
          v.instanceValue.map { ($0, LoweringPlace(parent: path, key: "layers", index: n)) }
        }
        let block = try layerList(body, context: context)
        for _ in 0..<max(count, 0) { out += block }
        continue
      }
      guard case .layer(let l) = try Lowerer.lower(instance, place: place, context: context) else {
        preconditionFailure("a layer instance lowers to a layer")
      }
      out.append(l)
    }
    return out
  }

  // MARK: - Losses and metrics

  static let experimentLosses: [KindSpec] = [
    KindSpec(
      .loss, "ibp",
      "Certified training by interval bound propagation: κ·CE(clean) + (1 − κ)·CE(worst-case logits in the ℓ∞ box "
        + "of radius ε_t) + λ_t·(warm-up regularizers); ε_t ramps up as auto_LiRPA's SmoothedScheduler. "
        + "Evaluated outside training (evaluate stages, whole-data records) it is the clean cross-entropy.",
      paper: "Gowal et al. 2018 (IBP); Shi et al., NeurIPS 2021 (ε ramp, warm-up regularizers)", main: "eps",
      example: "loss: {kind: ibp, eps: 0.1, ramp_length: 400, regularizers: [tightness, relu]}",
      arguments: [
        ArgumentSpec("eps", .float, required: true, min: 0, exclusiveMin: true, "ε, the ℓ∞ radius trained for."),
        ArgumentSpec("ramp_start", .int, default: .int(0), min: 0, "Steps at ε = 0 before the ramp."),
        ArgumentSpec("ramp_length", .int, default: .int(0), min: 0, "Steps over which ε grows to its target."),
        ArgumentSpec(
          "ramp_mid", .float, default: .float(0.25), min: 0, max: 1, exclusiveMax: true,
          "Fraction of the ramp that is polynomial before it turns linear."),
        ArgumentSpec("ramp_beta", .float, default: .float(4), min: 1, "Degree of the polynomial part."),
        ArgumentSpec(
          "kappa_start", .float, default: .float(0), min: 0, max: 1,
          "κ, the weight of the clean loss, at the start of the ramp (Gowal et al.: 1; Shi et al.: 0)."),
        ArgumentSpec(
          "kappa_end", .float, default: .float(0), min: 0, max: 1, "κ at the end of the ramp (Gowal et al.: 0.5)."),
        ArgumentSpec(
          "regularizers", .list(.enumeration(IBPRegularizer.allCases.map(\.rawValue))), default: .list([]),
          "Shi et al.'s warm-up regularizers, applied while ε_t < ε: tightness (bounds' growth) and relu (active/"
            + "inactive balance)."),
        ArgumentSpec(
          "reg_lambda", .float, default: .float(0.5), min: 0, "λ: their weight at ε_t = 0, decayed as λ(1 − ε_t/ε)."),
        ArgumentSpec("tolerance", .float, default: .float(0.5), min: 0, exclusiveMin: true, "τ, their tolerance."),
      ],
      lower: { a in
        let length = try a.int("ramp_length")
        var c = IBPConfig(
          eps: try a.double("eps"), rampStart: try a.int("ramp_start"), rampLength: length,
          kappaEnd: try a.double("kappa_end"))
        if length > 0 {
          c.rampMid = try a.double("ramp_mid")
          c.rampBeta = try a.double("ramp_beta")
          c.kappaStart = try a.double("kappa_start")
          c.regularizers = try a.choices("regularizers", IBPRegularizer.self)
          if c.regularizers.isEmpty {
            for name in ["reg_lambda", "tolerance"] { a.noEffect(name, "no regularizers are listed") }
          } else {
            c.regLambda = try a.double("reg_lambda")
            c.tolerance = try a.double("tolerance")
          }
        } else {
          c.kappaStart = c.kappaEnd
          for name in ["ramp_mid", "ramp_beta", "kappa_start", "regularizers", "reg_lambda", "tolerance"] {
            a.noEffect(name, "it acts during the ε ramp, and ramp_length is 0")
          }
        }
        return .loss(.ibp(c))
      })
  ]

  static let experimentMetrics: [KindSpec] = [
    KindSpec(
      .metric, "verified_error",
      "Fraction of rows interval bound propagation cannot verify in the ℓ∞ box of radius eps: the label's lower "
        + "logit bound does not exceed every other class's upper bound (misclassified rows count too).",
      paper: "Gowal et al. 2018; Shi et al., NeurIPS 2021", main: "eps",
      example: "record: [{verified_error: 0.1}]",
      arguments: [
        ArgumentSpec("eps", .float, required: true, min: 0, exclusiveMin: true, "Radius of the box (ℓ∞)."),
        ArgumentSpec("samples", .int, min: 1, "Rows verified: the first ones of the data (default: all)."),
      ],
      lower: { a in .metric(.verifiedError(eps: try a.double("eps"), samples: try a.optionalInt("samples"))) }),
    KindSpec(
      .metric, "dead_units",
      "Per activation layer, the fraction of its units whose input is ≤ 0 on every probe row (dead for a ReLU).",
      paper: "Sun et al. 2024 (CRReLU keeps a gradient there)", main: "layers",
      example: "record: [{dead_units: {samples: 256}}]",
      arguments: [
        ArgumentSpec(
          "layers", .layerSelector, default: .string("all"),
          "Which activation layers (counted as for activation_stats: activations and residual blocks, from 0)."),
        ArgumentSpec("samples", .int, default: .int(256), min: 1, "Probe rows: the first ones of the stage's data."),
      ],
      lower: { a in .metric(.deadUnits(layers: try a.layerSet("layers"), samples: try a.int("samples"))) }),
  ]
}

extension Lowerer {
  /// A list of strings, if present.
  mutating func strings(_ name: String) throws -> [String]? {
    guard let a = optionalArgument(name) else { return nil }
    guard let items = a.value.listValue else { throw fail(name, "expected a list of names") }
    return try items.map { item in
      guard let s = item.stringValue else { throw fail(name, "expected a list of names") }
      return s
    }
  }
}
