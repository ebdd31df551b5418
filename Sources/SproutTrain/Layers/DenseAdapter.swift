import SproutConfig
import SproutTensor

/// A trainable low-dimensional correction to a frozen dense layer, for fine-tuning (papers and formulas in
/// docs/initializers.md, "Adapter inits"):
///
///     LoRA / PiSSA / EVA   y = x Wᵀ + b + s · (x Aᵀ) Bᵀ        A [r, in], B [out, r], s = α / r
///     SVFit                y = x W_eᵀ + b + ((x Vtᵀ) ⊙ σ) Uᵀ    Vt [r, in], U [out, r] frozen, σ [r] trained
///
/// Both are "down-project, (scale), up-project": `down` is A or Vt, `up` is B or U, and SVFit's σ scales the r
/// middle features. The same adapter serves a dense layer's weight and each projection of an attention layer (the
/// query's rows of `in_proj_weight`, `out_proj.weight`): it reads `x` rows and adds into rows of an output whose
/// leading dimension may be wider than its own outputs (the packed `[Q K V]`). The adapter's tensors are named after
/// the matrix (`layers.2.lora_A`, `layers.2.lora_B`, `layers.2.lora_scale`; `layers.2.svfit_U`, `layers.2.svfit_Vt`,
/// `layers.2.svfit_sigma`; on attention `layers.1.query.lora_A`, `layers.1.out_proj.lora_A`) and saved with
/// checkpoints; `merged(into:)` folds the adapter into the weight (ΔW = s·B·A or U·diag(σ)·Vt), which is what
/// a later stage reading the fine-tuned model sees (`AdapterMerge`).
public final class DenseAdapter {
  /// Which adapter.
  public enum Form: String, Sendable, Hashable {
    /// `lora` (its init decides LoRA, PiSSA or EVA).
    case lora
    /// `svfit`.
    case svfit
  }

  /// LoRA or SVFit.
  public let form: Form
  /// r.
  public let rank: Int
  /// `A` (LoRA) or `Vt` (SVFit): `[rank, in]`.
  public let down: Parameter
  /// `B` (LoRA) or `U` (SVFit): `[out, rank]`.
  public let up: Parameter
  /// SVFit's trained singular values `[rank]`; nil for LoRA.
  public let sigma: Parameter?
  /// LoRA's scale α/r as a one-element buffer (saved, so a checkpoint can be merged without the spec).
  public let scale: Parameter?

  let backend: any Backend
  let inputs: Int
  let outputs: Int
  /// `x · downᵀ` of the last forward, `maxBatch × rank`.
  private let h: Tensor
  /// SVFit: `h ⊙ σ`; LoRA: unused.
  private let g: Tensor
  /// Gradient with respect to the middle features, `maxBatch × rank`.
  private let dMiddle: Tensor

  /// An adapter for an `outputs × inputs` matrix of weight layer `dense`, for up to `maxBatch` rows, its tensors
  /// named `path.lora_A` and so on.
  init(
    form: Form, rank: Int, scale s: Float, backend: any Backend, inputs: Int, outputs: Int, path: String, topIndex: Int,
    dense: Int, maxBatch: Int
  ) {
    self.form = form
    self.rank = rank
    self.backend = backend
    self.inputs = inputs
    self.outputs = outputs
    func parameter(_ suffix: String, _ shape: [Int], trainable: Bool) -> Parameter {
      Parameter(
        name: "\(path).\(suffix)", role: .adapter, layerIndex: topIndex, denseIndex: dense, shape: shape,
        trainable: trainable)
    }
    switch form {
    case .lora:
      down = parameter("lora_A", [rank, inputs], trainable: true)
      up = parameter("lora_B", [outputs, rank], trainable: true)
      sigma = nil
      let scale = parameter("lora_scale", [1], trainable: false)
      scale.value[0] = s
      self.scale = scale
    case .svfit:
      down = parameter("svfit_Vt", [rank, inputs], trainable: false)
      up = parameter("svfit_U", [outputs, rank], trainable: false)
      sigma = parameter("svfit_sigma", [rank], trainable: true)
      scale = nil
    }
    h = Tensor(zeros: [maxBatch, rank])
    g = Tensor(zeros: [maxBatch, rank])
    dMiddle = Tensor(zeros: [maxBatch, rank])
  }

