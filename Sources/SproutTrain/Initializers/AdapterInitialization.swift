import SproutConfig
import SproutTensor

/// Setting adapters' starting values on a network whose base weights are loaded.
public enum AdapterInitialization {
  /// LoRA A and B by `rule` (`eva` is set by `eva(_:components:)`): gaussian is PEFT's default, A ~
  /// kaiming_uniform(a = √5), i.e. U(−1/√in, 1/√in), B = 0; zeros sets both to 0 (a control: no gradient reaches
  /// either); PiSSA takes the principal singular vectors, A = diag(√(S_r/s)) V_rᵀ, B = U_r diag(√(S_r/s)), and
  /// rewrites the layer's weight to the residual W − s·B·A (Meng et al. 2024). `stream` draws the gaussian A.
  public static func lora(_ layer: DenseLayer, rule: AdapterInit, stream: inout RandomStream) throws {
    guard let adapter = layer.adapter, adapter.form == .lora, let scale = adapter.scale?.value[0] else {
      throw AdapterError("dense layer \(layer.denseIndex) has no LoRA adapter")
    }
    let (r, inputs, outputs) = (adapter.rank, layer.inputWidth, layer.outputWidth)
    switch rule {
    case .svfit: throw AdapterError("svfit is not a LoRA start")
    case .zeros, .eva:
      fill(adapter.down, 0)
      fill(adapter.up, 0)
    case .gaussian:
      let bound = Float(1 / Double(inputs).squareRoot())
      stream.fillUniform(adapter.down.value.mutablePointer, count: r * inputs, low: -bound, high: bound)
      fill(adapter.up, 0)
    case .pissa:
      guard r <= min(inputs, outputs) else {
        throw AdapterError("PiSSA rank \(r) exceeds min(out, in) = \(min(inputs, outputs)) of dense layer \(layer.denseIndex)")
      }
      let w = DenseMatrix(rows: outputs, cols: inputs, floats: layer.weight.value.array)
      let svd = w.svd()
      for k in 0..<r {
        let root = (svd.s[k] / Double(scale)).squareRoot()
        for j in 0..<inputs { adapter.down.value[k * inputs + j] = Float(root * svd.vt[k, j]) }
        for i in 0..<outputs { adapter.up.value[i * r + k] = Float(svd.u[i, k] * root) }
      }
      subtract(adapter.delta, from: layer.weight)
    }
  }

  /// SVFit: the top-r singular triplets of the weight become U, σ and Vt, and the weight keeps W − U diag(σ) Vt.
  public static func svfit(_ layer: DenseLayer) throws {
    guard let adapter = layer.adapter, adapter.form == .svfit, let sigma = adapter.sigma else {
      throw AdapterError("dense layer \(layer.denseIndex) has no SVFit adapter")
    }
    let (r, inputs, outputs) = (adapter.rank, layer.inputWidth, layer.outputWidth)
    let svd = DenseMatrix(rows: outputs, cols: inputs, floats: layer.weight.value.array).svd()
    for k in 0..<r {
      sigma.value[k] = Float(svd.s[k])
      for j in 0..<inputs { adapter.down.value[k * inputs + j] = Float(svd.vt[k, j]) }
      for i in 0..<outputs { adapter.up.value[i * r + k] = Float(svd.u[i, k]) }
    }
    subtract(adapter.delta, from: layer.weight)
  }

  /// EVA's A: the layer's top principal directions (rows), B = 0.
  public static func eva(_ layer: DenseLayer, components: EVAComponents) throws {
    guard let adapter = layer.adapter, adapter.form == .lora else {
      throw AdapterError("dense layer \(layer.denseIndex) has no LoRA adapter")
    }
    let (r, inputs) = (adapter.rank, layer.inputWidth)
    guard components.directions.rows >= r, components.directions.cols == inputs else {
      throw AdapterError("EVA has \(components.directions.rows) directions for rank \(r) on dense layer \(layer.denseIndex)")
    }
    for k in 0..<r { for j in 0..<inputs { adapter.down.value[k * inputs + j] = Float(components.directions[k, j]) } }
    fill(adapter.up, 0)
  }

  private static func fill(_ p: Parameter, _ v: Float) {
    for i in 0..<p.value.count { p.value[i] = v }
  }

