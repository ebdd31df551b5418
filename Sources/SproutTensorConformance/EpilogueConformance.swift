import SproutDiagnostics
import Foundation
import SproutTensor

/// Checks of matrix products with an epilogue (`gemm(…, epilogue:)`): a dense layer's bias and activation fused
/// into the product, and an activation's gradient fused into the product that feeds it.
///
/// Each case is checked twice:
/// - against float64: C (the product plus bias) within the product tolerance, and the activation output
///   `f(C)` (or the gradient `f'(x)·C`) within the elementwise tolerance, evaluated from the C the backend
///   produced, so that the two errors are measured separately;
/// - bit for bit (tolerance 0) against the same backend's separate kernels (`gemm`, then `addBias` and
///   `activationForward`, or `activationBackward`): the epilogue's contract is that fusing never changes a bit.
enum EpilogueConformance {
  /// `(m, n, k, transA, transB)`: the dense layer's own shapes (forward N,T; input gradient N,N) at sizes that
  /// hit full and partial tiles, more than one k block, one output column or row, k = 1, and the packed path.
  static let shapes: [(Int, Int, Int, Bool, Bool)] = [
    (32, 64, 64, false, true), (37, 45, 300, false, true), (13, 1, 70, false, true), (1, 33, 40, false, false),
    (64, 70, 1, false, false), (29, 50, 61, false, false), (150, 200, 300, false, false),
  ]

  static let activations: [(Activation, String, Float)] = [
    (.identity, "identity", 1), (.relu, "relu", 1), (.tanh, "tanh", 1), (.sine(omega: 30), "sine(30)", 0.05),
    (.gelu(approximateTanh: false), "gelu", 1), (.silu, "silu", 1), (.softplus(beta: 1, threshold: 20), "softplus", 1),
  ]

