import SproutConfig
import SproutTensor

/// A one-layer recurrent network over a sequence `[L, F]`, as PyTorch's `nn.RNN` / `nn.GRU` (batch first, both
/// biases, h₀ = 0), trained by backpropagation through time. Weights `weight_ih [G·H, F]`, `weight_hh [G·H, H]`,
/// biases `bias_ih`, `bias_hh [G·H]`, with G = 1 (rnn) or 3 (gru, gates r, z, n in PyTorch's order).
///
///     rnn   h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)
///     gru   r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r ⊙ gh_n)   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
///           with gi = W_ih x_t + b_ih and gh = W_hh h_{t−1} + b_hh
///
/// The input projections of every position are one product over the `batch·L` rows; each step then adds one
/// product of the previous states (`batch` rows, read with the sequence's stride) and applies the cell. Every
/// state is kept (`[batch, L, H]`, the `output: sequence` result itself), so the backward pass walks the steps in
/// reverse and ends with one product each for `dW_ih`, `dW_hh` and the input gradient over all positions.
public final class RecurrentLayer: Layer {
  /// The cell.
  public enum Cell: Sendable, Hashable {
    /// Elman cell with its nonlinearity.
    case rnn(RNNNonlinearity)
    /// Gated recurrent unit.
    case gru
  }

  /// Which cell.
  public let cell: Cell
  /// Sequence length L.
  public let length: Int
  /// Input features F per position.
  public let features: Int
  /// Hidden units H.
  public let units: Int
  /// True when the output is every state `[L, H]`, false for the last state `[H]`.
  public let returnsSequence: Bool
  /// `[G·H, F]`.
  public let weightIH: Parameter
  /// `[G·H, H]`.
  public let weightHH: Parameter
  /// `[G·H]`.
  public let biasIH: Parameter
  /// `[G·H]`.
  public let biasHH: Parameter
  /// Position among the model's weight layers.
  public let weightIndex: Int

  let backend: any Backend
  private let gates: Int
  private let gi: Tensor  // [M, L, G·H]: input projections (+ b_ih; rnn: + b_hh, then + W_hh h, the pre-activation)
  private let gh: Tensor  // gru: [M, L, 3H] hidden projections W_hh h + b_hh
  private let act: Tensor  // gru: [M, L, 3H] r, z, n
  private let hs: Tensor  // [M, L, H] every state
  private let last: Tensor  // [M, H] the last state (output: last)
  private let dh: Tensor  // [M, H] gradient at the current state
  private let dtmp: Tensor  // [M, H]
  private let dgi: Tensor  // [M, L, G·H] gradient at the input projections
  private let dgh: Tensor  // gru: [M, L, 3H] gradient at the hidden projections
  private let hprev: Tensor  // [M, L, H] h_{t−1} at each position (h_{−1} = 0)
  private var input: UnsafePointer<Float>?

  /// The parameter suffixes of a recurrent layer and the words a per-layer initializer rule selects them by.
  public static let tensorWords: [String: String] = ["weight_ih": "input", "weight_hh": "recurrent"]

  init(
    cell: Cell, length: Int, features: Int, units: Int, sequence: Bool, backend: any Backend, maxBatch: Int,
    path: String, topIndex: Int, naming: LayerNaming
  ) {
    self.cell = cell
    self.length = length
    self.features = features
    self.units = units
    self.returnsSequence = sequence
    self.backend = backend
    let g = if case .gru = cell { 3 } else { 1 }
    gates = g
    let index = naming.claim(g == 3 ? .gru : .rnn)
    weightIndex = index
    func param(_ suffix: String, _ role: Parameter.Role, _ shape: [Int]) -> Parameter {
      let p = naming.parameter(path, suffix, role: role, topIndex: topIndex, dense: index, shape: shape)
      // PyTorch's nn.RNN/nn.GRU draw every tensor from U(±1/√H): pytorch_default uses the hidden size as the fan.
      p.defaultFanIn = units
      return p
    }
    weightIH = param("weight_ih", .weight, [g * units, features])
    weightHH = param("weight_hh", .weight, [g * units, units])
    biasIH = param("bias_ih", .bias, [g * units])
    biasHH = param("bias_hh", .bias, [g * units])
    let m = maxBatch
    gi = Tensor(zeros: [m * length * g * units])
    gh = Tensor(zeros: [g == 3 ? m * length * g * units : 1])
    act = Tensor(zeros: [g == 3 ? m * length * g * units : 1])
    hs = Tensor(zeros: [m * length * units])
    last = Tensor(zeros: [sequence ? 1 : m * units])
    dh = Tensor(zeros: [m * units])
    dtmp = Tensor(zeros: [m * units])
    dgi = Tensor(zeros: [m * length * g * units])
    dgh = Tensor(zeros: [g == 3 ? m * length * g * units : 1])
    hprev = Tensor(zeros: [m * length * units])
  }

