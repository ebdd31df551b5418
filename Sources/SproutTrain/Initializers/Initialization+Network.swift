import SproutConfig

extension Initialization {
  /// Initializes a planned `Network`: its parameters by `plan`, each Fourier-feature projection from N(0, σ²) with
  /// its layer's σ, and — for LSUV — the pre-activation output of every dense layer measured by forwarding
  /// `batch` (row-major `rows × network.inputWidth`, ideally unit variance; at most `network.maxBatch` rows) in
  /// evaluation mode. Entries already in `context` take precedence.
  @discardableResult
  public static func apply(
    _ plan: InitConfig, to network: Network, seed: UInt64, path: [String], context: InitContext = InitContext(),
    batch: (features: [Float], rows: Int)? = nil
  ) throws -> InitReport {
    var context = context
    if context.weightKinds == nil {
      context.weightKinds = network.weightLayers.map(\.kind)
      context.weightLayersInBlocks = Set(network.weightLayers.filter(\.inBlock).map(\.index))
    }
    for case let layer as FourierFeaturesLayer in allLayers(network.layers)
    where context.projectionStd[layer.projection.name] == nil {
      context.projectionStd[layer.projection.name] = Double(layer.sigma)
    }
    if context.forwardToLayer == nil, let batch {
      guard batch.rows >= 1, batch.rows <= network.maxBatch, batch.features.count == batch.rows * network.inputWidth
      else {
        throw InitError(
          code: "init.bad-batch",
          message: "the LSUV batch has \(batch.features.count) values for \(batch.rows) rows of "
            + "\(network.inputWidth) features (at most \(network.maxBatch) rows)")
      }
      // LSUV indexes weight layers (dense and convolutional, in model order), as Parameter.denseIndex does.
      let weightLayers = network.weightLayers
      context.forwardToLayer = { index in
        batch.features.withUnsafeBufferPointer { x in
          if let base = x.baseAddress { _ = network.forward(base, batch: batch.rows, training: false) }
        }
        let layer = weightLayers[index].layer
        return Array(UnsafeBufferPointer(start: layer.output, count: batch.rows * layer.outputWidth))
      }
    }
    return try apply(plan, to: network.parameters, seed: seed, path: path, context: context)
  }

  /// Every layer, residual blocks' inner layers included.
  static func allLayers(_ layers: [any Layer]) -> [any Layer] {
    layers.flatMap { layer -> [any Layer] in
      if let r = layer as? ResidualLayer { return [r] + allLayers(r.layers) }
      return [layer]
    }
  }
}
