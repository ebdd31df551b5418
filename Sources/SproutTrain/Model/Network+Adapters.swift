import SproutConfig

/// Where fine-tuning adapters can go, and what the adapter inits read: a network's adaptable matrices.
extension Network {
  /// The `outputs × inputs` of the matrix at `site`, or why no adapter can go there.
  func adaptedShape(_ site: AdapterSiteID) throws -> (Int, Int) {
    guard weightLayers.indices.contains(site.layer) else {
      throw AdapterError("the model has no weight layer \(site.layer) (it has \(weightLayers.count))")
    }
    let w = weightLayers[site.layer]
    switch (Self.adaptable(w.layer), site.projection) {
    case (.dense(let d)?, nil): return (d.outputWidth, d.inputWidth)
    case (.attention(let a)?, _?): return (a.width, a.width)
    case (.attention?, nil): throw AdapterError("an adapter on attention layer \(site.layer) needs a projection")
    case (.dense?, let p?): throw AdapterError("dense layer \(site.layer) has no \(p.rawValue) projection")
    case (nil, _): throw AdapterError("adapters are not implemented on \(w.kind.rawValue) layers (weight layer \(site.layer))")
    }
  }

  /// A layer an adapter can go on: a dense layer (whole samples or each position) or an attention layer.
  enum Adaptable {
    case dense(DenseLayer)
    case attention(AttentionLayer)
  }

  /// `layer` as an adaptable layer (a position-wise dense layer as its inner dense layer), or nil.
  static func adaptable(_ layer: any Layer) -> Adaptable? {
    if let d = layer as? DenseLayer { return .dense(d) }
    if let p = layer as? PositionwiseLayer, let d = p.inner as? DenseLayer { return .dense(d) }
    if let a = layer as? AttentionLayer { return .attention(a) }
    return nil
  }

  /// Every attached adapter with the matrix it corrects, in model order.
  public var adapterSites: [AdapterSite] {
    weightLayers.flatMap { w -> [AdapterSite] in
      switch Self.adaptable(w.layer) {
      case .dense(let d)?:
        guard let adapter = d.adapter else { return [] }
        return [
          AdapterSite(
            id: AdapterSiteID(layer: w.index), adapter: adapter, weight: d.weight, rowOffset: 0,
            lastInput: { d.lastInput.map { ($0, d.lastBatch) } })
        ]
      case .attention(let a)?:
        return a.adapters.map { projection, adapter in
          let (weight, offset) = a.baseMatrix(projection)
          return AdapterSite(
            id: AdapterSiteID(layer: w.index, projection: projection), adapter: adapter, weight: weight,
            rowOffset: offset, lastInput: { a.lastInput(of: projection) })
        }
      case nil: return []
      }
    }
  }

  /// The input the matrix at `site` read in the last forward, `rows × inputs` (for EVA, before adapters exist).
  public func lastInput(of site: AdapterSiteID) -> (pointer: UnsafePointer<Float>, rows: Int)? {
    guard weightLayers.indices.contains(site.layer) else { return nil }
    switch Self.adaptable(weightLayers[site.layer].layer) {
    case .dense(let d)?: return d.lastInput.map { ($0, d.lastBatch) }
    case .attention(let a)?: return site.projection.flatMap { a.lastInput(of: $0) }
    case nil: return nil
    }
  }

  /// `outputs × inputs` of the matrix at `site`, or nil when no adapter can go there.
  public func adaptedMatrixShape(_ site: AdapterSiteID) -> (outputs: Int, inputs: Int)? {
    guard let (o, i) = try? adaptedShape(site) else { return nil }
    return (o, i)
  }
}

/// Where `Network.attachAdapters` puts one adapter.
public struct AdapterPlacement: Sendable, Hashable {
  /// LoRA or SVFit.
  public var form: DenseAdapter.Form
  /// The weight layer (0 = the model's first; in a dense-only model, its dense layers).
  public var denseIndex: Int
  /// The attention projection, for an adapter on an attention layer.
  public var projection: AttentionProjection?
  /// r.
  public var rank: Int
  /// LoRA's α/r (ignored by SVFit).
  public var scale: Float

  /// Creates a placement.
  public init(
    form: DenseAdapter.Form, denseIndex: Int, projection: AttentionProjection? = nil, rank: Int, scale: Float = 1
  ) {
    self.form = form
    self.denseIndex = denseIndex
    self.projection = projection
    self.rank = rank
    self.scale = scale
  }

  /// The matrix it goes on.
  public var site: AdapterSiteID { AdapterSiteID(layer: denseIndex, projection: projection) }
}
