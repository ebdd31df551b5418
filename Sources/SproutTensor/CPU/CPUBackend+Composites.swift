// The composites worth splitting across threads: large activations (SIREN's sine over 4096×256), bias
// rows, axpy/scale, and optimizer updates. Each part runs the default's kernel on its own range.
extension CPUBackend {
  /// `y[r, c] += bias[c]`, rows split across threads.
  public func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
    let parts = rows * cols < Self.parallelElements || threads == 1 || rows < threads ? 1 : threads
    pool.runOrInline(busy: busy, parts: parts) { part in
      let range = Self.piece(part, of: parts, total: rows, align: 1)
      ElementwiseKernels.addBias(y, rows: range, cols: cols, bias: bias)
    }
  }

  /// `y = f(x)`.
  public func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    elementwise(count: count) { ActivationKernels.forward(f, x, y, range: $0) }
  }

  /// `dx = f'(x) · dy`.
  public func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    elementwise(count: count) { ActivationKernels.backward(f, x: x, y: y, dy: dy, dx: dx, range: $0) }
  }

  /// `y += alpha · x`.
  public func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    elementwise(count: count) { ElementwiseKernels.axpy(alpha: alpha, x, y, range: $0) }
  }

  /// `x *= alpha`.
  public func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
    elementwise(count: count) { ElementwiseKernels.scale(x, by: alpha, range: $0) }
  }

  /// One SGD step, parameters split across threads.
  public func sgdStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    velocity: UnsafeMutablePointer<Float>?, count: Int, hyper: SGDHyperparameters, firstStep: Bool
  ) {
    elementwise(count: count) { OptimizerKernels.sgd(p, g, velocity, range: $0, hyper: hyper, firstStep: firstStep) }
  }

  /// One Adam/AdamW step, parameters split across threads.
  public func adamStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, hyper: AdamHyperparameters,
    step: Int
  ) {
    elementwise(count: count) { OptimizerKernels.adam(p, g, m, v, range: $0, hyper: hyper, step: step) }
  }
}
