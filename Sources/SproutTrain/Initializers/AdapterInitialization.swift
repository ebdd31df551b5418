import SproutConfig
import SproutTensor

/// Setting adapters' starting values on a network whose base weights are loaded. Each acts on one `AdapterSite`: a
/// dense layer's weight or one projection of an attention layer (PiSSA's and SVFit's residual goes back into that
/// projection's rows of `in_proj_weight`, or into `out_proj.weight`).
public enum AdapterInitialization {
  /// LoRA A and B by `rule` (`eva` is set by `eva(_:components:)`): gaussian is PEFT's default, A ~
  /// kaiming_uniform(a = √5), i.e. U(−1/√in, 1/√in), B = 0; zeros sets both to 0 (a control: no gradient reaches
  /// either); PiSSA takes the principal singular vectors, A = diag(√(S_r/s)) V_rᵀ, B = U_r diag(√(S_r/s)), and
  /// rewrites the base matrix to the residual W − s·B·A (Meng et al. 2024). `stream` draws the gaussian A.
  public static func lora(_ site: AdapterSite, rule: AdapterInit, stream: inout RandomStream) throws {
    let adapter = site.adapter
    guard adapter.form == .lora, let scale = adapter.scale?.value[0] else {
      throw AdapterError("\(site.id) has no LoRA adapter")
    }
    let (r, inputs, outputs) = (adapter.rank, site.inputs, site.outputs)
    switch rule {
    case .svfit: throw AdapterError("svfit is not a LoRA start")
    case .zeros, .eva: zeroLoRA(adapter)
    case .gaussian: gaussianLoRA(adapter, inputs: inputs, stream: &stream)
    case .pissa:
      guard r <= min(inputs, outputs) else {
        throw AdapterError("PiSSA rank \(r) exceeds min(out, in) = \(min(inputs, outputs)) of \(site.id)")
      }
      pissa(site, scale: scale)
    }
  }

  // The work after the checks lives in functions that cannot throw, kept out of line. Written inline, Swift 6.3.1's
  // release build (-O) reused the error register (r12) as a loop index in these throwing functions and then left
  // through a tail call (to memset, for `fill`) without restoring it, so a caller saw a garbage error after a call
  // that had not thrown: examples/adapters.yaml crashed in swift_getErrorValue at its EVA and SVFit tasks (the
  // debug build, which the tests use, ran). A non-throwing callee keeps r12 as any callee-saved register.

  @inline(never)
  private static func zeroLoRA(_ adapter: DenseAdapter) {
    fill(adapter.down, 0)
    fill(adapter.up, 0)
  }

  @inline(never)
  private static func gaussianLoRA(_ adapter: DenseAdapter, inputs: Int, stream: inout RandomStream) {
    let bound = Float(1 / Double(inputs).squareRoot())
    stream.fillUniform(adapter.down.value.mutablePointer, count: adapter.rank * inputs, low: -bound, high: bound)
    fill(adapter.up, 0)
  }

  @inline(never)
  private static func pissa(_ site: AdapterSite, scale: Float) {
    let adapter = site.adapter
    let (r, inputs, outputs) = (adapter.rank, site.inputs, site.outputs)
    let svd = site.baseMatrix.svd()
    setFromTriplets(adapter, svd, inputs: inputs, outputs: outputs) { k in (svd.s[k] / Double(scale)).squareRoot() }
    site.subtractFromBase(adapter.delta)
  }

  /// The top-r singular triplets into the adapter: row k of `down` is `weight(k)·Vt[k]`, column k of `up` is
  /// `U[:, k]·weight(k)` (PiSSA's √(σₖ/s); 1 for SVFit, whose σ is its own tensor).
  private static func setFromTriplets(
    _ adapter: DenseAdapter, _ svd: SingularValueDecomposition, inputs: Int, outputs: Int, weight: (Int) -> Double
  ) {
    let r = adapter.rank
    for k in 0..<r {
      let w = weight(k)
      for j in 0..<inputs { adapter.down.value[k * inputs + j] = Float(w * svd.vt[k, j]) }
      for i in 0..<outputs { adapter.up.value[i * r + k] = Float(svd.u[i, k] * w) }
    }
  }

