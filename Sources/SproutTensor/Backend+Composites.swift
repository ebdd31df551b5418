import Foundation

// Default implementations of the composite kernels: single-threaded, vectorised, and deterministic. A backend
// overrides one only where it does better (the cpu backend splits the large ones across its threads with
// the same per-element code, so results stay identical).
extension Backend {
  /// `y[r, c] += bias[c]`.
  public func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
    ElementwiseKernels.addBias(y, rows: 0..<rows, cols: cols, bias: bias)
  }

  /// `y = f(x)` with PyTorch's formulas.
  public func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    ActivationKernels.forward(f, x, y, range: 0..<count)
  }

  /// `dx = f'(x) · dy` with PyTorch's formulas.
  public func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    ActivationKernels.backward(f, x: x, y: y, dy: dy, dx: dx, range: 0..<count)
  }

  /// `y += alpha · x`.
  public func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    ElementwiseKernels.axpy(alpha: alpha, x, y, range: 0..<count)
  }

  /// `x *= alpha`.
  public func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
    ElementwiseKernels.scale(x, by: alpha, range: 0..<count)
  }

  /// Row-wise softmax.
  public func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    RowKernels.softmax(x, y, rows: 0..<rows, cols: cols, log: false)
  }

  /// Row-wise log-softmax.
  public func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    RowKernels.softmax(x, y, rows: 0..<rows, cols: cols, log: true)
  }

  /// Layer normalisation forward.
  public func layerNormForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
  ) {
    RowKernels.layerNormForward(
      x, y, rows: 0..<rows, cols: cols, gamma: gamma, beta: beta, eps: eps, mean: mean, rstd: rstd)
  }

  /// Layer normalisation backward.
  public func layerNormBackward(
    _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
    gamma: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?
  ) {
    RowKernels.layerNormBackward(
      x, dy: dy, dx: dx, rows: 0..<rows, cols: cols, gamma: gamma, mean: mean, rstd: rstd)
    RowKernels.layerNormParameterGradients(
      x, dy: dy, rows: rows, stride: cols, cols: 0..<cols, mean: mean, rstd: rstd, dGamma: dGamma, dBeta: dBeta)
  }

  /// One SGD step.
  public func sgdStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    velocity: UnsafeMutablePointer<Float>?, count: Int, hyper: SGDHyperparameters, firstStep: Bool
  ) {
    OptimizerKernels.sgd(p, g, velocity, range: 0..<count, hyper: hyper, firstStep: firstStep)
  }

  /// One Adam/AdamW step.
  public func adamStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, hyper: AdamHyperparameters,
    step: Int
  ) {
    OptimizerKernels.adam(p, g, m, v, range: 0..<count, hyper: hyper, step: step)
  }

  /// im2col, image by image.
  public func im2col(
    _ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    for b in 0..<batch { ConvolutionKernels.im2col(x + b * g.inputCount, cols + b * g.patchSize * g.outPositions, g) }
  }

  /// col2im, image by image.
  public func col2im(
    _ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    for b in 0..<batch { ConvolutionKernels.col2im(cols + b * g.patchSize * g.outPositions, dx + b * g.inputCount, g) }
  }

  /// Max pooling, image by image.
  public func maxPool2d(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, batch: Int,
    geometry g: WindowGeometry
  ) {
    let out = g.channels * g.outPositions
    for b in 0..<batch { ConvolutionKernels.maxPool(x + b * g.inputCount, y + b * out, argmax: argmax + b * out, g) }
  }

  /// Max pooling's backward, image by image.
  public func maxPool2dBackward(
    _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>, batch: Int,
    geometry g: WindowGeometry
  ) {
    let out = g.channels * g.outPositions
    for b in 0..<batch {
      ConvolutionKernels.maxPoolBackward(dy + b * out, argmax: argmax + b * out, dx + b * g.inputCount, g)
    }
  }

  /// Average pooling, image by image.
  public func avgPool2d(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    let out = g.channels * g.outPositions
    for b in 0..<batch { ConvolutionKernels.avgPool(x + b * g.inputCount, y + b * out, g) }
  }

  /// Average pooling's backward, image by image.
  public func avgPool2dBackward(
    _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    let out = g.channels * g.outPositions
    for b in 0..<batch { ConvolutionKernels.avgPoolBackward(dy + b * out, dx + b * g.inputCount, g) }
  }
}
