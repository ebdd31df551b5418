import Foundation
import SproutConfig
import SproutTensor

/// Multi-head scaled dot-product self-attention over a sequence `[L, E]`, PyTorch's
/// `nn.MultiheadAttention(E, heads)` called with q = k = v = x (d = E/heads per head):
///
///     [Q K V] = x W_inᵀ + b_in                      W_in [3E, E] (in_proj_weight), b_in [3E]
///     P_h = softmax(Q_h K_hᵀ / √d)  (row-wise; with `causal`, entries j > i are −∞ before the softmax)
///     C_h = P_h V_h,  y = [C_1 … C_H] W_outᵀ + b_out    W_out [E, E] (out_proj.weight), b_out [E]
///
/// Backward per sample and head, with G = dC_h:  dV = Pᵀ G,  dP = G Vᵀ,  dS = P ⊙ (dP − rowsum(P ⊙ dP)) / √d,
/// dQ = dS K,  dK = dSᵀ Q; then the two projections as dense layers. Every product is the backend's gemm.
/// The attention weights `P` of the last forward stay in `weights` (`[batch, heads, L, L]`) for metrics.
///
/// Fine-tuning adapters (`attach`) act on single projections: a query, key or value adapter adds `s·(x Aᵀ) Bᵀ` to
/// its third of `[Q K V]` and an output adapter to `y`, each with its own gradients, as LoRA on a model with separate
/// `q_proj`/`v_proj` layers (Hu et al., ICLR 2022).
public final class AttentionLayer: Layer {
  /// Positions per sample.
  public let length: Int
  /// Features per position, E.
  public let width: Int
  /// Heads.
  public let heads: Int
  /// Whether position i attends only to positions j ≤ i.
  public let causal: Bool
  /// `[3E, E]`: the query, key and value projections stacked (PyTorch's `in_proj_weight`).
  public let inWeight: Parameter
  /// `[3E]`.
  public let inBias: Parameter
  /// `[E, E]`.
  public let outWeight: Parameter
  /// `[E]`.
  public let outBias: Parameter
  let backend: any Backend
  let out: Tensor
  private let qkv: Tensor  // maxBatch·L × 3E
  private let probabilities: Tensor  // maxBatch × H × L × L
  private let context: Tensor  // maxBatch·L × E
  private let dqkv: Tensor
  private let dcontext: Tensor
  private let dscores: Tensor  // L × L
  private var input: UnsafePointer<Float>?
  private var lastBatch = 0
  /// Its index among the model's weight layers.
  let weightLayerIndex: Int
  /// Fine-tuning adapters on single projections, in projection order.
  public private(set) var adapters: [(projection: AttentionProjection, adapter: DenseAdapter)] = []
  let path: String
  let topIndex: Int
  let maxBatch: Int

  init(
    length: Int, width: Int, heads: Int, causal: Bool, backend: any Backend, maxBatch: Int, path: String,
    topIndex: Int, naming: LayerNaming
  ) {
    self.length = length
    self.width = width
    self.heads = heads
    self.causal = causal
    self.backend = backend
    self.path = path
    self.topIndex = topIndex
    self.maxBatch = maxBatch
    let index = naming.claim(.attention)
    weightLayerIndex = index
    // The biases stay outside the weight layer (dense: nil): they start at 0, as nn.MultiheadAttention's.
    inWeight = naming.parameter(
      path, "in_proj_weight", role: .attentionInput, topIndex: topIndex, dense: index, shape: [3 * width, width])
    inBias = naming.parameter(path, "in_proj_bias", role: .bias, topIndex: topIndex, dense: nil, shape: [3 * width])
    outWeight = naming.parameter(
      path, "out_proj.weight", role: .attentionOutput, topIndex: topIndex, dense: index, shape: [width, width])
    outWeight.tensorWord = "output"
    outBias = naming.parameter(path, "out_proj.bias", role: .bias, topIndex: topIndex, dense: nil, shape: [width])
    let rows = maxBatch * length
    out = Tensor(zeros: [rows, width])
    qkv = Tensor(zeros: [rows, 3 * width])
    probabilities = Tensor(zeros: [maxBatch * heads * length * length])
    context = Tensor(zeros: [rows, width])
    dqkv = Tensor(zeros: [rows, 3 * width])
    dcontext = Tensor(zeros: [rows, width])
    dscores = Tensor(zeros: [length * length])
  }

  /// `L · E`.
  public var inputWidth: Int { length * width }
  /// `L · E`.
  public var outputWidth: Int { length * width }
  /// PyTorch's order: in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias; then the adapters' trained
  /// tensors.
  public var parameters: [Parameter] { [inWeight, inBias, outWeight, outBias] + adapters.flatMap(\.adapter.parameters) }
  /// The adapters' frozen tensors, if any.
  public var buffers: [Parameter] { adapters.flatMap(\.adapter.buffers) }