  /// SVFit: the top-r singular triplets of the base matrix become U, σ and Vt, and the base keeps W − U diag(σ) Vt.
  public static func svfit(_ site: AdapterSite) throws {
    let adapter = site.adapter
    guard adapter.form == .svfit, let sigma = adapter.sigma else {
      throw AdapterError("\(site.id) has no SVFit adapter")
    }
    svfit(site, sigma: sigma)
  }

  @inline(never)
  private static func svfit(_ site: AdapterSite, sigma: Parameter) {
    let adapter = site.adapter
    let (r, inputs, outputs) = (adapter.rank, site.inputs, site.outputs)
    let svd = site.baseMatrix.svd()
    for k in 0..<r { sigma.value[k] = Float(svd.s[k]) }
    setFromTriplets(adapter, svd, inputs: inputs, outputs: outputs) { _ in 1 }
    site.subtractFromBase(adapter.delta)
  }

  /// EVA's A: the top principal directions (rows) of the matrix's inputs, B = 0.
  public static func eva(_ site: AdapterSite, components: EVAComponents) throws {
    let adapter = site.adapter
    guard adapter.form == .lora else { throw AdapterError("\(site.id) has no LoRA adapter") }
    let (r, inputs) = (adapter.rank, site.inputs)
    guard components.directions.rows >= r, components.directions.cols == inputs else {
      throw AdapterError("EVA has \(components.directions.rows) directions for rank \(r) on \(site.id)")
    }
    eva(adapter, inputs: inputs, directions: components.directions)
  }

  @inline(never)
  private static func eva(_ adapter: DenseAdapter, inputs: Int, directions: DenseMatrix) {
    for k in 0..<adapter.rank { for j in 0..<inputs { adapter.down.value[k * inputs + j] = Float(directions[k, j]) } }
    fill(adapter.up, 0)
  }

  private static func fill(_ p: Parameter, _ v: Float) {
    for i in 0..<p.value.count { p.value[i] = v }
  }
}

/// The principal directions of one layer's inputs (EVA): rows of `directions` are unit vectors, ordered by
/// `ratios`, the fraction of the input variance each explains.
public struct EVAComponents: Sendable {
  /// `k × in`.
  public var directions: DenseMatrix
  /// Explained-variance ratio of each direction, descending.
  public var ratios: [Double]
}

