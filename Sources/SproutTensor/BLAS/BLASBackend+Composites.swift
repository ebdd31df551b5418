// The composites the cpu backend runs on its threads; the blas backend hands them over unchanged, so the
// two backends differ only in their matrix products.
extension BLASBackend {
  /// `y[r, c] += bias[c]` (cpu kernel).
  public func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
    BackendCheck.matrix("addBias", rows: rows, cols: cols)
    cpu.addBias(y, rows: rows, cols: cols, bias: bias)
  }

  /// `y = f(x)` (cpu kernel).
  public func activationForward(
    _ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    saved: UnsafeMutablePointer<Float>?, count: Int
  ) {
    BackendCheck.count("activationForward", count)
    cpu.activationForward(f, x, y, saved: saved, count: count)
  }

  /// `dx = f'(x) · dy` (cpu kernel).
  public func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    BackendCheck.count("activationBackward", count)
    cpu.activationBackward(f, x: x, y: y, saved: saved, dy: dy, dx: dx, count: count)
  }

  /// `y += alpha · x` (cpu kernel).
  public func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    BackendCheck.count("axpy", count)
    cpu.axpy(alpha: alpha, x, y, count: count)
  }

  /// `x *= alpha` (cpu kernel).
  public func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
    BackendCheck.count("scale", count)
    cpu.scale(x, by: alpha, count: count)
  }

  /// One SGD step (cpu kernel).
  public func sgdStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    velocity: UnsafeMutablePointer<Float>?, count: Int, hyper: SGDHyperparameters, firstStep: Bool
  ) {
    BackendCheck.count("sgdStep", count)
    cpu.sgdStep(parameters: p, gradients: g, velocity: velocity, count: count, hyper: hyper, firstStep: firstStep)
  }

  /// One Adam/AdamW step (cpu kernel).
  public func adamStep(
    parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int, hyper: AdamHyperparameters,
    step: Int
  ) {
    BackendCheck.count("adamStep", count)
    cpu.adamStep(parameters: p, gradients: g, m: m, v: v, count: count, hyper: hyper, step: step)
  }
}
