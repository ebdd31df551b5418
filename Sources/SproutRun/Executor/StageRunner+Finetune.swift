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
    var components: [Int: [AdapterSiteID: EVAComponents]] = [:]
    let setup = try trainingSetup(
      model: from.model, training: training,
      initialize: { network in try self.initializeAdapters(network, adapters, placements, components: components) },
      prepare: { network in
        try self.loadBaseModel(network, fromStage: from.stage)
        (placements, components) = try self.placeAdapters(adapters, on: network)
        do { try network.attachAdapters(placements.values.flatMap { $0 }.sorted { $0.site < $1.site }) } catch {
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

  /// The matrices an adapter entry selects: each selected dense layer's weight, and the entry's projections of each
  /// selected attention layer, in model order.
  func adapterSites(_ adapter: AdapterConfig, on network: Network) throws -> [AdapterSiteID] {
    let tags = network.weightLayers.map { WeightLayerTag($0.kind, inBlock: $0.inBlock) }
    let layers: [Int]
    switch adapter.layers.resolve(tags: tags) {
    case .success(let l): layers = l
    case .failure(let e): throw context.error(.invalidTask, "adapter: \(e)")
    }
    return try layers.flatMap { i -> [AdapterSiteID] in
      switch network.weightLayers[i].kind {
      case .dense: return [AdapterSiteID(layer: i)]
      case .attention: return adapter.projections.sorted().map { AdapterSiteID(layer: i, projection: $0) }
      default:
        throw context.error(
          .invalidTask, "adapters are not implemented on \(network.weightLayers[i].kind.rawValue) layers")
      }
    }
  }

  /// Where each adapter entry goes (by its position in the list): its selected matrices, at its rank, or for EVA at
  /// the ranks its redistribution gives (matrices given rank 0 get no adapter). Deterministic in the base model and
  /// data, so a resumed task attaches the same adapters as the run that wrote its checkpoint.
  func placeAdapters(
    _ adapters: [AdapterConfig], on network: Network
  ) throws -> ([Int: [AdapterPlacement]], [Int: [AdapterSiteID: EVAComponents]]) {
    var result: [Int: [AdapterPlacement]] = [:]
    var found: [Int: [AdapterSiteID: EVAComponents]] = [:]
    for (order, adapter) in adapters.enumerated() {
      let sites = try adapterSites(adapter, on: network)
      let scale = Float(adapter.alpha / Double(adapter.rank))
      let form: DenseAdapter.Form = adapter.form == .lora ? .lora : .svfit
      func placement(_ site: AdapterSiteID, rank: Int) -> AdapterPlacement {
        AdapterPlacement(form: form, denseIndex: site.layer, projection: site.projection, rank: rank, scale: scale)
      }
      if case .eva(let data, let rho) = adapter.initialization {
        // round(rho · rank) components, never more than a matrix has inputs (and never a Double too large for an Int).
        let widest = sites.compactMap { network.adaptedMatrixShape($0)?.inputs }.max() ?? 1
        let keep = max(1, Int(min((rho * Double(adapter.rank)).rounded(), Double(widest))))
        let components = try evaComponents(network, sites: sites, keep: keep, data: data)
        found[order] = components
        let ranks = EVA.allocate(components, budget: adapter.rank * sites.count)
        result[order] = sites.compactMap { site in
          // alpha_l = alpha · r_l / r keeps the scale alpha_l / r_l = alpha / r (PEFT's adjust_scaling_factors).
          // A matrix's rank never exceeds min(fan_in, fan_out): more adds nothing.
          guard let shape = network.adaptedMatrixShape(site),
            let r = ranks[site].map({ min($0, shape.inputs, shape.outputs) }), r > 0
          else { return nil }
          return placement(site, rank: r)
        }
      } else {
        result[order] = sites.map { placement($0, rank: adapter.rank) }
      }
    }
    return (result, found)
  }

  /// The principal components of the selected matrices' inputs over the fine-tuning data.
  func evaComponents(
    _ network: Network, sites: [AdapterSiteID], keep: Int, data selection: DataSelection
  ) throws -> [AdapterSiteID: EVAComponents] {
    let data = try loadData(selection)
    do {
      return try EVA.components(of: network, sites: sites, features: data.features, rows: data.count, keep: keep)
    } catch { throw context.error(.invalidTask, "EVA: \(error)", cause: error) }
  }

  /// Sets the adapters' starting values (a fresh task only; a resumed one restores them).
  /// Streams: `[stage, "init", "<matrix>.lora_A"]` (`layers.2.lora_A`, `layers.1.query.lora_A`).
  func initializeAdapters(
    _ network: Network, _ adapters: [AdapterConfig], _ placements: [Int: [AdapterPlacement]],
    components evaComponents: [Int: [AdapterSiteID: EVAComponents]]
  ) throws {
    let sites = Dictionary(uniqueKeysWithValues: network.adapterSites.map { ($0.id, $0) })
    for (order, adapter) in adapters.enumerated() {
      let components = evaComponents[order] ?? [:]
      for p in placements[order] ?? [] {
        do {
          guard let site = sites[p.site] else { throw AdapterError("no adapter is attached to \(p.site)") }
          switch adapter.initialization {
          case .svfit: try AdapterInitialization.svfit(site)
          case .eva:
            guard let c = components[p.site] else { throw AdapterError("EVA found no components") }
            try AdapterInitialization.eva(site, components: c)
          case .gaussian, .zeros, .pissa:
            // The stream is named after the tensor it draws: `layers.<i>.lora_A`.
            var stream = RandomStream(seed: seed, path: streamPath + ["init", site.adapter.down.name])
            try AdapterInitialization.lora(site, rule: adapter.initialization, stream: &stream)
          }
        } catch { throw context.error(.invalidTask, "adapter on \(p.site): \(error)", cause: error) }
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
