import SproutDiagnostics
import SproutSpec

/// Does each stage a stage reads give it what it expects?
extension StageChecker {
  func checkUpstream(_ stage: StageDef, _ binding: StageBinding, _ problems: inout [CheckProblem]) {
    let fromRange = stage.arguments.argument("from")?.range ?? stage.range
    let path = "stages.\(stage.id.name).from"
    let producers: [StageKind] = [.train, .finetune, .merge]
    switch stage.kind {
    case .evaluate, .measure, .finetune:
      guard stage.arguments["from"] != nil, let up = binding.upstream.first, let source = spec.stage(up) else { return }
      if stage.kind == .evaluate, source.kind == .merge, stage.loss == nil {
        problems.append(
          CheckProblem(
            GraphDiagnostics.noLoss,
            "evaluate uses the loss of the stage it reads, but merge stage '\(up.name)' has none",
            at: stage.nameRange, path: "stages.\(stage.id.name)",
            notes: [DiagnosticNote("'\(up.name)' is defined here", at: source.nameRange)],
            help: "add 'loss:' to stage '\(stage.id.name)', e.g. loss: mse"))
      }
      guard !producers.contains(source.kind) else { return }
      let isAdapter = stage.kind == .finetune
      problems.append(
        CheckProblem(
          isAdapter ? GraphDiagnostics.adapterNeedsTrained : GraphDiagnostics.fromMismatch,
          isAdapter
            ? "finetune adds adapters to a trained model, but '\(up.name)' is a \(source.kind.rawValue) stage, "
              + "which produces none"
            : "\(stage.kind.rawValue) reads the model of '\(up.name)', but a \(source.kind.rawValue) stage "
              + "produces no model",
          at: fromRange, path: path,
          notes: [DiagnosticNote("'\(up.name)' is defined here", at: source.nameRange)],
          help: "point from at a train, finetune or merge stage"))
    case .merge:
      var models: [(StageID, ModelID?)] = []
      for up in binding.upstream {
        guard let source = spec.stage(up) else { continue }
        if !producers.contains(source.kind) {
          problems.append(
            CheckProblem(
              GraphDiagnostics.fromMismatch,
              "merge combines trained models, but '\(up.name)' is a \(source.kind.rawValue) stage, which produces none",
              at: fromRange, path: path, help: "merge train or finetune stages"))
          continue
        }
        models.append((up, StageBinding.of(source, in: spec, resolve: resolve).model))
      }
      if let first = models.first, let firstModel = first.1 {
        for (s, model) in models.dropFirst() {
          guard let m = model, m != firstModel else { continue }
          problems.append(
            CheckProblem(
              GraphDiagnostics.fromMismatch,
              "merge adds task vectors of one architecture, but '\(s.name)' trains model '\(m.name)' and "
                + "'\(first.0.name)' trains '\(firstModel.name)'",
              at: fromRange, path: path, help: "merge stages that train the same model"))
        }
      }
    case .select:
      guard let up = binding.upstream.first, let source = spec.stage(up),
        let metric = resolve.string(stage.arguments["metric"])
      else { return }
      // A default record list holds plain names, a written one instances; output_spectrum also writes spectrum_w1,
      // and an eval list writes eval/NAME. The lowering checks the rest of a path (`activation_stats/layers.1/std`).
      func names(_ list: Value?, prefix: String = "") -> [String] {
        (list?.listValue ?? []).compactMap { $0.instanceValue?.kind ?? $0.stringValue }.flatMap {
          $0 == "output_spectrum" ? [prefix + $0, prefix + "spectrum_w1"] : [prefix + $0]
        }
      }
      let recorded = names(source.arguments["record"]) + names(source.arguments["eval"]?["record"], prefix: "eval/")
      let parts = metric.split(separator: "/").map(String.init)
      guard !(1...max(parts.count, 1)).contains(where: { recorded.contains(parts.prefix($0).joined(separator: "/")) })
      else { return }
      let near = recorded.min { editDistance($0, metric) < editDistance($1, metric) }
      problems.append(
        CheckProblem(
          GraphDiagnostics.selectMetric,
          "select compares '\(metric)', but stage '\(up.name)' records "
            + (recorded.isEmpty ? "no metrics" : "only " + recorded.map { "'\($0)'" }.joined(separator: ", ")),
          at: stage.arguments.argument("metric")?.range ?? stage.range, path: "stages.\(stage.id.name).metric",
          help: near.flatMap { editDistance($0, metric) <= 2 ? "did you mean '\($0)'?" : nil }
            ?? "add '\(metric)' to the record list of '\(up.name)'"))
    case .train, .fit:
      break
    }
  }
}
