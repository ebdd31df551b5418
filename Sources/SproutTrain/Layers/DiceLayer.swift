import Foundation
import SproutTensor

/// Dice (Zhou et al. 2018, METHODS.md B8), paper form, per feature j:
///
///     n = (s − μⱼ)/√(σ²ⱼ + eps),  p = sigmoid(n),  y = p·s + (1 − p)·αⱼ·s = s·(αⱼ + (1 − αⱼ)·p)
///
/// In training μ, σ² are the batch mean and biased variance (as batch norm normalises) and the running
/// averages move by momentum 0.1 with the unbiased variance (PyTorch's BatchNorm convention); in eval the
/// running averages are used and are constants for the gradient. The training backward goes through the
/// batch statistics with batch norm's closed form. `alpha` is learnable, shape `[width]`.
public final class DiceLayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// `[width]`, the slope mixed in for the "off" side.
  public let alpha: Parameter
  /// Running mean `[width]` (a checkpointed buffer, starts at 0).
  public let runningMean: Parameter
  /// Running variance `[width]` (a checkpointed buffer, starts at 1).
  public let runningVar: Parameter
  /// Added to the variance.
  public let eps: Float
  /// Weight of the newest batch in the running averages.
  public let momentum: Float = 0.1
  let out: Tensor
  private let normalized: Tensor  // n, maxBatch × width
  private let gate: Tensor  // p, maxBatch × width
  private let invStd: Tensor  // [width]
  private var input: UnsafePointer<Float>?
  private var lastTraining = false

  init(
    width: Int, alpha initial: Float, eps: Float, maxBatch: Int, path: String, topIndex: Int,
    naming: LayerNaming
  ) {
    inputWidth = width
    self.eps = eps
    alpha = naming.parameter(path, "alpha", role: .activation, topIndex: topIndex, dense: nil, shape: [width])
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
  /// `[alpha]`.
  public var parameters: [Parameter] { [alpha] }
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
      for r in 0..<batch {
        let i = r * w + j
        let nv = (x[i] - mean) * inv
        let pv = 1 / (1 + Foundation.exp(-nv))
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
      var gAlpha = 0.0, sumGn = 0.0, sumGnN = 0.0
      for r in 0..<batch {
        let i = r * w + j
        gAlpha += Double(dy[i] * x[i] * (1 - p[i]))
        let gn = dy[i] * (1 - a) * x[i] * p[i] * (1 - p[i])
        sumGn += Double(gn)
        sumGnN += Double(gn * n[i])
      }
      if alpha.trainable { alpha.grad[j] += Float(gAlpha) }
      guard let dx else { continue }
      let inv = invStd[j]
      let meanGn = Float(sumGn / Double(batch)), meanGnN = Float(sumGnN / Double(batch))
      for r in 0..<batch {
        let i = r * w + j
        let gn = dy[i] * (1 - a) * x[i] * p[i] * (1 - p[i])
        let direct = dy[i] * (a + (1 - a) * p[i])
        dx[i] = direct + inv * (lastTraining ? gn - meanGn - n[i] * meanGnN : gn)
      }
    }
  }
}