  /// `weight -= delta` in Float64.
  private static func subtract(_ delta: DenseMatrix, from weight: Parameter) {
    for i in 0..<weight.value.count { weight.value[i] = Float(Double(weight.value[i]) - delta.values[i]) }
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
  /// Principal components of the inputs of the given dense layers over `rows` rows of `features`, keeping
  /// `keep` components per layer. The inputs are centred (PCA); the components are the eigenvectors of the
  /// inputs' covariance (each batch's XᵀX on the backend, summed over batches and decomposed in Float64).
  public static func components(
    of network: Network, denseLayers: [Int], features: [Float], rows: Int, keep: Int
  ) throws -> [Int: EVAComponents] {
    let batch = network.maxBatch
    var sums: [Int: [Double]] = [:]
    var products: [Int: [Double]] = [:]
    for d in denseLayers {
      let n = network.denseLayers[d].inputWidth
      sums[d] = [Double](repeating: 0, count: n)
      products[d] = [Double](repeating: 0, count: n * n)
    }
    // Per batch: column sums, and XᵀX as one matrix product on the backend, added into Float64 accumulators.
    let maxWidth = denseLayers.map { network.denseLayers[$0].inputWidth }.max() ?? 0
    let gram = Tensor(zeros: [max(maxWidth * maxWidth, 1)])
    var start = 0
    while start < rows {
      let count = min(batch, rows - start)
      features.withUnsafeBufferPointer { buffer in
        _ = network.forward(buffer.baseAddress! + start * network.inputWidth, batch: count, training: false)
      }
      for d in denseLayers {
        let layer = network.denseLayers[d]
        guard let x = layer.lastInput else { continue }
        let n = layer.inputWidth
        network.backend.gemm(
          transA: true, transB: false, m: n, n: n, k: count, alpha: 1, a: x, lda: n, b: x, ldb: n, beta: 0,
          c: gram.mutablePointer, ldc: n)
        sums[d]!.withUnsafeMutableBufferPointer { s in
          for row in 0..<count { for i in 0..<n { s[i] += Double(x[row * n + i]) } }
        }
        products[d]!.withUnsafeMutableBufferPointer { p in
          for k in 0..<(n * n) { p[k] += Double(gram[k]) }
        }
      }
      start += count
    }
    var result: [Int: EVAComponents] = [:]
    for d in denseLayers {
      let n = network.denseLayers[d].inputWidth
      let mean = sums[d]!.map { $0 / Double(max(rows, 1)) }
      var covariance = DenseMatrix(zeros: n, n)
      for i in 0..<n {
        for j in i..<n {
          let c = (products[d]![i * n + j] + products[d]![j * n + i]) / (2 * Double(max(rows, 1))) - mean[i] * mean[j]
          covariance[i, j] = c
          covariance[j, i] = c
        }
      }
      let eigen = covariance.symmetricEigen()
      let total = eigen.values.reduce(0) { $0 + max($1, 0) }
      let k = min(keep, n)
      var directions = DenseMatrix(zeros: k, n)
      for c in 0..<k { for j in 0..<n { directions[c, j] = eigen.vectors[j, c] } }
      let ratios = (0..<k).map { total > 0 ? max(eigen.values[$0], 0) / total : 0 }
      result[d] = EVAComponents(directions: directions, ratios: ratios)
    }
    return result
  }

  /// EVA's rank redistribution: the `budget` largest explained-variance ratios over all layers' components
  /// win; a layer's rank is how many of its components won (possibly 0). Ties go to the earlier layer, then
  /// the earlier component, so the allocation is deterministic.
  public static func allocate(_ components: [Int: EVAComponents], budget: Int) -> [Int: Int] {
    var pool: [(ratio: Double, layer: Int, index: Int)] = []
    for (layer, c) in components { for (i, r) in c.ratios.enumerated() { pool.append((r, layer, i)) } }
    pool.sort { a, b in
      if a.ratio != b.ratio { return a.ratio > b.ratio }
      if a.layer != b.layer { return a.layer < b.layer }
      return a.index < b.index
    }
    var ranks: [Int: Int] = [:]
    for layer in components.keys { ranks[layer] = 0 }
    for entry in pool.prefix(budget) { ranks[entry.layer, default: 0] += 1 }
    return ranks
  }
}
