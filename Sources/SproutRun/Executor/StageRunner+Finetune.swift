import Foundation
import SproutConfig
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
  func finetune(from: UpstreamModel, adapters: [AdapterConfig], training: TrainingConfig) throws -> TaskOutputs {
    var placements: [Int: [AdapterPlacement]] = [:]
    // EVA's components, computed while placing the adapters (the base model alone) and reused to set them.
    var components: [Int: [Int: EVAComponents]] = [:]
    let setup = try trainingSetup(
      model: from.model, training: training,
      initialize: { network in try self.initializeAdapters(network, adapters, placements, components: components) },
      prepare: { network in
        try self.loadBaseModel(network, fromStage: from.stage)
        (placements, components) = try self.placeAdapters(adapters, on: network)
        do { try network.attachAdapters(placements.values.flatMap { $0 }.sorted { $0.denseIndex < $1.denseIndex }) } catch {
          throw self.context.error(.invalidTask, "adapters: \(error)", cause: error)
        }
      })
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: setup.totalSteps))
    let result = try TrainTask(context: context, setup: setup).run()
    return try outputs(
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

  /// Where each adapter entry goes (by its position in the list): its selected dense layers, at its rank, or for
  /// EVA at the ranks its redistribution gives (layers given rank 0 get no adapter). Deterministic in the base model
  /// and data, so a resumed task attaches the same adapters as the run that wrote its checkpoint.
  func placeAdapters(
    _ adapters: [AdapterConfig], on network: Network
  ) throws -> ([Int: [AdapterPlacement]], [Int: [Int: EVAComponents]]) {
    var result: [Int: [AdapterPlacement]] = [:]
    var found: [Int: [Int: EVAComponents]] = [:]
    for (order, adapter) in adapters.enumerated() {
      let layers: [Int]
      switch adapter.layers.resolve(count: network.denseLayers.count) {
      case .success(let l): layers = l
      case .failure(let e): throw context.error(.invalidTask, "adapter \(order): \(e)")
      }
      let scale = Float(adapter.alpha / Double(adapter.rank))
      let form: DenseAdapter.Form = adapter.form == .lora ? .lora : .svfit
      if case .eva(let data, let rho) = adapter.initialization {
        // round(rho · rank) components, never more than a layer has (and never a Double too large for an Int).
        let widest = layers.map { network.denseLayers[$0].inputWidth }.max() ?? 1
        let keep = max(1, Int(min((rho * Double(adapter.rank)).rounded(), Double(widest))))
        let components = try evaComponents(network, layers: layers, keep: keep, data: data)
        found[order] = components
        let ranks = EVA.allocate(components, budget: adapter.rank * layers.count)
        result[order] = layers.compactMap { d in
          // alpha_l = alpha · r_l / r keeps the scale alpha_l / r_l = alpha / r (PEFT's adjust_scaling_factors).
          // A layer's rank never exceeds min(fan_in, fan_out): more adds nothing.
          let layer = network.denseLayers[d]
          guard let r = ranks[d].map({ min($0, layer.inputWidth, layer.outputWidth) }), r > 0 else { return nil }
          return AdapterPlacement(form: .lora, denseIndex: d, rank: r, scale: scale)
        }
      } else {
        result[order] = layers.map { AdapterPlacement(form: form, denseIndex: $0, rank: adapter.rank, scale: scale) }
      }
    }
    return (result, found)
  }

  /// The principal components of the selected layers' inputs over the fine-tuning data.
  func evaComponents(
    _ network: Network, layers: [Int], keep: Int, data selection: DataSelection
  ) throws -> [Int: EVAComponents] {
    let data = try loadData(selection)
    do {
      return try EVA.components(
        of: network, denseLayers: layers, features: data.features, rows: data.count, keep: keep)
    } catch { throw context.error(.invalidTask, "EVA: \(error)", cause: error) }
  }

  /// Sets the adapters' starting values (a fresh task only; a resumed one restores them).
  /// Streams: `[trial, stage, "init", "layers.<i>.lora_A"]`.
  func initializeAdapters(
    _ network: Network, _ adapters: [AdapterConfig], _ placements: [Int: [AdapterPlacement]],
    components evaComponents: [Int: [Int: EVAComponents]]
  ) throws {
    for (order, adapter) in adapters.enumerated() {
      let components = evaComponents[order] ?? [:]
      for p in placements[order] ?? [] {
        let layer = network.denseLayers[p.denseIndex]
        do {
          switch adapter.initialization {
          case .svfit: try AdapterInitialization.svfit(layer)
          case .eva:
            guard let c = components[p.denseIndex] else { throw AdapterError("EVA found no components") }
            try AdapterInitialization.eva(layer, components: c)
          case .gaussian, .zeros, .pissa:
            // The stream is named after the tensor it draws: `layers.<i>.lora_A`.
            let name = layer.adapter?.down.name ?? layer.weight.name
            var stream = RandomStream(seed: seed, path: streamPath + ["init", name])
            try AdapterInitialization.lora(layer, rule: adapter.initialization, stream: &stream)
          }
        } catch { throw context.error(.invalidTask, "adapter on dense layer \(p.denseIndex): \(error)", cause: error) }
      }
    }
  }

  // MARK: merge

  /// Task arithmetic (Ilharco et al. 2023): θ = θ_base + scale · Σᵢ wᵢ (θᵢ − θ_base) over every model tensor,
  /// the models' adapters folded in first. Writes the result as the task's final checkpoint (step 0), which
  /// later stages read like a trained model.
  func merge(base: UpstreamModel, from fromNames: [String], weights: [Double], scale: Double) throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    let baseName = base.stage
    let baseModel = try finalModel(ofStage: baseName)
    var merged: [NamedTensor] = []
    let models = try fromNames.map { try finalModel(ofStage: $0) }
    for name in baseModel.keys.sorted() {
      guard let b = baseModel[name] else { continue }
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
    do { try checkpoint.write(to: context.store.checkpointPath(context.hash, step: 0), durability: .deferred) } catch {
      throw context.error(.io, "cannot write the merged model: \(error)", cause: error)
    }
    return try outputs(steps: 0, records: [], tensors: merged, checkpoints: [name], finalCheckpoint: name)
  }
}