  /// `L · F`.
  public var inputWidth: Int { length * features }
  /// `L · H` or `H`.
  public var outputWidth: Int { returnsSequence ? length * units : units }
  /// `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` (PyTorch's order).
  public var parameters: [Parameter] { [weightIH, weightHH, biasIH, biasHH] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// Every state, or the last.
  public var output: UnsafePointer<Float> { returnsSequence ? hs.pointer : last.pointer }
  /// `rnn` or `gru`.
  public var kind: String { if case .gru = cell { "gru" } else { "rnn" } }

  /// The kernel activation of an Elman cell.
  private var function: Activation {
    if case .rnn(.relu) = cell { return .relu }
    return .tanh
  }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    let (l, h, gh3) = (length, units, gates * units)
    let rows = batch * l
    backend.gemm(
      transA: false, transB: true, m: rows, n: gh3, k: features, alpha: 1, a: x, lda: features,
      b: weightIH.value.pointer, ldb: features, beta: 0, c: gi.mutablePointer, ldc: gh3,
      epilogue: .biasActivation(bias: biasIH.value.pointer, activation: nil, output: nil, saved: nil))
    switch cell {
    case .rnn:
      backend.addBias(gi.mutablePointer, rows: rows, cols: h, bias: biasHH.value.pointer)
      for b in 0..<batch {
        backend.activationForward(function, gi.pointer + b * l * h, hs.mutablePointer + b * l * h, saved: nil, count: h)
      }
      for t in 1..<max(l, 1) {
        // pre_t += h_{t−1} W_hhᵀ, then h_t = f(pre_t), over the batch's rows at position t.
        backend.gemm(
          transA: false, transB: true, m: batch, n: h, k: h, alpha: 1, a: hs.pointer + (t - 1) * h, lda: l * h,
          b: weightHH.value.pointer, ldb: h, beta: 1, c: gi.mutablePointer + t * h, ldc: l * h,
          epilogue: .biasActivation(bias: nil, activation: function, output: hs.mutablePointer + t * h, saved: nil))
      }
    case .gru:
      for t in 0..<l {
        if t == 0 {
          for b in 0..<batch { backend.copy(biasHH.value.pointer, gh.mutablePointer + b * l * gh3, count: gh3) }
        } else {
          backend.gemm(
            transA: false, transB: true, m: batch, n: gh3, k: h, alpha: 1, a: hs.pointer + (t - 1) * h, lda: l * h,
            b: weightHH.value.pointer, ldb: h, beta: 0, c: gh.mutablePointer + t * gh3, ldc: l * gh3,
            epilogue: .biasActivation(bias: biasHH.value.pointer, activation: nil, output: nil, saved: nil))
        }
        for b in 0..<batch { gruCell(b: b, t: t) }
      }
    }
    if !returnsSequence {
      for b in 0..<batch {
        backend.copy(hs.pointer + (b * l + l - 1) * h, last.mutablePointer + b * h, count: h)
      }
    }
  }