  /// Adds an adapter of `rank` (LoRA scale `scale`) on one projection; the caller freezes what should not train.
  /// Its tensors are `<path>.query.lora_A`, ..., `<path>.out_proj.lora_A` (the output projection's own prefix).
  @discardableResult
  func attach(_ form: DenseAdapter.Form, projection: AttentionProjection, rank: Int, scale: Float) -> DenseAdapter {
    precondition(!adapters.contains { $0.projection == projection }, "one adapter per projection")
    let prefix = projection == .output ? "\(path).out_proj" : "\(path).\(projection.rawValue)"
    let a = DenseAdapter(
      form: form, rank: rank, scale: scale, backend: backend, inputs: width, outputs: width, path: prefix,
      topIndex: topIndex, dense: weightLayerIndex, maxBatch: maxBatch * length)
    adapters.append((projection, a))
    adapters.sort { $0.projection < $1.projection }
    return a
  }

  /// The base matrix a projection's adapter corrects: `in_proj_weight` from row `rowOffset` for `rows` rows (the
  /// query, key or value block), or `out_proj.weight`.
  func baseMatrix(_ projection: AttentionProjection) -> (weight: Parameter, rowOffset: Int) {
    switch projection {
    case .query: (inWeight, 0)
    case .key: (inWeight, width)
    case .value: (inWeight, 2 * width)
    case .output: (outWeight, 0)
    }
  }

  /// The input a projection reads in the last forward, `rows × E`: the layer's input for query, key and value, the
  /// concatenated heads for the output.
  func lastInput(of projection: AttentionProjection) -> (pointer: UnsafePointer<Float>, rows: Int)? {
    guard let input else { return nil }
    return (projection == .output ? context.pointer : input, lastBatch * length)
  }

  /// `in_proj_weight` or `out_proj.weight` as the layer applies it, `[rows, E]` row-major: with adapters on its
  /// projections, W + ΔW in their row blocks (computed in Float64, then rounded).
  func effectiveValues(of weight: Parameter) -> [Float] {
    var values = weight.value.array
    for (projection, adapter) in adapters {
      let (base, offset) = baseMatrix(projection)
      guard base === weight else { continue }
      let delta = adapter.delta
      for i in 0..<width * width {
        values[offset * width + i] = Float(Double(values[offset * width + i]) + delta.values[i])
      }
    }
    return values
  }
  /// `maxBatch × L·E`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `attention`.
  public var kind: String { "attention" }
  /// Features per head.
  var headWidth: Int { width / heads }
  /// The three projections `in_proj_weight` packs, in its row order, as per-layer rules name them.
  static let projectionWords = ["query", "key", "value"]

