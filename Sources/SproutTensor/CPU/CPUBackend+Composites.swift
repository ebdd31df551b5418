// The composites worth splitting across threads: large activations (SIREN's sine over 4096×256), bias
// rows, axpy/scale, and optimizer updates. Each part runs the default's kernel on its own range.
extension CPUBackend {
  /// `y[r, c] += bias[c]`, rows split across threads.
  public func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
    BackendCheck.matrix("addBias", rows: rows, cols: cols)
    let parts = rows < threads ? 1 : elementParts(rows * cols)
    parallel(.addBias(y, rows: rows, cols: cols, bias), parts: parts)
  }

  /// `y = f(x)`.
  public func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>?, count: Int
  ) {
    BackendCheck.count("activationForward", count)
    parallel(.activationForward(f, x, y, saved: saved, count: count), parts: elementParts(count))
  }

  /// `dx = f'(x) · dy`.
  public func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    BackendCheck.count("activationBackward", count)
    parallel(
      .activationBackward(f, x: x, y: y, saved: saved, dy: dy, dx: dx, count: count), parts: elementParts(count))
  }

  /// `y += alpha · x`.
  public func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("axpy", count)
    parallel(.axpy(alpha, x, y, count: count), parts: elementParts(count))
  }

  /// `x *= alpha`.
  public func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
    BackendCheck.count("scale", count)
    parallel(.scale(x, alpha, count: count), parts: elementParts(count))
  }

  /// One SGD step, parameters split across threads.
  public func sgdStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    velocity: UnsafeMutablePointer<Float>?, count: Int, hyper: SGDHyperparameters, firstStep: Bool
  ) {
    BackendCheck.count("sgdStep", count)
    parallel(.sgd(p, g, velocity, count: count, hyper, firstStep: firstStep), parts: elementParts(count))
  }

  /// One Adam/AdamW step, parameters split across threads.
  public func adamStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, hyper: AdamHyperparameters,
    step: Int
  ) {
    BackendCheck.count("adamStep", count)
    parallel(.adam(p, g, m, v, count: count, hyper, step: step), parts: elementParts(count))
  }
}
