import SproutDiagnostics
import SproutTensor

/// Runs the same forward and backward computation on two backends and compares every output.
///
/// The computation is a two-layer perceptron step written directly in kernels (the shape of what layers
/// do): `Z1 = X·W1 + b1, A1 = f(Z1), Y = A1·W2 + b2`, a mean-squared-error gradient, then `dW2 = A1ᵀ·dY`,
/// `db2 = Σ dY`, `dA1 = dY·W2ᵀ`, `dZ1 = f'(Z1)·dA1`, `dW1 = Xᵀ·dZ1`, `db1 = Σ dZ1`, `dX = dZ1·W1ᵀ`, for several
/// activations and shapes. Backends may sum in different orders, so outputs agree within
/// `agreementTolerance` of the largest magnitude in each tensor (`|Δ| / max|want|`), not bit for bit.
public enum BackendAgreement {
  /// Tolerance on `|Δ| / max|want|` per tensor.
  public static let agreementTolerance = 1e-4

  /// Shapes `(batch, in, hidden, out)`, including ones that are not multiples of any block.
  static let shapes: [(Int, Int, Int, Int)] = [(32, 2, 64, 1), (17, 33, 70, 9), (128, 300, 129, 10)]

  static let activations: [(Activation, String)] = [
    (.relu, "relu"), (.tanh, "tanh"), (.gelu(approximateTanh: false), "gelu"), (.sine(omega: 30), "sine(30)"),
    (.selu, "selu"), (.softplus(beta: 1, threshold: 20), "softplus"),
  ]

  /// Compares `other` against `reference` (normally the cpu backend) on random problems from `seed`.
  public static func run(reference: any Backend, other: any Backend, seed: UInt64 = 0xA9EE) -> ConformanceReport {
    var rng = SplitMix64(seed: seed)
    var checks: [KernelCheck] = []
    for (batch, inputs, hidden, outputs) in shapes {
      for (f, fname) in activations {
        let problem = MLPProblem(batch: batch, inputs: inputs, hidden: hidden, outputs: outputs, rng: &rng)
        let want = problem.run(reference, f)
        let got = problem.run(other, f)
        for name in want.keys.sorted() {
          guard let w = want[name], let g = got[name] else { continue }
          let largest = w.reduce(0) { Swift.max($0, Swift.abs(Double($1))) }
          var meter = ErrorMeter(
            "\(name) [\(fname)] \(batch)x\(inputs)x\(hidden)x\(outputs)", tolerance: agreementTolerance,
            scale: "|Δ| / max|want|")
          for i in 0..<w.count { meter.add(got: g[i], want: Double(w[i]), magnitude: Swift.max(largest, 1e-30)) }
          checks.append(meter.check)
        }
      }
    }
    return ConformanceReport(subject: "\(other.name) vs \(reference.name)", checks: checks)
  }
}

/// The inputs of one agreement problem.
struct MLPProblem {
  let batch: Int
  let inputs: Int
  let hidden: Int
  let outputs: Int
  let x: [Float]
  let w1: [Float]
  let b1: [Float]
  let w2: [Float]
  let b2: [Float]
  let target: [Float]

  init(batch: Int, inputs: Int, hidden: Int, outputs: Int, rng: inout SplitMix64) {
    self.batch = batch
    self.inputs = inputs
    self.hidden = hidden
    self.outputs = outputs
    let s1 = 1 / Float(inputs).squareRoot()
    let s2 = 1 / Float(hidden).squareRoot()
    x = rng.floats(batch * inputs)
    w1 = rng.floats(inputs * hidden, -s1, s1)
    b1 = rng.floats(hidden, -s1, s1)
    w2 = rng.floats(hidden * outputs, -s2, s2)
    b2 = rng.floats(outputs, -s2, s2)
    target = rng.floats(batch * outputs)
  }

  /// Forward and backward on `backend`; returns every intermediate and gradient by name.
  func run(_ backend: any Backend, _ f: Activation) -> [String: [Float]] {
    var z1 = [Float](repeating: 0, count: batch * hidden)
    backend.gemm(transA: false, transB: false, m: batch, n: hidden, k: inputs, alpha: 1, a: x, lda: inputs,
                 b: w1, ldb: hidden, beta: 0, c: &z1, ldc: hidden)
    backend.addBias(&z1, rows: batch, cols: hidden, bias: b1)
    var a1 = [Float](repeating: 0, count: batch * hidden)
    backend.activationForward(f, z1, &a1, count: a1.count)
    var y = [Float](repeating: 0, count: batch * outputs)
    backend.gemm(transA: false, transB: false, m: batch, n: outputs, k: hidden, alpha: 1, a: a1, lda: hidden,
                 b: w2, ldb: outputs, beta: 0, c: &y, ldc: outputs)
    backend.addBias(&y, rows: batch, cols: outputs, bias: b2)
    // dY = 2/N · (Y − T)
    var dy = [Float](repeating: 0, count: y.count)
    backend.zip(.subtract, y, target, &dy, count: y.count)
    backend.scale(&dy, by: 2 / Float(y.count), count: dy.count)
    let loss = backend.reduce(.sumOfSquares, dy, count: dy.count)
    var dw2 = [Float](repeating: 0, count: hidden * outputs)
    backend.gemm(transA: true, transB: false, m: hidden, n: outputs, k: batch, alpha: 1, a: a1, lda: hidden,
                 b: dy, ldb: outputs, beta: 0, c: &dw2, ldc: outputs)
    var db2 = [Float](repeating: 0, count: outputs)
    backend.columnSums(dy, rows: batch, cols: outputs, &db2, accumulate: false)
    var da1 = [Float](repeating: 0, count: batch * hidden)
    backend.gemm(transA: false, transB: true, m: batch, n: hidden, k: outputs, alpha: 1, a: dy, lda: outputs,
                 b: w2, ldb: outputs, beta: 0, c: &da1, ldc: hidden)
    var dz1 = [Float](repeating: 0, count: da1.count)
    backend.activationBackward(f, x: z1, y: a1, dy: da1, dx: &dz1, count: dz1.count)
    var dw1 = [Float](repeating: 0, count: inputs * hidden)
    backend.gemm(transA: true, transB: false, m: inputs, n: hidden, k: batch, alpha: 1, a: x, lda: inputs,
                 b: dz1, ldb: hidden, beta: 0, c: &dw1, ldc: hidden)
    var db1 = [Float](repeating: 0, count: hidden)
    backend.columnSums(dz1, rows: batch, cols: hidden, &db1, accumulate: false)
    var dx = [Float](repeating: 0, count: batch * inputs)
    backend.gemm(transA: false, transB: true, m: batch, n: inputs, k: hidden, alpha: 1, a: dz1, lda: hidden,
                 b: w1, ldb: hidden, beta: 0, c: &dx, ldc: inputs)
    return [
      "forward Z1": z1, "forward A1": a1, "forward Y": y, "loss Σ dY²": [loss], "grad W2": dw2, "grad b2": db2,
      "grad A1": da1, "grad Z1": dz1, "grad W1": dw1, "grad b1": db1, "grad X": dx,
    ]
  }
}
