import SproutDiagnostics
import Foundation
import SproutTensor

/// Checks every kernel of a backend against float64 references on random inputs.
///
/// Tolerances: a matrix product's error is measured against `Σ|a·b|` (the scale of its rounding error) and
/// must stay below 1e-5 (k ≤ 300: about 100 float32 ulps of headroom over the blocked-FMA bound); elementwise
/// kernels and activations are measured as `|Δ| / (1 + |want|)` and must stay below 1e-5 (a few ulps of the
/// vectorised polynomials, plus the float32 rounding of `ω·x` for SIREN's sine); row kernels and optimizer
/// steps below 1e-5 as well.
public enum KernelConformance {
  /// The scaled-error tolerance of matrix products.
  public static let gemmTolerance = 1e-5
  /// The scaled-error tolerance of elementwise kernels, activations, row kernels and optimizer steps.
  public static let elementTolerance = 1e-5

  /// Runs every check on `backend` with inputs from `seed`.
  public static func run(_ backend: any Backend, seed: UInt64 = 0x5EED) -> ConformanceReport {
    var rng = SplitMix64(seed: seed)
    var checks: [KernelCheck] = []
    checks += gemmChecks(backend, &rng)
    checks += elementwiseChecks(backend, &rng)
    checks += activationChecks(backend, &rng)
    checks += RowConformance.checks(backend, &rng)
    checks += EpilogueConformance.checks(backend, &rng)
    checks += ConvConformance.checks(backend, &rng)
    return ConformanceReport(subject: "\(backend.name) (\(backend.threads) threads)", checks: checks)
  }

  /// Shapes that hit full tiles, partial tiles, one row/column, k = 1 and several k blocks.
  static let gemmShapes: [(Int, Int, Int)] = [
    (1, 1, 1), (6, 16, 8), (7, 17, 3), (37, 45, 53), (128, 40, 300), (13, 1, 260), (1, 33, 70), (64, 64, 1),
  ]

