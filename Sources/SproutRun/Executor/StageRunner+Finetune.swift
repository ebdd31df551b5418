import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain

/// `finetune` and `merge`: stages that start from trained models.
extension StageRunner {
  // MARK: finetune

  /// Trains adapters on the `from` stage's final model (or, with no adapters, every weight of it), with the
  /// stage's data, loss, optimizer and length, checkpoints and resume exactly as `train`.
  ///
  /// The task's checkpoints hold the frozen base weights (PiSSA's and SVFit's residual W − ΔW) and the
  /// adapter tensors; a stage that reads the fine-tuned model gets the adapters folded into the weights.
  func finetune() throws -> TaskOutputs {
    let fromStage = try stage.required("from").string()
    let adapters = try TrainConfigs.adapters(stage["adapters"])
    if let eva = adapters.first(where: { $0.initRule == .eva }), let named = eva.data {
      let own = try stage.required("data").string()
      guard named == own else {
        throw context.error(
          .unsupportedOption,
          "EVA computes its components on the stage's own fine-tuning data ('\(own)'); an adapter naming other "
            + "data ('\(named)') is not supported")
      }
    }
    var placements: [AdapterConfig: [AdapterPlacement]] = [:]
    // EVA's components, computed while placing the adapters (the base model alone) and reused to set them.
    var components: [AdapterConfig: [Int: EVAComponents]] = [:]
    let setup = try trainingSetup(
      initialize: { network in try self.initializeAdapters(network, placements, components: components) },
      prepare: { network in
        try self.loadBaseModel(network, fromStage: fromStage)
        (placements, components) = try self.placeAdapters(adapters, on: network)
        do { try network.attachAdapters(placements.values.flatMap { $0 }.sorted { $0.denseIndex < $1.denseIndex }) } catch {
          throw self.context.error(.invalidTask, "adapters: \(error)", cause: error)
        }
      })
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: setup.totalSteps))
    let result = try TrainTask(context: context, setup: setup).run()
    return outputs(
      steps: result.steps, records: result.records, tensors: result.finalTensors, checkpoints: result.checkpoints,
      finalCheckpoint: result.finalCheckpoint)
  }

  /// Copies the `from` stage's final model into `network` (before any adapter is attached).
  func loadBaseModel(_ network: Network, fromStage: String) throws {
    let tensors = try finalModel(ofStage: fromStage)
    for p in network.parameters + network.buffers {
      guard let t = tensors[p.name], t.shape == p.shape else {
        throw context.error(
          .invalidTask,
          "the model of stage '\(fromStage)' has no tensor '\(p.name)' of shape \(p.shape); fine-tune the model it trained")
      }
      for i in 0..<t.values.count { p.value[i] = t.values[i] }
    }
  }

  /// Where each adapter entry goes: its selected dense layers, at its rank, or for EVA at the ranks its
  /// redistribution gives (layers given rank 0 get no adapter). Deterministic in the base model and data, so
  /// a resumed task attaches the same adapters as the run that wrote its checkpoint.
  func placeAdapters(
    _ adapters: [AdapterConfig], on network: Network
  ) throws -> ([AdapterConfig: [AdapterPlacement]], [AdapterConfig: [Int: EVAComponents]]) {
    var result: [AdapterConfig: [AdapterPlacement]] = [:]
    var found: [AdapterConfig: [Int: EVAComponents]] = [:]
    for adapter in adapters {
      let layers = try LayerSelection.indices(adapter.layers, count: network.denseLayers.count)
      let scale = Float((adapter.alpha ?? Double(adapter.rank)) / Double(adapter.rank))
      switch (adapter.form, adapter.initRule) {
      case (.lora, .eva):
        // round(rho · rank) components, never more than a layer has (and never a Double too large for an Int).
        let widest = layers.map { network.denseLayers[$0].inputWidth }.max() ?? 1
        let keep = max(1, Int(min((adapter.rho * Double(adapter.rank)).rounded(), Double(widest))))
        let components = try evaComponents(network, layers: layers, keep: keep)
        found[adapter] = components
        let ranks = EVA.allocate(components, budget: adapter.rank * layers.count)
        result[adapter] = layers.compactMap { d in
          // alpha_l = alpha · r_l / r keeps the scale alpha_l / r_l = alpha / r (PEFT's adjust_scaling_factors).
          // A layer's rank never exceeds min(fan_in, fan_out): more adds nothing.
          let layer = network.denseLayers[d]
          guard let r = ranks[d].map({ min($0, layer.inputWidth, layer.outputWidth) }), r > 0 else { return nil }
          return AdapterPlacement(form: .lora, denseIndex: d, rank: r, scale: scale)
        }
      default:
        result[adapter] = layers.map {
          AdapterPlacement(form: adapter.form, denseIndex: $0, rank: adapter.rank, scale: scale)
        }
      }
    }
    return (result, found)
  }

  /// The principal components of the selected layers' inputs over the fine-tuning data.
  func evaComponents(_ network: Network, layers: [Int], keep: Int) throws -> [Int: EVAComponents] {
    let data = try loadData(try definition.required("data"))
    do {
      return try EVA.components(
        of: network, denseLayers: layers, features: data.features, rows: data.count, keep: keep)
    } catch { throw context.error(.invalidTask, "EVA: \(error)", cause: error) }
  }

  /// Sets the adapters' starting values (a fresh task only; a resumed one restores them).
  /// Streams: `[trial, stage, "init", "layers.<i>.lora_A"]`.
  func initializeAdapters(
    _ network: Network, _ placements: [AdapterConfig: [AdapterPlacement]],
    components evaComponents: [AdapterConfig: [Int: EVAComponents]]
  ) throws {
    for (adapter, list) in placements.sorted(by: { $0.key.order < $1.key.order }) {
      let components = evaComponents[adapter] ?? [:]
      for p in list {
        let layer = network.denseLayers[p.denseIndex]
        do {
          switch adapter.form {
          case .svfit: try AdapterInitialization.svfit(layer)
          case .lora where adapter.initRule == .eva:
            guard let c = components[p.denseIndex] else { throw AdapterError("EVA found no components") }
            try AdapterInitialization.eva(layer, components: c)
          case .lora:
            // The stream is named after the tensor it draws: `layers.<i>.lora_A`.
            let name = layer.adapter?.down.name ?? layer.weight.name
            var stream = RandomStream(seed: seed, path: streamPath + ["init", name])
            try AdapterInitialization.lora(layer, rule: adapter.initRule, stream: &stream)
          }
        } catch { throw context.error(.invalidTask, "adapter on dense layer \(p.denseIndex): \(error)", cause: error) }
      }
    }
  }

  // MARK: merge

  /// Task arithmetic (Ilharco et al. 2023): θ = θ_base + scale · Σᵢ wᵢ (θᵢ − θ_base) over every model tensor,
  /// the models' adapters folded in first. Writes the result as the task's final checkpoint (step 0), which
  /// later stages read like a trained model.
  func merge() throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let baseName = try stage.required("base").string()
    let fromNames = try stage.required("from").array().map { try $0.string() }
    let weights = try stage["weights"]?.array().map { try $0.double() } ?? fromNames.map { _ in 1 }
    guard weights.count == fromNames.count else {
      throw context.error(.invalidTask, "merge: \(weights.count) weights for \(fromNames.count) from stages")
    }
    let scale = try stage.double("scale", default: 1)
    let base = try finalModel(ofStage: baseName)
    var merged: [NamedTensor] = []
    let models = try fromNames.map { try finalModel(ofStage: $0) }
    for name in base.keys.sorted() {
      guard let b = base[name] else { continue }
      var sum = [Double](repeating: 0, count: b.values.count)
      for (model, (fromName, w)) in zip(models, zip(fromNames, weights)) {
        guard let t = model[name], t.shape == b.shape else {
          throw context.error(
            .invalidTask, "merge: the model of '\(fromName)' has no tensor '\(name)' of shape \(b.shape) like '\(baseName)'")
        }
        for i in sum.indices { sum[i] += w * (Double(t.values[i]) - Double(b.values[i])) }
      }
      let values = sum.indices.map { Float(Double(b.values[$0]) + scale * sum[$0]) }
      merged.append(NamedTensor(name: name, shape: b.shape, values: values))
    }
    let name = Checkpoint.fileName(step: 0)
    let checkpoint = Checkpoint(tensors: merged, step: 0, stamp: context.stamp)
    do { try checkpoint.write(to: context.store.checkpointPath(context.hash, step: 0)) } catch {
      throw context.error(.io, "cannot write the merged model: \(error)", cause: error)
    }
    return outputs(steps: 0, records: [], tensors: merged, checkpoints: [name], finalCheckpoint: name)
  }
}