  /// The tensors the optimizer updates: A and B, or σ.
  public var parameters: [Parameter] { sigma.map { [$0] } ?? [down, up] }
  /// The frozen tensors a checkpoint must also hold: the scale, or U and Vt.
  public var buffers: [Parameter] { scale.map { [$0] } ?? [down, up] }

  private var s: Float { scale?.value[0] ?? 1 }

  /// `out += adapter(x)` for `batch` rows; row i of the output starts at `out + i · ldOut`.
  func forward(_ x: UnsafePointer<Float>, batch: Int, out: UnsafeMutablePointer<Float>, ldOut: Int) {
    backend.gemm(
      transA: false, transB: true, m: batch, n: rank, k: inputs, alpha: 1, a: x, lda: inputs,
      b: down.value.pointer, ldb: inputs, beta: 0, c: h.mutablePointer, ldc: rank)
    var middle = h.pointer
    var alpha = s
    if let sigma {
      scaleColumns(h.pointer, by: sigma.value.pointer, rows: batch, into: g.mutablePointer)
      middle = g.pointer
      alpha = 1
    }
    backend.gemm(
      transA: false, transB: true, m: batch, n: outputs, k: rank, alpha: alpha, a: middle, lda: rank,
      b: up.value.pointer, ldb: rank, beta: 1, c: out, ldc: ldOut)
  }

  /// Accumulates the adapter's gradients from `dy` (row i at `dy + i · ldDy`) and adds its part of the input
  /// gradient to `dx`.
  func backward(
    _ dy: UnsafePointer<Float>, ldDy: Int, x: UnsafePointer<Float>, batch: Int, dx: UnsafeMutablePointer<Float>?
  ) {
    switch form {
    case .lora:
      // dB += s · dYᵀ H;  dH = s · dY B;  dA += dHᵀ X.
      backend.gemm(
        transA: true, transB: false, m: outputs, n: rank, k: batch, alpha: s, a: dy, lda: ldDy,
        b: h.pointer, ldb: rank, beta: 1, c: up.grad.mutablePointer, ldc: rank)
      backend.gemm(
        transA: false, transB: false, m: batch, n: rank, k: outputs, alpha: s, a: dy, lda: ldDy,
        b: up.value.pointer, ldb: rank, beta: 0, c: dMiddle.mutablePointer, ldc: rank)
      backend.gemm(
        transA: true, transB: false, m: rank, n: inputs, k: batch, alpha: 1, a: dMiddle.pointer, lda: rank,
        b: x, ldb: inputs, beta: 1, c: down.grad.mutablePointer, ldc: inputs)
    case .svfit:
      // dG = dY U;  dσ += Σ_rows dG ⊙ H;  dH = dG ⊙ σ.
      guard let sigma else { return }
      backend.gemm(
        transA: false, transB: false, m: batch, n: rank, k: outputs, alpha: 1, a: dy, lda: ldDy,
        b: up.value.pointer, ldb: rank, beta: 0, c: g.mutablePointer, ldc: rank)
      let grad = sigma.grad.mutablePointer
      for i in 0..<batch {
        let gRow = g.pointer + i * rank
        let hRow = h.pointer + i * rank
        for j in 0..<rank { grad[j] += gRow[j] * hRow[j] }
      }
      if dx != nil { scaleColumns(g.pointer, by: sigma.value.pointer, rows: batch, into: dMiddle.mutablePointer) }
    }
    if let dx {
      backend.gemm(
        transA: false, transB: false, m: batch, n: inputs, k: rank, alpha: 1, a: dMiddle.pointer, lda: rank,
        b: down.value.pointer, ldb: inputs, beta: 1, c: dx, ldc: inputs)
    }
  }

  /// `y[i, j] = x[i, j] · v[j]` over `rows × rank`.
  private func scaleColumns(
    _ x: UnsafePointer<Float>, by v: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<rows {
      for j in 0..<rank { y[i * rank + j] = x[i * rank + j] * v[j] }
    }
  }

  /// ΔW `[out, in]`: `s · B · A` or `U · diag(σ) · Vt`, in Float64.
  public var delta: DenseMatrix {
    let scaledUp: DenseMatrix
    if let sigma {
      var u = DenseMatrix(rows: outputs, cols: rank, floats: up.value.array)
      for i in 0..<outputs { for j in 0..<rank { u[i, j] *= Double(sigma.value[j]) } }
      scaledUp = u
    } else {
      var b = DenseMatrix(rows: outputs, cols: rank, floats: up.value.array)
      for k in b.values.indices { b.values[k] *= Double(s) }
      scaledUp = b
    }
    return scaledUp * DenseMatrix(rows: rank, cols: inputs, floats: down.value.array)
  }
}

