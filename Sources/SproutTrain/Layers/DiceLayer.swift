import Foundation
import SproutConfig
import SproutTensor

/// Dice (Zhou et al., KDD 2018; docs/activations.md), per feature j:
///
///     n = (s − μⱼ)/√(σ²ⱼ + eps),  p = sigmoid(βⱼ·n),  y = p·s + (1 − p)·αⱼ·s = s·(αⱼ + (1 − αⱼ)·p)
///
/// The paper's form has β = 1; the official code (`zhougr1993/DeepInterestNetwork`, `din/Dice.py`) has a
/// learnable per-feature β starting at 0, so Dice starts linear (p = ½). In training μ, σ² are the batch mean and
/// biased variance (as batch norm normalises) and the running averages move by `momentum` with the unbiased
/// variance (PyTorch's BatchNorm convention); in eval the running averages are used and are constants for the
/// gradient. The training backward goes through the batch statistics with batch norm's closed form. `alpha`
/// (and the official form's `beta`) are learnable, shape `[width]`.
public final class DiceLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// `[width]`, the slope mixed in for the "off" side.
  public let alpha: Parameter
  /// Running mean `[width]` (a checkpointed buffer, starts at 0).
  public let runningMean: Parameter
  /// Running variance `[width]` (a checkpointed buffer, starts at 1).
  public let runningVar: Parameter
  /// The official form's `[width]` β inside the sigmoid (nil: the paper's form, β = 1).
  public let beta: Parameter?
  /// Added to the variance.
  public let eps: Float
  /// Weight of the newest batch in the running averages.
  public let momentum: Float
  let out: Tensor
  private let normalized: Tensor  // n, maxBatch × width
  private let gate: Tensor  // p, maxBatch × width
  private let invStd: Tensor  // [width]
  private var input: UnsafePointer<Float>?
  private var lastTraining = false

  init(
    width: Int, form: DiceForm = .paper, alpha initial: Float, eps: Float, momentum: Float = 0.1, maxBatch: Int,
    path: String, topIndex: Int, naming: LayerNaming
  ) {
    inputWidth = width
    self.eps = eps
    self.momentum = momentum
    alpha = naming.parameter(path, "alpha", role: .activation, topIndex: topIndex, dense: nil, shape: [width])
    // The official code's β starts at 0.
    beta =
      form == .official
      ? naming.parameter(path, "beta", role: .activation, topIndex: topIndex, dense: nil, shape: [width]) : nil
    runningMean = naming.parameter(
      path, "running_mean", role: .activation, topIndex: topIndex, dense: nil, shape: [width], trainable: false)
    runningVar = naming.parameter(
      path, "running_var", role: .activation, topIndex: topIndex, dense: nil, shape: [width], trainable: false)
    for j in 0..<width {
      alpha.value[j] = initial
      runningVar.value[j] = 1
    }
    out = Tensor(zeros: [maxBatch, width])
    normalized = Tensor(zeros: [maxBatch, width])
    gate = Tensor(zeros: [maxBatch, width])
    invStd = Tensor(zeros: [width])
  }

  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// `[alpha]`, and `beta` in the official form.
  public var parameters: [Parameter] { [alpha] + (beta.map { [$0] } ?? []) }
  /// `[running_mean, running_var]`.
  public var buffers: [Parameter] { [runningMean, runningVar] }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `dice`.
  public var kind: String { "dice" }

  /// Normalises with batch (training) or running (eval) statistics and gates.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    lastTraining = training
    let w = inputWidth
    let y = out.mutablePointer, n = normalized.mutablePointer, p = gate.mutablePointer
    for j in 0..<w {
      var mean: Float, variance: Float
      if training {
        var s = 0.0
        for r in 0..<batch { s += Double(x[r * w + j]) }
        let m = s / Double(batch)
        var ss = 0.0
        for r in 0..<batch {
          let d = Double(x[r * w + j]) - m
          ss += d * d
        }
        mean = Float(m)
        variance = Float(ss / Double(batch))
        let unbiased = batch > 1 ? Float(ss / Double(batch - 1)) : variance
        runningMean.value[j] = (1 - momentum) * runningMean.value[j] + momentum * mean
        runningVar.value[j] = (1 - momentum) * runningVar.value[j] + momentum * unbiased
      } else {
        mean = runningMean.value[j]
        variance = runningVar.value[j]
      }
      let inv = 1 / (variance + eps).squareRoot()
      invStd[j] = inv
      let a = alpha.value[j]
      let b = beta?.value[j] ?? 1
      for r in 0..<batch {
        let i = r * w + j
        let nv = (x[i] - mean) * inv
        let pv = 1 / (1 + Foundation.exp(-(beta == nil ? nv : b * nv)))
        n[i] = nv
        p[i] = pv
        y[i] = x[i] * (a + (1 - a) * pv)
      }
    }
  }

  /// Input gradient (through the batch statistics in training) and `alpha`'s gradient.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("DiceLayer.backward before forward") }
    let w = inputWidth
    let n = normalized.pointer, p = gate.pointer
    for j in 0..<w {
      let a = alpha.value[j]
      // dy/dn = (1 − α)·s·p(1 − p)·β; the paper's form has β = 1.
      let b = beta?.value[j] ?? 1
      var gAlpha = 0.0, gBeta = 0.0, sumGn = 0.0, sumGnN = 0.0
      for r in 0..<batch {
        let i = r * w + j
        gAlpha += Double(dy[i] * x[i] * (1 - p[i]))
        let gz = dy[i] * (1 - a) * x[i] * p[i] * (1 - p[i])
        gBeta += Double(gz * n[i])
        let gn = beta == nil ? gz : gz * b
        sumGn += Double(gn)
        sumGnN += Double(gn * n[i])
      }
      if alpha.trainable { alpha.grad[j] += Float(gAlpha) }
      if let beta, beta.trainable { beta.grad[j] += Float(gBeta) }
      guard let dx else { continue }
      let inv = invStd[j]
      let meanGn = Float(sumGn / Double(batch)), meanGnN = Float(sumGnN / Double(batch))
      for r in 0..<batch {
        let i = r * w + j
        let gz = dy[i] * (1 - a) * x[i] * p[i] * (1 - p[i])
        let gn = beta == nil ? gz : gz * b
        let direct = dy[i] * (a + (1 - a) * p[i])
        dx[i] = direct + inv * (lastTraining ? gn - meanGn - n[i] * meanGnN : gn)
      }
    }
  }
}