/// EVA's data pass and rank allocation (Paischer et al. 2024; PEFT `src/peft/tuners/lora/eva.py`).
public enum EVA {
  /// Principal components of the inputs of the given matrices (a dense layer's weight, an attention projection) over
  /// `rows` samples of `features`, keeping `keep` components per matrix. Every row a matrix reads is an observation
  /// (each position of a sequence: PEFT's tokens × in_features). The inputs are centred (PCA); the components are the
  /// eigenvectors of the inputs' covariance (each batch's XᵀX on the backend, summed over batches and decomposed in
  /// Float64). Matrices reading the same input (an attention layer's query, key and value) share one decomposition,
  /// as in PEFT.
  public static func components(
    of network: Network, sites: [AdapterSiteID], features: [Float], rows: Int, keep: Int
  ) throws -> [AdapterSiteID: EVAComponents] {
    // One accumulator per distinct input: an attention layer's query, key and value read the layer's input.
    func source(_ s: AdapterSiteID) -> AdapterSiteID {
      s.projection == nil || s.projection == .output ? s : AdapterSiteID(layer: s.layer, projection: .query)
    }
    var widths: [AdapterSiteID: Int] = [:]
    for s in sites {
      guard let shape = network.adaptedMatrixShape(s) else { throw AdapterError("no adapter can go on \(s)") }
      widths[source(s)] = shape.inputs
    }
    let sources = widths.keys.sorted()
    let batch = network.maxBatch
    var sums: [AdapterSiteID: [Double]] = [:]
    var products: [AdapterSiteID: [Double]] = [:]
    for s in sources {
      let n = widths[s]!
      sums[s] = [Double](repeating: 0, count: n)
      products[s] = [Double](repeating: 0, count: n * n)
    }
    var observations: [AdapterSiteID: Int] = [:]
    // Per batch: column sums, and XᵀX as one matrix product on the backend, added into Float64 accumulators.
    let maxWidth = widths.values.max() ?? 0
    let gram = Tensor(zeros: [max(maxWidth * maxWidth, 1)])
    var start = 0
    while start < rows {
      let count = min(batch, rows - start)
      features.withUnsafeBufferPointer { buffer in
        _ = network.forward(buffer.baseAddress! + start * network.inputWidth, batch: count, training: false)
      }
      for s in sources {
        guard let (x, m) = network.lastInput(of: s) else { continue }
        let n = widths[s]!
        observations[s, default: 0] += m
        network.backend.gemm(
          transA: true, transB: false, m: n, n: n, k: m, alpha: 1, a: x, lda: n, b: x, ldb: n, beta: 0,
          c: gram.mutablePointer, ldc: n)
        sums[s]!.withUnsafeMutableBufferPointer { sum in
          for row in 0..<m { for i in 0..<n { sum[i] += Double(x[row * n + i]) } }
        }
        products[s]!.withUnsafeMutableBufferPointer { p in
          for k in 0..<(n * n) { p[k] += Double(gram[k]) }
        }
      }
      start += count
    }
    var bySource: [AdapterSiteID: EVAComponents] = [:]
    for s in sources {
      let n = widths[s]!
      let total = Double(max(observations[s] ?? 0, 1))
      let mean = sums[s]!.map { $0 / total }
      var covariance = DenseMatrix(zeros: n, n)
      for i in 0..<n {
        for j in i..<n {
          let c = (products[s]![i * n + j] + products[s]![j * n + i]) / (2 * total) - mean[i] * mean[j]
          covariance[i, j] = c
          covariance[j, i] = c
        }
      }
      let eigen = covariance.symmetricEigen()
      let variance = eigen.values.reduce(0) { $0 + max($1, 0) }
      let k = min(keep, n)
      var directions = DenseMatrix(zeros: k, n)
      for c in 0..<k { for j in 0..<n { directions[c, j] = eigen.vectors[j, c] } }
      let ratios = (0..<k).map { variance > 0 ? max(eigen.values[$0], 0) / variance : 0 }
      bySource[s] = EVAComponents(directions: directions, ratios: ratios)
    }
    return Dictionary(uniqueKeysWithValues: sites.map { ($0, bySource[source($0)]!) })
  }

  /// EVA's rank redistribution: the `budget` largest explained-variance ratios over all layers' components
  /// win; a layer's rank is how many of its components won (possibly 0). Ties go to the earlier layer, then
  /// the earlier component, so the allocation is deterministic.
  public static func allocate<Site: Hashable & Comparable>(
    _ components: [Site: EVAComponents], budget: Int
  ) -> [Site: Int] {
    var pool: [(ratio: Double, layer: Site, index: Int)] = []
    for (layer, c) in components { for (i, r) in c.ratios.enumerated() { pool.append((r, layer, i)) } }
    pool.sort { a, b in
      if a.ratio != b.ratio { return a.ratio > b.ratio }
      if a.layer != b.layer { return a.layer < b.layer }
      return a.index < b.index
    }
    var ranks: [Site: Int] = [:]
    for layer in components.keys { ranks[layer] = 0 }
    for entry in pool.prefix(budget) { ranks[entry.layer, default: 0] += 1 }
    return ranks
  }
}