/// Folding adapters into plain weights: what a stage that reads a fine-tuned model gets.
public enum AdapterMerge {
  /// The tensors of a checkpoint with every adapter folded into its matrix and the adapter tensors removed:
  /// `P.weight += s·B·A` for `P.lora_A`/`P.lora_B`/`P.lora_scale`, `P.weight += U·diag(σ)·Vt` for
  /// `P.svfit_U`/`P.svfit_sigma`/`P.svfit_Vt`; on attention, `L.query.…`, `L.key.…` and `L.value.…` fold into their
  /// row block of `L.in_proj_weight` (rows 0, E, 2E) and `L.out_proj.…` into `L.out_proj.weight`. Tensors of a model
  /// without adapters come back unchanged.
  public static func merged(_ tensors: [String: StageTensor]) throws -> [String: StageTensor] {
    var out = tensors
    // Sorted, so two adapters on one in_proj_weight fold in a fixed order.
    for name in tensors.keys.sorted() where name.hasSuffix(".lora_A") || name.hasSuffix(".svfit_sigma") {
      let isLoRA = name.hasSuffix(".lora_A")
      let prefix = String(name.dropLast(isLoRA ? ".lora_A".count : ".svfit_sigma".count))
      let names =
        isLoRA
        ? ["\(prefix).lora_A", "\(prefix).lora_B", "\(prefix).lora_scale"]
        : ["\(prefix).svfit_Vt", "\(prefix).svfit_U", "\(prefix).svfit_sigma"]
      guard let (weightName, rowOffset, rows) = target(of: prefix, in: out), let w = out[weightName], w.shape.count == 2,
        let down = tensors[names[0]], let up = tensors[names[1]], let third = tensors[names[2]]
      else { throw AdapterError("adapter tensors of '\(prefix)' are incomplete") }
      let inputs = w.shape[1]
      let rank = down.shape.first ?? 0
      let outputs = up.shape.first ?? 0
      guard down.shape == [rank, inputs], up.shape == [outputs, rank], outputs == rows, rowOffset + rows <= w.shape[0],
        third.shape == (isLoRA ? [1] : [rank])
      else { throw AdapterError("adapter tensors of '\(prefix)' do not fit its weight \(w.shape)") }
      var weight = w.values
      for i in 0..<outputs {
        for j in 0..<inputs {
          var sum: Double = 0
          for k in 0..<rank {
            let middle = isLoRA ? Double(third.values[0]) : Double(third.values[k])
            sum += Double(up.values[i * rank + k]) * middle * Double(down.values[k * inputs + j])
          }
          let at = (rowOffset + i) * inputs + j
          weight[at] = Float(Double(weight[at]) + sum)
        }
      }
      out[weightName] = StageTensor(shape: w.shape, values: weight)
      for n in names { out[n] = nil }
    }
    return out
  }

  /// The tensor an adapter named `prefix` corrects, and its rows there (first, count): all of `prefix.weight`, or for
  /// an attention projection `L.query` / `L.key` / `L.value` the E-row block of `L.in_proj_weight` (`[3E, E]`)
  /// starting at 0, E or 2E.
  private static func target(of prefix: String, in tensors: [String: StageTensor]) -> (String, Int, Int)? {
    if let w = tensors["\(prefix).weight"] { return ("\(prefix).weight", 0, w.shape.first ?? 0) }
    guard let dot = prefix.lastIndex(of: "."),
      let projection = AttentionProjection(rawValue: String(prefix[prefix.index(after: dot)...])),
      projection != .output
    else { return nil }
    let name = "\(prefix[..<dot]).in_proj_weight"
    guard let w = tensors[name], w.shape.count == 2, w.shape[0] == 3 * w.shape[1] else { return nil }
    let block = AttentionProjection.allCases.firstIndex(of: projection)!
    return (name, block * w.shape[1], w.shape[1])
  }
}

/// An adapter that cannot be built, initialised or merged.
public struct AdapterError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong.
  public let description: String
  /// An error saying `description`.
  public init(_ description: String) { self.description = description }
}