  static func gemmChecks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    for (m, n, k) in gemmShapes {
      for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
        for (alpha, beta) in [(Float(1), Float(0)), (Float(0.5), Float(-1.5))] {
          let name = "gemm(\(transA ? "T" : "N"),\(transB ? "T" : "N")) \(m)x\(n)x\(k) α=\(alpha) β=\(beta)"
          checks.append(
            gemmCheck(backend, name, m: m, n: n, k: k, transA: transA, transB: transB, alpha: alpha, beta: beta,
                      rng: &rng))
        }
      }
    }
    return checks
  }

  /// One product with padded leading dimensions (lda/ldb/ldc larger than the rows they hold).
  static func gemmCheck(
    _ backend: any Backend, _ name: String, m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
    alpha: Float, beta: Float, rng: inout SplitMix64
  ) -> KernelCheck {
    let aRows = transA ? k : m
    let aCols = transA ? m : k
    let bRows = transB ? n : k
    let bCols = transB ? k : n
    let lda = aCols + 3
    let ldb = bCols + 1
    let ldc = n + 2
    let a = rng.floats(aRows * lda)
    let b = rng.floats(bRows * ldb)
    let c0 = rng.floats(m * ldc)
    var c = c0
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          backend.gemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: pa.baseAddress!, lda: lda,
            b: pb.baseAddress!, ldb: ldb, beta: beta, c: pc.baseAddress!, ldc: ldc)
        }
      }
    }
    var meter = ErrorMeter(name, tolerance: gemmTolerance, scale: "|Δ| / (|α|·Σ|a·b| + |β·c|)")
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        var magnitude = 0.0
        for p in 0..<k {
          let av = Double(transA ? a[p * lda + i] : a[i * lda + p])
          let bv = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
          sum += av * bv
          magnitude += Swift.abs(av * bv)
        }
        let cOld = Double(c0[i * ldc + j])
        let want = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * cOld)
        let scale = Swift.abs(Double(alpha)) * magnitude + Swift.abs(Double(beta) * cOld)
        meter.add(got: c[i * ldc + j], want: want, magnitude: Swift.max(scale, 1e-30))
      }
      // Padding between rows must be left alone.
      for j in n..<ldc where c[i * ldc + j] != c0[i * ldc + j] {
        meter.mismatch = true
      }
    }
    return meter.check
  }

  static func elementwiseChecks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    let count = 1003
    let unaries: [(UnaryOp, String, Float, Float)] = [
      (.negate, "negate", -5, 5), (.abs, "abs", -5, 5), (.square, "square", -5, 5), (.sqrt, "sqrt", 0, 100),
      (.exp, "exp", -80, 80), (.log, "log", 1e-3, 1e3), (.sin, "sin", -100, 100), (.cos, "cos", -100, 100),
      (.tanh, "tanh", -8, 8), (.affine(2.5, -1), "affine", -5, 5), (.clamp(-1, 2), "clamp", -5, 5),
    ]
    for (op, name, lo, hi) in unaries {
      let x = rng.floats(count, lo, hi)
      var y = [Float](repeating: .nan, count: count)
      backend.map(op, x, &y, count: count)
      var meter = ErrorMeter("map(\(name))", tolerance: elementTolerance)
      if case .exp = op { meter.scale = "|Δ| / |want|" }
      for i in 0..<count {
        let want = Reference.unary(op, Double(x[i]))
        if case .exp = op {
          meter.add(got: y[i], want: want, magnitude: Swift.abs(want))
        } else {
          meter.add(got: y[i], want: want)
        }
      }
      checks.append(meter.check)
    }
    let binaries: [(BinaryOp, String)] = [
      (.add, "add"), (.subtract, "subtract"), (.multiply, "multiply"), (.divide, "divide"),
      (.maximum, "maximum"), (.minimum, "minimum"),
    ]
    for (op, name) in binaries {
      let x = rng.floats(count, -3, 3)
      var y = rng.floats(count, -3, 3)
      if case .divide = op { y = y.map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 } }
      var z = [Float](repeating: .nan, count: count)
      backend.zip(op, x, y, &z, count: count)
      var meter = ErrorMeter("zip(\(name))", tolerance: elementTolerance)
      for i in 0..<count { meter.add(got: z[i], want: Reference.binary(op, Double(x[i]), Double(y[i]))) }
      checks.append(meter.check)
    }
    let big = rng.floats(10_007, -2, 2)
    for (op, name) in [(ReduceOp.sum, "sum"), (.sumOfSquares, "sumOfSquares"), (.maxAbs, "maxAbs")] {
      let got = backend.reduce(op, big, count: big.count)
      var want = 0.0
      var magnitude = 0.0
      for v in big.map(Double.init) {
        switch op {
        case .sum: want += v
        case .sumOfSquares: want += v * v
        case .maxAbs: want = Swift.max(want, Swift.abs(v))
        }
        magnitude += op == .sumOfSquares ? v * v : Swift.abs(v)
      }
      var meter = ErrorMeter("reduce(\(name)) n=\(big.count)", tolerance: elementTolerance, scale: "|Δ| / Σ|x|")
      meter.add(got: got, want: want, magnitude: op == .maxAbs ? 1 + want : magnitude)
      checks.append(meter.check)
    }
    checks.append(contentsOf: bufferChecks(backend, &rng))
    return checks
  }

  /// columnSums, fill, copy, addBias, axpy and scale.
  static func bufferChecks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    let rows = 37
    let cols = 45
    let x = rng.floats(rows * cols)
    for accumulate in [false, true] {
      let y0 = rng.floats(cols)
      var y = y0
      backend.columnSums(x, rows: rows, cols: cols, &y, accumulate: accumulate)
      var meter = ErrorMeter("columnSums(accumulate: \(accumulate))", tolerance: elementTolerance)
      for j in 0..<cols {
        var want = accumulate ? Double(y0[j]) : 0
        for r in 0..<rows { want += Double(x[r * cols + j]) }
        meter.add(got: y[j], want: want)
      }
      checks.append(meter.check)
    }
    var filled = [Float](repeating: .nan, count: 21)
    backend.fill(&filled, value: 2.5, count: 21)
    var fill = ErrorMeter("fill", tolerance: 0)
    for v in filled { fill.add(got: v, want: 2.5) }
    checks.append(fill.check)
    var copied = [Float](repeating: .nan, count: x.count)
    backend.copy(x, &copied, count: x.count)
    var copy = ErrorMeter("copy", tolerance: 0)
    for i in 0..<x.count { copy.add(got: copied[i], want: Double(x[i])) }
    checks.append(copy.check)
    let bias = rng.floats(cols)
    var biased = x
    backend.addBias(&biased, rows: rows, cols: cols, bias: bias)
    var addBias = ErrorMeter("addBias", tolerance: elementTolerance)
    for i in 0..<x.count { addBias.add(got: biased[i], want: Double(x[i]) + Double(bias[i % cols])) }
    checks.append(addBias.check)
    let y0 = rng.floats(x.count)
    var y = y0
    backend.axpy(alpha: -0.75, x, &y, count: x.count)
    var axpy = ErrorMeter("axpy", tolerance: elementTolerance)
    for i in 0..<x.count { axpy.add(got: y[i], want: Double(y0[i]) - 0.75 * Double(x[i])) }
    checks.append(axpy.check)
    var scaled = x
    backend.scale(&scaled, by: 3, count: x.count)
    var scale = ErrorMeter("scale", tolerance: elementTolerance)
    for i in 0..<x.count { scale.add(got: scaled[i], want: 3 * Double(x[i])) }
    checks.append(scale.check)
    return checks
  }

  static func activationChecks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    let count = 2051
    for (f, name, lo, hi) in Reference.activations {
      var x = rng.floats(count, lo, hi)
      x[0] = 0
      x[1] = lo
      var y = [Float](repeating: .nan, count: count)
      backend.activationForward(f, x, &y, count: count)
      var forward = ErrorMeter("activationForward(\(name))", tolerance: elementTolerance)
      for i in 0..<count { forward.add(got: y[i], want: Reference.forward(f, Double(x[i]))) }
      checks.append(forward.check)
      let dy = rng.floats(count)
      var dx = [Float](repeating: .nan, count: count)
      backend.activationBackward(f, x: x, y: y, dy: dy, dx: &dx, count: count)
      var backward = ErrorMeter("activationBackward(\(name))", tolerance: elementTolerance)
      for i in 0..<count {
        // At a kink (relu-like at exactly 0) PyTorch's choice is the left derivative: take it from Reference.
        backward.add(got: dx[i], want: Reference.derivative(f, Double(x[i])) * Double(dy[i]))
      }
      checks.append(backward.check)
      if f.savesForBackward {
        // The forward that saves (its output unchanged) and the backward from the saved buffer: the same bits.
        var ySaving = [Float](repeating: .nan, count: count)
        var saved = [Float](repeating: .nan, count: count)
        backend.activationForward(f, x, &ySaving, saved: &saved, count: count)
        var dxSaved = [Float](repeating: .nan, count: count)
        backend.activationBackward(f, x: x, y: y, saved: saved, dy: dy, dx: &dxSaved, count: count)
        checks.append(
          EpilogueConformance.bitIdentity("activation(\(name)) saving for the backward", ySaving, y, dxSaved, dx))
      }
    }
    return checks
  }
}
