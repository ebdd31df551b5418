import Foundation
import SproutTensor
import Testing

@testable import SproutTrain

/// A deliberately naive, single-threaded reference backend used only by these tests until the real cpu
/// backend (branch `tensor`) lands. Every kernel is the textbook loop.
final class NaiveBackend: Backend, @unchecked Sendable {
  var name: String { "naive" }
  var threads: Int { 1 }

  func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var s: Float = 0
        for p in 0..<k {
          let av = transA ? a[p * lda + i] : a[i * lda + p]
          let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
          s += av * bv
        }
        c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
      }
    }
  }

  func map(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count {
      let v = x[i]
      switch op {
      case .negate: y[i] = -v
      case .abs: y[i] = abs(v)
      case .square: y[i] = v * v
      case .sqrt: y[i] = v.squareRoot()
      case .exp: y[i] = Foundation.exp(v)
      case .log: y[i] = Foundation.log(v)
      case .sin: y[i] = Foundation.sin(v)
      case .cos: y[i] = Foundation.cos(v)
      case .tanh: y[i] = Foundation.tanh(v)
      case let .affine(a, b): y[i] = a * v + b
      case let .clamp(lo, hi): y[i] = min(max(v, lo), hi)
      }
    }
  }

  func zip(
    _ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
    count: Int
  ) {
    for i in 0..<count {
      switch op {
      case .add: z[i] = x[i] + y[i]
      case .subtract: z[i] = x[i] - y[i]
      case .multiply: z[i] = x[i] * y[i]
      case .divide: z[i] = x[i] / y[i]
      case .maximum: z[i] = max(x[i], y[i])
      case .minimum: z[i] = min(x[i], y[i])
      }
    }
  }

  func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, count: Int) -> Float {
    var s: Float = 0
    for i in 0..<count {
      switch op {
      case .sum: s += x[i]
      case .sumOfSquares: s += x[i] * x[i]
      case .maxAbs: s = max(s, abs(x[i]))
      }
    }
    return s
  }

  func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, _ y: UnsafeMutablePointer<Float>, accumulate: Bool) {
    for j in 0..<cols {
      var s: Float = 0
      for r in 0..<rows { s += x[r * cols + j] }
      y[j] = accumulate ? y[j] + s : s
    }
  }

  func fill(_ y: UnsafeMutablePointer<Float>, value: Float, count: Int) { for i in 0..<count { y[i] = value } }
  func copy(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] = x[i] }
  }
  func addBias(_ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int, bias: UnsafePointer<Float>) {
    for r in 0..<rows { for j in 0..<cols { y[r * cols + j] += bias[j] } }
  }
  func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] += alpha * x[i] }
  }
  func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) { for i in 0..<count { x[i] *= alpha } }

  func activationForward(_ f: Activation, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] = Float(NaiveBackend.value(f, Double(x[i]))) }
  }

  func activationBackward(
    _ f: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    for i in 0..<count { dx[i] = dy[i] * Float(NaiveBackend.derivative(f, Double(x[i]))) }
  }

  static let seluLambda = 1.0507009873554805, seluAlpha = 1.6732632423543772

  static func value(_ f: Activation, _ x: Double) -> Double {
    switch f {
    case .identity: return x
    case .relu: return max(x, 0)
    case let .leakyRelu(s): return x > 0 ? x : Double(s) * x
    case let .elu(a): return x > 0 ? x : Double(a) * (exp(x) - 1)
    case .selu: return seluLambda * (x > 0 ? x : seluAlpha * (exp(x) - 1))
    case .gelu(false): return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    case .gelu(true):
      return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    case .silu: return x / (1 + exp(-x))
    case .tanh: return tanh(x)
    case .sigmoid: return 1 / (1 + exp(-x))
    case let .softplus(beta, threshold):
      let b = Double(beta)
      return b * x > Double(threshold) ? x : log1p(exp(b * x)) / b
    case let .sine(omega): return sin(Double(omega) * x)
    }
  }

  static func derivative(_ f: Activation, _ x: Double) -> Double {
    switch f {
    case .identity: return 1
    case .relu: return x > 0 ? 1 : 0
    case let .leakyRelu(s): return x > 0 ? 1 : Double(s)
    case let .elu(a): return x > 0 ? 1 : Double(a) * exp(x)
    case .selu: return seluLambda * (x > 0 ? 1 : seluAlpha * exp(x))
    case .gelu(false):
      return 0.5 * (1 + erf(x / 2.0.squareRoot())) + x * exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    case .gelu(true):
      let k = (2 / Double.pi).squareRoot()
      let u = k * (x + 0.044715 * x * x * x)
      let t = tanh(u)
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    case .silu:
      let s = 1 / (1 + exp(-x))
      return s * (1 + x * (1 - s))
    case .tanh: return 1 - tanh(x) * tanh(x)
    case .sigmoid:
      let s = 1 / (1 + exp(-x))
      return s * (1 - s)
    case let .softplus(beta, threshold):
      let b = Double(beta)
      return b * x > Double(threshold) ? 1 : 1 / (1 + exp(-b * x))
    case let .sine(omega): return Double(omega) * cos(Double(omega) * x)
    }
  }
}