  static func checks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    for (index, (m, n, k, transA, transB)) in shapes.enumerated() {
      let (f, name, scale) = activations[index % activations.count]
      let problem = Problem(m: m, n: n, k: k, transA: transA, transB: transB, scale: scale, rng: &rng)
      let label = "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)x\(n)x\(k)"
      checks += forward(backend, problem, f, name: name, label: label, withBias: index % 3 != 2)
      checks += gradient(backend, problem, f, name: name, label: label, rng: &rng)
    }
    // The activations the cpu backend's epilogue runs in block loops of their own (tanh, relu, and sine with its
    // saved cosine): every one on blocks of several rows with partial vectors, with and without a bias.
    for (f, name, scale) in activations where ["relu", "tanh", "sine(30)"].contains(name) {
      for index in [0, 1, 5] {
        let (m, n, k, transA, transB) = shapes[index]
        let problem = Problem(m: m, n: n, k: k, transA: transA, transB: transB, scale: scale, rng: &rng)
        let label = "\(transA ? "T" : "N")\(transB ? "T" : "N") \(m)x\(n)x\(k)"
        checks += forward(backend, problem, f, name: name, label: label, withBias: true)
        checks += forward(backend, problem, f, name: name, label: label, withBias: false)
        checks += gradient(backend, problem, f, name: name, label: label, rng: &rng)
      }
    }
    return checks
  }

  /// One product's operands, with padded leading dimensions; entries scaled by `scale` (SIREN's sine wants
  /// pre-activations near 1/ω, not near 1).
  struct Problem {
    let m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    let lda: Int, ldb: Int, ldc: Int
    let a: [Float], b: [Float], c0: [Float], bias: [Float]

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, scale: Float, rng: inout SplitMix64) {
      (self.m, self.n, self.k, self.transA, self.transB) = (m, n, k, transA, transB)
      lda = (transA ? m : k) + 3
      ldb = (transB ? k : n) + 1
      ldc = n + 2
      let s = scale / Float(k).squareRoot()
      a = rng.floats((transA ? k : m) * lda, -s, s)
      b = rng.floats((transB ? n : k) * ldb)
      c0 = rng.floats(m * ldc)
      bias = rng.floats(n, -scale, scale)
    }

    /// `C = op(A)·op(B)` (α = 1, β = 0) through `backend`, with `epilogue`.
    func product(_ backend: any Backend, into c: inout [Float], epilogue: GemmEpilogue?) {
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeMutableBufferPointer { pc in
            if let epilogue {
              backend.gemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: lda,
                b: pb.baseAddress!, ldb: ldb, beta: 0, c: pc.baseAddress!, ldc: ldc, epilogue: epilogue)
            } else {
              backend.gemm(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: lda,
                b: pb.baseAddress!, ldb: ldb, beta: 0, c: pc.baseAddress!, ldc: ldc)
            }
          }
        }
      }
    }

    /// The float64 product at (i, j) and the scale of its rounding error, `Σ|a·b|`.
    func reference(_ i: Int, _ j: Int) -> (value: Double, magnitude: Double) {
      var sum = 0.0
      var magnitude = 0.0
      for p in 0..<k {
        let av = Double(transA ? a[p * lda + i] : a[i * lda + p])
        let bv = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
        sum += av * bv
        magnitude += Swift.abs(av * bv)
      }
      return (sum, magnitude)
    }
  }

  /// `C = op(A)·op(B) + bias`, `out = f(C)` in one call.
  static func forward(
    _ backend: any Backend, _ p: Problem, _ f: Activation, name: String, label: String, withBias: Bool
  ) -> [KernelCheck] {
    let bias = withBias ? p.bias : nil
    var c = p.c0
    var out = [Float](repeating: .nan, count: c.count)
    var saved = [Float](repeating: .nan, count: c.count)
    bias.withOptionalPointer { pb in
      out.withUnsafeMutableBufferPointer { po in
        saved.withUnsafeMutableBufferPointer { ps in
          p.product(
            backend, into: &c,
            epilogue: .biasActivation(bias: pb, activation: f, output: po.baseAddress!, saved: ps.baseAddress!))
        }
      }
    }
    let what = "gemm+\(withBias ? "bias+" : "")\(name) \(label)"
    var sum = ErrorMeter("\(what): C", tolerance: KernelConformance.gemmTolerance, scale: "|Δ| / Σ|a·b|")
    var act = ErrorMeter("\(what): f(C)", tolerance: KernelConformance.elementTolerance)
    for i in 0..<p.m {
      for j in 0..<p.n {
        let (value, magnitude) = p.reference(i, j)
        let b = withBias ? Double(p.bias[j]) : 0
        sum.add(got: c[i * p.ldc + j], want: value + b, magnitude: Swift.max(magnitude + Swift.abs(b), 1e-30))
        act.add(got: out[i * p.ldc + j], want: Reference.forward(f, Double(c[i * p.ldc + j])))
      }
      // The padding between rows is not C's: neither buffer may be written there.
      for j in p.n..<p.ldc where c[i * p.ldc + j] != p.c0[i * p.ldc + j] || !out[i * p.ldc + j].isNaN {
        sum.mismatch = true
      }
    }
    // The separate kernels, row by row (C's rows are padded).
    var separateC = p.c0
    var separateOut = [Float](repeating: .nan, count: c.count)
    var separateSaved = [Float](repeating: .nan, count: c.count)
    p.product(backend, into: &separateC, epilogue: nil)
    for i in 0..<p.m {
      separateC.withUnsafeMutableBufferPointer { pc in
        let row = pc.baseAddress! + i * p.ldc
        if let bias { backend.addBias(row, rows: 1, cols: p.n, bias: bias) }
        separateOut.withUnsafeMutableBufferPointer { po in
          separateSaved.withUnsafeMutableBufferPointer { ps in
            backend.activationForward(
              f, row, po.baseAddress! + i * p.ldc, saved: ps.baseAddress! + i * p.ldc, count: p.n)
          }
        }
      }
    }
    return [
      sum.check, act.check,
      bitIdentity("\(what) = separate kernels", c, separateC, out, separateOut, saved, separateSaved),
    ]
  }

  /// `C = f'(x) · (op(A)·op(B))` in one call, with `x` random and `y = f(x)` from the backend.
  static func gradient(
    _ backend: any Backend, _ p: Problem, _ f: Activation, name: String, label: String, rng: inout SplitMix64
  ) -> [KernelCheck] {
    let x = rng.floats(p.m * p.ldc, -2, 2)
    var y = [Float](repeating: 0, count: x.count)
    var saved = [Float](repeating: .nan, count: x.count)
    backend.activationForward(f, x, &y, saved: &saved, count: x.count)
    // The gradient from what the forward saved, and recomputed (nil): the same bits.
    var c = p.c0
    var recomputed = p.c0
    x.withUnsafeBufferPointer { px in
      y.withUnsafeBufferPointer { py in
        saved.withUnsafeBufferPointer { ps in
          p.product(
            backend, into: &c,
            epilogue: .activationGradient(f, x: px.baseAddress!, y: py.baseAddress!, saved: ps.baseAddress!))
        }
        p.product(
          backend, into: &recomputed, epilogue: .activationGradient(f, x: px.baseAddress!, y: py.baseAddress!, saved: nil))
      }
    }
    var plain = p.c0
    p.product(backend, into: &plain, epilogue: nil)
    let what = "gemm+\(name)' \(label)"
    var meter = ErrorMeter("\(what): f'(x)·C", tolerance: KernelConformance.elementTolerance)
    for i in 0..<p.m {
      for j in 0..<p.n {
        let e = i * p.ldc + j
        meter.add(got: c[e], want: Reference.derivative(f, Double(x[e])) * Double(plain[e]))
      }
      for j in p.n..<p.ldc where c[i * p.ldc + j] != p.c0[i * p.ldc + j] { meter.mismatch = true }
    }
    var separate = plain
    x.withUnsafeBufferPointer { px in
      y.withUnsafeBufferPointer { py in
        separate.withUnsafeMutableBufferPointer { ps in
          for i in 0..<p.m {
            let o = i * p.ldc
            backend.activationBackward(
              f, x: px.baseAddress! + o, y: py.baseAddress! + o, dy: ps.baseAddress! + o, dx: ps.baseAddress! + o,
              count: p.n)
          }
        }
      }
    }
    return [meter.check, bitIdentity("\(what) = separate kernels, saved or recomputed", c, separate, recomputed, separate)]
  }

  /// A check that passes only when every pair of buffers holds the same bits.
  static func bitIdentity(_ name: String, _ pairs: [Float]...) -> KernelCheck {
    var meter = ErrorMeter(name, tolerance: 0, scale: "bits differ")
    var index = 0
    while index + 1 < pairs.count {
      let (got, want) = (pairs[index], pairs[index + 1])
      if got.count != want.count || zip(got, want).contains(where: { $0.bitPattern != $1.bitPattern }) {
        meter.mismatch = true
      }
      index += 2
    }
    return meter.check
  }
}

extension Optional where Wrapped == [Float] {
  /// Calls `body` with a pointer to the array's elements, or nil.
  func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
    switch self {
    case .some(let array): return array.withUnsafeBufferPointer { body($0.baseAddress) }
    case .none: return body(nil)
    }
  }
}
