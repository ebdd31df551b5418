/// One parallel kernel call described as a value, so the worker pool can run it without closures.
///
/// Handing threads a closure costs a heap allocation per call (the closure's context must outlive the
/// caller's frame as far as the compiler can tell). A `KernelWork` is a plain enum of pointers and numbers;
/// the backend keeps one `KernelJob` object for the pool, overwrites its `work` before each parallel call
/// and the pool's threads call `execute(part:)` on it: no allocation in a steady-state step.
enum KernelWork {
  case gemm(Gemm.Problem, splitColumns: Bool)
  case map(UnaryOp, UnsafePointer<Float>, UnsafeMutablePointer<Float>, count: Int)
  case zip(BinaryOp, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, count: Int)
  case activationForward(
    Activation, UnsafePointer<Float>, UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>?, count: Int)
  case activationBackward(
    Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int)
  case axpy(Float, UnsafePointer<Float>, UnsafeMutablePointer<Float>, count: Int)
  case scale(UnsafeMutablePointer<Float>, Float, count: Int)
  case columnSums(UnsafePointer<Float>, rows: Int, cols: Int, UnsafeMutablePointer<Float>, accumulate: Bool)
  case addBias(UnsafeMutablePointer<Float>, rows: Int, cols: Int, UnsafePointer<Float>)
  case sgd(
    UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?, count: Int,
    SGDHyperparameters, firstStep: Bool)
  case adam(
    UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
    count: Int, AdamHyperparameters, step: Int)

  /// Runs part `part` of `parts`. Every part's range depends only on the sizes and `parts`, and every element
  /// is computed by the same code whatever its range, so the union of the parts is the same bits for any
  /// `parts`.
  func execute(part: Int, of parts: Int, scratch: Gemm.Scratch) {
    let piece = { (total: Int, align: Int) in CPUBackend.piece(part, of: parts, total: total, align: align) }
    switch self {
    case .gemm(let p, let splitColumns):
      if splitColumns {
        Gemm.compute(p, rows: 0..<p.m, cols: piece(p.n, Gemm.nr), scratch: scratch)
      } else {
        Gemm.compute(p, rows: piece(p.m, Gemm.mr), cols: 0..<p.n, scratch: scratch)
      }
    case .map(let op, let x, let y, let count):
      ElementwiseKernels.map(op, x, y, range: piece(count, 64))
    case .zip(let op, let x, let y, let z, let count):
      ElementwiseKernels.zip(op, x, y, z, range: piece(count, 64))
    case .activationForward(let f, let x, let y, let saved, let count):
      ActivationKernels.forward(f, x, y, saved: saved, range: piece(count, 64))
    case .activationBackward(let f, let x, let y, let saved, let dy, let dx, let count):
      ActivationKernels.backward(f, x: x, y: y, saved: saved, dy: dy, dx: dx, range: piece(count, 64))
    case .axpy(let alpha, let x, let y, let count):
      ElementwiseKernels.axpy(alpha: alpha, x, y, range: piece(count, 64))
    case .scale(let x, let alpha, let count):
      ElementwiseKernels.scale(x, by: alpha, range: piece(count, 64))
    case .columnSums(let x, let rows, let cols, let y, let accumulate):
      ElementwiseKernels.columnSums(x, rows: rows, stride: cols, cols: piece(cols, 64), y, accumulate: accumulate)
    case .addBias(let y, let rows, let cols, let bias):
      ElementwiseKernels.addBias(y, rows: piece(rows, 1), cols: cols, bias: bias)
    case .sgd(let p, let g, let v, let count, let hyper, let firstStep):
      OptimizerKernels.sgd(p, g, v, range: piece(count, 64), hyper: hyper, firstStep: firstStep)
    case .adam(let p, let g, let m, let v, let count, let hyper, let step):
      OptimizerKernels.adam(p, g, m, v, range: piece(count, 64), hyper: hyper, step: step)
    }
  }
}

/// The backend's reusable carrier of `KernelWork` for the pool's threads.
final class KernelJob: @unchecked Sendable {
  // @unchecked Sendable: the caller writes `work` and `parts` before publishing a generation to the pool (a release
  // store) and the workers read them after observing it (an acquire load); nobody writes them while a call runs.
  var work: KernelWork = .scale(UnsafeMutablePointer(bitPattern: 64)!, 1, count: 0)
  var parts = 1
  let scratch: [Gemm.Scratch]

  init(scratch: [Gemm.Scratch]) { self.scratch = scratch }

  /// Runs part `part` of the current work (called by the pool, on the caller's thread for part 0).
  func execute(part: Int) { work.execute(part: part, of: parts, scratch: scratch[part]) }
}