  /// One GRU step for sample `b` at position `t`: the gates from the projections, then the new state.
  private func gruCell(b: Int, t: Int) {
    let h = units
    let o = (b * length + t) * 3 * h
    let i = gi.pointer + o, hh = gh.pointer + o, g = act.mutablePointer + o
    backend.zip(.add, i, hh, g, count: 2 * h)
    backend.activationForward(.sigmoid, g, g, saved: nil, count: 2 * h)
    backend.zip(.multiply, g, hh + 2 * h, g + 2 * h, count: h)
    backend.zip(.add, g + 2 * h, i + 2 * h, g + 2 * h, count: h)
    backend.activationForward(.tanh, g + 2 * h, g + 2 * h, saved: nil, count: h)
    let z = UnsafePointer(g + h), n = UnsafePointer(g + 2 * h)
    let state = hs.mutablePointer + (b * length + t) * h
    if t == 0 {
      for j in 0..<h { state[j] = n[j] - z[j] * n[j] }
    } else {
      let previous = hs.pointer + (b * length + t - 1) * h
      for j in 0..<h { state[j] = n[j] + z[j] * (previous[j] - n[j]) }
    }
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("RecurrentLayer.backward before forward") }
    let (l, h, gh3) = (length, units, gates * units)
    let rows = batch * l
    for b in 0..<batch {
      let from = returnsSequence ? dy + (b * l + l - 1) * h : dy + b * h
      backend.copy(from, dh.mutablePointer + b * h, count: h)
    }
    for t in stride(from: l - 1, through: 0, by: -1) {
      switch cell {
      case .rnn:
        for b in 0..<batch {
          let o = (b * l + t) * h
          backend.activationBackward(
            function, x: gi.pointer + o, y: hs.pointer + o, saved: nil, dy: dh.pointer + b * h,
            dx: dgi.mutablePointer + o, count: h)
        }
        if t > 0 {
          backend.gemm(
            transA: false, transB: false, m: batch, n: h, k: h, alpha: 1, a: dgi.pointer + t * h, lda: l * h,
            b: weightHH.value.pointer, ldb: h, beta: 0, c: dh.mutablePointer, ldc: h)
        }
      case .gru:
        for b in 0..<batch { gruCellBackward(b: b, t: t) }
        if t > 0 {
          backend.gemm(
            transA: false, transB: false, m: batch, n: h, k: gh3, alpha: 1, a: dgh.pointer + t * gh3, lda: l * gh3,
            b: weightHH.value.pointer, ldb: h, beta: 0, c: dh.mutablePointer, ldc: h)
          backend.axpy(alpha: 1, dtmp.pointer, dh.mutablePointer, count: batch * h)
        }
      }
      if t > 0, returnsSequence {
        for b in 0..<batch { backend.axpy(alpha: 1, dy + (b * l + t - 1) * h, dh.mutablePointer + b * h, count: h) }
      }
    }
    // With an Elman cell the hidden projection's gradient is the pre-activation's, as the input projection's.
    let dHidden = if case .gru = cell { dgh.pointer } else { dgi.pointer }
    if weightIH.trainable {
      backend.gemm(
        transA: true, transB: false, m: gh3, n: features, k: rows, alpha: 1, a: dgi.pointer, lda: gh3, b: x,
        ldb: features, beta: 1, c: weightIH.grad.mutablePointer, ldc: features)
    }
    if weightHH.trainable {
      for b in 0..<batch {
        backend.fill(hprev.mutablePointer + b * l * h, value: 0, count: h)
        backend.copy(hs.pointer + b * l * h, hprev.mutablePointer + b * l * h + h, count: (l - 1) * h)
      }
      backend.gemm(
        transA: true, transB: false, m: gh3, n: h, k: rows, alpha: 1, a: dHidden, lda: gh3, b: hprev.pointer,
        ldb: h, beta: 1, c: weightHH.grad.mutablePointer, ldc: h)
    }
    if biasIH.trainable {
      backend.columnSums(dgi.pointer, rows: rows, cols: gh3, biasIH.grad.mutablePointer, accumulate: true)
    }
    if biasHH.trainable {
      backend.columnSums(dHidden, rows: rows, cols: gh3, biasHH.grad.mutablePointer, accumulate: true)
    }
    if let dx {
      backend.gemm(
        transA: false, transB: false, m: rows, n: features, k: gh3, alpha: 1, a: dgi.pointer, lda: gh3,
        b: weightIH.value.pointer, ldb: features, beta: 0, c: dx, ldc: features)
    }
  }

  /// One GRU step's backward for sample `b` at position `t`: from `dh` (the gradient at h_t) the gradients at the
  /// projections (`dgi`, `dgh`) and, in `dtmp`, the part of the gradient at h_{t−1} that skips the product (z ⊙ dh).
  private func gruCellBackward(b: Int, t: Int) {
    let h = units
    let o = (b * length + t) * 3 * h
    let r = act.pointer + o, z = r + h, n = r + 2 * h
    let ghn = gh.pointer + o + 2 * h
    let dI = dgi.mutablePointer + o, dH = dgh.mutablePointer + o
    let g = dh.pointer + b * h, direct = dtmp.mutablePointer + b * h
    let previous: UnsafePointer<Float>? = t > 0 ? hs.pointer + (b * length + t - 1) * h : nil
    for j in 0..<h {
      let dn = g[j] * (1 - z[j])
      let dz = g[j] * ((previous?[j] ?? 0) - n[j])
      let dnPre = dn * (1 - n[j] * n[j])
      let drPre = dnPre * ghn[j] * r[j] * (1 - r[j])
      let dzPre = dz * z[j] * (1 - z[j])
      dI[j] = drPre
      dI[h + j] = dzPre
      dI[2 * h + j] = dnPre
      dH[j] = drPre
      dH[h + j] = dzPre
      dH[2 * h + j] = dnPre * r[j]
      direct[j] = g[j] * z[j]
    }
  }
}

extension RecurrentLayer: WeightLayerComputing {
  var weightLayerIndex: Int { weightIndex }
}
