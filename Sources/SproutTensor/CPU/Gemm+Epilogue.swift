/// The epilogue of a product: the kernels that would otherwise make separate passes over C (a dense layer's
/// bias and activation, an activation's backward pass), run on each block of C as soon as its last k block is
/// done, while it is still in cache. Each element goes through the same eight-lane code as the separate
/// kernels (`ElementwiseKernels.addBias`, `ActivationKernels.forward`/`backward`), so the bits are the same.
extension Gemm {
  /// Applies `p.epilogue` to the finished block `rows × cols` of C.
  @inline(__always)
  static func applyEpilogue(_ p: Problem, rows: Range<Int>, cols: Range<Int>) {
    switch p.epilogue {
    case .none: return
    case .biasActivation(let bias, let activation, let output, let saved):
      epilogueForward(p, bias: bias, activation: activation, output: output, saved: saved, rows: rows, cols: cols)
    case .activationGradient(let f, let x, let y, let saved):
      epilogueBackward(p, f, x: x, y: y, saved: saved, rows: rows, cols: cols)
    }
  }

  @inline(never)
  static func epilogueForward(
    _ p: Problem, bias: UnsafePointer<Float>?, activation: Activation?, output: UnsafeMutablePointer<Float>?,
    saved: UnsafeMutablePointer<Float>?, rows: Range<Int>, cols: Range<Int>
  ) {
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      if let bias { Lanes.map(UnsafePointer(row), bias, row, cols) { $0 + $1 } }
      if let activation, let output {
        ActivationKernels.forward(activation, UnsafePointer(row), output + o, saved: saved.map { $0 + o }, range: cols)
      }
    }
  }

  @inline(never)
  static func epilogueBackward(
    _ p: Problem, _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, saved: UnsafePointer<Float>?,
    rows: Range<Int>, cols: Range<Int>
  ) {
    for i in rows {
      let o = i * p.ldc
      let row = p.c + o
      ActivationKernels.backward(
        f, x: x + o, y: y + o, saved: saved.map { $0 + o }, dy: UnsafePointer(row), dx: row, range: cols)
    }
  }
}
