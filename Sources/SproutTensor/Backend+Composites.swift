import Foundation

// Default implementations of the composite kernels: single-threaded, vectorised, and deterministic. A backend
// overrides one only where it does better (the cpu backend splits the large ones across its threads with
// the same per-element code, so results stay identical).
extension Backend {
  /// The product, then the epilogue's kernels over C row by row (over the whole buffer at once when its rows
  /// are contiguous).
  public func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GemmEpilogue
  ) {
    gemm(
      transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
      c: c, ldc: ldc)
    if m <= 0 || n <= 0 { return }
    // Contiguous rows are one call over m·n elements; otherwise one call per row.
    let (rows, cols, stride) = ldc == n ? (1, m * n, 0) : (m, n, ldc)
    switch epilogue {
    case .none: return
    case .biasActivation(let bias, let activation, let output, let saved):
      if let bias {
        if ldc == n {
          addBias(c, rows: m, cols: n, bias: bias)
        } else {
          for i in 0..<m { addBias(c + i * ldc, rows: 1, cols: n, bias: bias) }
        }
      }
      if let activation {
        guard let output else { BackendCheck.fail("gemm: an epilogue with an activation needs an output buffer") }
        for i in 0..<rows {
          let o = i * stride
          activationForward(activation, c + o, output + o, saved: saved.map { $0 + o }, count: cols)
        }
      }
    case .activationGradient(let f, let x, let y, let saved):
      for i in 0..<rows {
        let o = i * stride
        activationBackward(f, x: x + o, y: y + o, saved: saved.map { $0 + o }, dy: c + o, dx: c + o, count: cols)
      }
    }
  }

  /// `y[r, c] += bias[c]`.
  public func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
    BackendCheck.matrix("addBias", rows: rows, cols: cols)
    ElementwiseKernels.addBias(y, rows: 0..<rows, cols: cols, bias: bias)
  }

  /// `y = f(x)` with PyTorch's formulas (and `saved` for the backward pass when `f` saves something).
  public func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>?, count: Int
  ) {
    BackendCheck.count("activationForward", count)
    ActivationKernels.forward(f, x, y, saved: saved, range: 0..<count)
  }

  /// `dx = f'(x) · dy` with PyTorch's formulas.
  public func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    BackendCheck.count("activationBackward", count)
    ActivationKernels.backward(f, x: x, y: y, saved: saved, dy: dy, dx: dx, range: 0..<count)
  }

  /// `y = f(x)`, saving nothing.
  public func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    activationForward(f, x, y, saved: nil, count: count)
  }

  /// `dx = f'(x) · dy`, recomputing what a forward could have saved.
  public func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    activationBackward(f, x: x, y: y, saved: nil, dy: dy, dx: dx, count: count)
  }

  /// `y += alpha · x`.
  public func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("axpy", count)
    ElementwiseKernels.axpy(alpha: alpha, x, y, range: 0..<count)
  }

  /// `x *= alpha`.
  public func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
    BackendCheck.count("scale", count)
    ElementwiseKernels.scale(x, by: alpha, range: 0..<count)
  }

  /// Row-wise softmax.
  public func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    BackendCheck.matrix("softmaxRows", rows: rows, cols: cols)
    RowKernels.softmax(x, y, rows: 0..<rows, cols: cols, log: false)
  }

  /// Row-wise log-softmax.
  public func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    BackendCheck.matrix("logSoftmaxRows", rows: rows, cols: cols)
    RowKernels.softmax(x, y, rows: 0..<rows, cols: cols, log: true)
  }

  /// Layer normalisation forward.
  public func layerNormForward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
    mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
  ) {
    BackendCheck.matrix("layerNormForward", rows: rows, cols: cols)
    RowKernels.layerNormForward(
      x, y, rows: 0..<rows, cols: cols, gamma: gamma, beta: beta, eps: eps, mean: mean, rstd: rstd)
  }

  /// Layer normalisation backward.
  public func layerNormBackward(
    _ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
    gamma: UnsafePointer<Float>?, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
    dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?
  ) {
    BackendCheck.matrix("layerNormBackward", rows: rows, cols: cols)
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
    BackendCheck.count("sgdStep", count)
    OptimizerKernels.sgd(p, g, velocity, range: 0..<count, hyper: hyper, firstStep: firstStep)
  }

  /// One Adam/AdamW step.
  public func adamStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, hyper: AdamHyperparameters,
    step: Int
  ) {
    BackendCheck.count("adamStep", count)
    OptimizerKernels.adam(p, g, m, v, range: 0..<count, hyper: hyper, step: step)
  }

  /// im2col, image by image.
  public func im2col(
    _ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    BackendCheck.window("im2col", batch: batch, g)
    for b in 0..<batch { ConvolutionKernels.im2col(x + b * g.inputCount, cols + b * g.patchSize * g.outPositions, g) }
  }

  /// col2im, image by image.
  public func col2im(
    _ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    BackendCheck.window("col2im", batch: batch, g)
    for b in 0..<batch { ConvolutionKernels.col2im(cols + b * g.patchSize * g.outPositions, dx + b * g.inputCount, g) }
  }

  /// Max pooling, image by image.
  public func maxPool2d(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, batch: Int,
    geometry g: WindowGeometry
  ) {
    BackendCheck.window("maxPool2d", batch: batch, g)
    let out = g.channels * g.outPositions
    for b in 0..<batch { ConvolutionKernels.maxPool(x + b * g.inputCount, y + b * out, argmax: argmax + b * out, g) }
  }

  /// Max pooling's backward, image by image.
  public func maxPool2dBackward(
    _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>, batch: Int,
    geometry g: WindowGeometry
  ) {
    BackendCheck.window("maxPool2dBackward", batch: batch, g)
    let out = g.channels * g.outPositions
    for b in 0..<batch {
      ConvolutionKernels.maxPoolBackward(dy + b * out, argmax: argmax + b * out, dx + b * g.inputCount, g)
    }
  }

  /// Average pooling, image by image.
  public func avgPool2d(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    BackendCheck.window("avgPool2d", batch: batch, g)
    let out = g.channels * g.outPositions
    for b in 0..<batch { ConvolutionKernels.avgPool(x + b * g.inputCount, y + b * out, g) }
  }

  /// Average pooling's backward, image by image.
  public func avgPool2dBackward(
    _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, geometry g: WindowGeometry
  ) {
    BackendCheck.window("avgPool2dBackward", batch: batch, g)
    let out = g.channels * g.outPositions
    for b in 0..<batch { ConvolutionKernels.avgPoolBackward(dy + b * out, dx + b * g.inputCount, g) }
  }
}