/// SplitMix64: a tiny seeded source of test numbers (tests only).
struct TestRandom {
  var state: UInt64
  init(_ seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float {
    lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
  }
  mutating func normal() -> Float {
    let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(next() >> 11) / Double(1 << 53)
    return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
  }
  mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in uniform() * scale } }
}

/// The backend the layer tests run on.
func testBackend() -> any Backend { NaiveBackend() }

/// Fills every trainable-or-not parameter of a dense/projection role with N(0, scale²) test values.
func randomizeWeights(_ net: Network, seed: UInt64, scale: Float = 0.5) {
  var rng = TestRandom(seed)
  for p in net.parameters where p.role == .weight || p.role == .bias || p.role == .projection {
    for i in 0..<p.value.count { p.value[i] = rng.normal() * scale }
  }
}

/// Result of a finite-difference check: the largest |analytic − numeric| relative to max(1, |numeric|).
struct GradientCheck {
  var worst: Double = 0
  var worstName = ""

  mutating func record(_ analytic: Double, _ numeric: Double, _ name: String) {
    let err = abs(analytic - numeric) / max(1, abs(numeric))
    if err > worst {
      worst = err
      worstName = "\(name): analytic \(analytic) numeric \(numeric)"
    }
  }
}

/// Checks input and parameter gradients of `net` on `x` with central differences in Float32 (step `h`).
/// The objective is `L = Σ c·y` with fixed random weights c, accumulated in Float64; the clock is reset
/// before every forward, so dropout draws the same mask each time.
func checkGradients(
  _ net: Network, x: [Float], batch: Int, training: Bool, h: Float = 1e-2, seed: UInt64 = 99,
  includeFrozen: Bool = false
) -> GradientCheck {
  var rng = TestRandom(seed)
  let c = rng.array(batch * net.outputWidth)
  var input = x
  func objective() -> Double {
    net.clock.count = 0
    let y = input.withUnsafeBufferPointer { net.forward($0.baseAddress!, batch: batch, training: training) }
    var s = 0.0
    for i in 0..<(batch * net.outputWidth) { s += Double(c[i]) * Double(y[i]) }
    return s
  }
  // Layers keep the input pointer until backward, so keep `input` alive and unchanged across the analytic pass.
  net.computesInputGradient = true
  net.zeroGradients()
  net.clock.count = 0
  let inputGrad: [Float] = input.withUnsafeBufferPointer { xp in
    net.forward(xp.baseAddress!, batch: batch, training: training)
    c.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!, batch: batch) }
    return Array(UnsafeBufferPointer(start: net.inputGradient!, count: batch * net.inputWidth))
  }
  var result = GradientCheck()
  for i in 0..<input.count {
    let saved = input[i]
    input[i] = saved + h
    let up = objective()
    input[i] = saved - h
    let down = objective()
    input[i] = saved
    result.record(Double(inputGrad[i]), (up - down) / Double(2 * h), "input[\(i)]")
  }
  for p in net.parameters where p.trainable || includeFrozen {
    let analytic = p.grad.array
    for i in 0..<p.value.count {
      let saved = p.value[i]
      p.value[i] = saved + h
      let up = objective()
      p.value[i] = saved - h
      let down = objective()
      p.value[i] = saved
      result.record(Double(analytic[i]), (up - down) / Double(2 * h), "\(p.name)[\(i)]")
    }
  }
  return result
}

@Test func naiveBackendMatchesDoubleGemm() {
  let be = NaiveBackend()
  let a: [Float] = [1, 2, 3, 4, 5, 6]  // 2×3
  let b: [Float] = [1, 0, 0, 1, 1, 1]  // 3×2
  var c = [Float](repeating: 0, count: 4)
  be.gemm(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 2, beta: 0, c: &c, ldc: 2)
  #expect(c == [4, 5, 10, 11])
}