  /// The attention weights of the last forward: `batch × heads × L × L`, row i of a head's matrix the distribution
  /// of query position i over the key positions.
  public var weights: UnsafeBufferPointer<Float> {
    UnsafeBufferPointer(start: probabilities.pointer, count: lastBatch * heads * length * length)
  }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    lastBatch = batch
    let (l, e, d) = (length, width, headWidth)
    let rows = batch * l
    backend.gemm(
      transA: false, transB: true, m: rows, n: 3 * e, k: e, alpha: 1, a: x, lda: e, b: inWeight.value.pointer, ldb: e,
      beta: 0, c: qkv.mutablePointer, ldc: 3 * e,
      epilogue: .biasActivation(bias: inBias.value.pointer, activation: nil, output: nil, saved: nil))
    for (projection, adapter) in adapters where projection != .output {
      adapter.forward(x, batch: rows, out: qkv.mutablePointer + baseMatrix(projection).rowOffset, ldOut: 3 * e)
    }
    let scale = 1 / Float(d).squareRoot()
    for b in 0..<batch {
      for h in 0..<heads {
        let q = qkv.pointer + b * l * 3 * e + h * d
        let p = probabilities.mutablePointer + (b * heads + h) * l * l
        backend.gemm(
          transA: false, transB: true, m: l, n: l, k: d, alpha: scale, a: q, lda: 3 * e, b: q + e, ldb: 3 * e, beta: 0,
          c: p, ldc: l)
        if causal {
          // Row i is a softmax over keys 0...i; the masked keys get probability 0.
          for i in 0..<l {
            backend.softmaxRows(p + i * l, p + i * l, rows: 1, cols: i + 1)
            if i + 1 < l { backend.fill(p + i * l + i + 1, value: 0, count: l - i - 1) }
          }
        } else {
          backend.softmaxRows(p, p, rows: l, cols: l)
        }
        backend.gemm(
          transA: false, transB: false, m: l, n: d, k: l, alpha: 1, a: p, lda: l, b: q + 2 * e, ldb: 3 * e, beta: 0,
          c: context.mutablePointer + b * l * e + h * d, ldc: e)
      }
    }
    backend.gemm(
      transA: false, transB: true, m: rows, n: e, k: e, alpha: 1, a: context.pointer, lda: e,
      b: outWeight.value.pointer, ldb: e, beta: 0, c: out.mutablePointer, ldc: e,
      epilogue: .biasActivation(bias: outBias.value.pointer, activation: nil, output: nil, saved: nil))
    for (projection, adapter) in adapters where projection == .output {
      adapter.forward(context.pointer, batch: rows, out: out.mutablePointer, ldOut: e)
    }
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("AttentionLayer.backward before forward") }
    let (l, e, d) = (length, width, headWidth)
    let rows = batch * l
    if outWeight.trainable {
      backend.gemm(
        transA: true, transB: false, m: e, n: e, k: rows, alpha: 1, a: dy, lda: e, b: context.pointer, ldb: e, beta: 1,
        c: outWeight.grad.mutablePointer, ldc: e)
    }
    if outBias.trainable { backend.columnSums(dy, rows: rows, cols: e, outBias.grad.mutablePointer, accumulate: true) }
    backend.gemm(
      transA: false, transB: false, m: rows, n: e, k: e, alpha: 1, a: dy, lda: e, b: outWeight.value.pointer, ldb: e,
      beta: 0, c: dcontext.mutablePointer, ldc: e)
    for (projection, adapter) in adapters where projection == .output {
      adapter.backward(dy, ldDy: e, x: context.pointer, batch: rows, dx: dcontext.mutablePointer)
    }
    let scale = 1 / Float(d).squareRoot()
    let ds = dscores.mutablePointer
    for b in 0..<batch {
      for h in 0..<heads {
        let q = qkv.pointer + b * l * 3 * e + h * d
        let dq = dqkv.mutablePointer + b * l * 3 * e + h * d
        let p = probabilities.pointer + (b * heads + h) * l * l
        let g = dcontext.pointer + b * l * e + h * d
        // dP = G Vᵀ, dV = Pᵀ G.
        backend.gemm(
          transA: false, transB: true, m: l, n: l, k: d, alpha: 1, a: g, lda: e, b: q + 2 * e, ldb: 3 * e, beta: 0,
          c: ds, ldc: l)
        backend.gemm(
          transA: true, transB: false, m: l, n: d, k: l, alpha: 1, a: p, lda: l, b: g, ldb: e, beta: 0, c: dq + 2 * e,
          ldc: 3 * e)
        // The softmax's backward, row by row, in Float64 sums (masked entries have P = 0, so they get 0).
        for i in 0..<l {
          var dot = 0.0
          for j in 0..<l { dot += Double(p[i * l + j]) * Double(ds[i * l + j]) }
          let c = Float(dot)
          for j in 0..<l { ds[i * l + j] = p[i * l + j] * (ds[i * l + j] - c) * scale }
        }
        // dQ = dS K, dK = dSᵀ Q.
        backend.gemm(
          transA: false, transB: false, m: l, n: d, k: l, alpha: 1, a: ds, lda: l, b: q + e, ldb: 3 * e, beta: 0,
          c: dq, ldc: 3 * e)
        backend.gemm(
          transA: true, transB: false, m: l, n: d, k: l, alpha: 1, a: ds, lda: l, b: q, ldb: 3 * e, beta: 0, c: dq + e,
          ldc: 3 * e)
      }
    }
    if inWeight.trainable {
      backend.gemm(
        transA: true, transB: false, m: 3 * e, n: e, k: rows, alpha: 1, a: dqkv.pointer, lda: 3 * e, b: x, ldb: e,
        beta: 1, c: inWeight.grad.mutablePointer, ldc: e)
    }
    if inBias.trainable {
      backend.columnSums(dqkv.pointer, rows: rows, cols: 3 * e, inBias.grad.mutablePointer, accumulate: true)
    }
    if let dx {
      backend.gemm(
        transA: false, transB: false, m: rows, n: e, k: 3 * e, alpha: 1, a: dqkv.pointer, lda: 3 * e,
        b: inWeight.value.pointer, ldb: e, beta: 0, c: dx, ldc: e)
    }
    for (projection, adapter) in adapters where projection != .output {
      adapter.backward(
        dqkv.pointer + baseMatrix(projection).rowOffset, ldDy: 3 * e, x: x, batch: rows, dx: dx)
    }
  }
}
