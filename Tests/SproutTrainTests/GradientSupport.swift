import Foundation
import SproutTensor
import SproutConfig
import SproutDiagnostics
import Testing

@testable import SproutTrain

/// Seeded test numbers from the shared SplitMix64 (tests only).
struct LayerTestRandom {
  var rng: SplitMix64
  init(_ seed: UInt64) { rng = SplitMix64(seed: seed) }
  mutating func next() -> UInt64 { rng.next() }
  mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float { rng.float(lo, hi) }
  mutating func normal() -> Float {
    let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(next() >> 11) / Double(1 << 53)
    return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
  }
  mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in uniform() * scale } }
}

/// The backend the layer tests run on: the pure-Swift cpu backend, one thread.
func layerTestBackend() -> any Backend { CPUBackend(threads: 1) }

/// The shipped backends by name (blas needs libopenblas, which `make test` installs).
func layerTestBackend(named name: String, threads: Int = 1) throws -> any Backend {
  try Backends.make(name: name, threads: threads)
}

/// Fills every trainable-or-not parameter of a dense/projection role with N(0, scale²) test values.
func layerTestRandomizeWeights(_ net: Network, seed: UInt64, scale: Float = 0.5) {
  var rng = LayerTestRandom(seed)
  for p in net.parameters where p.role == .weight || p.role == .bias || p.role == .projection {
    for i in 0..<p.value.count { p.value[i] = rng.normal() * scale }
  }
}

/// Result of a finite-difference check: the largest |analytic − numeric| relative to max(1, |numeric|).
struct LayerGradientCheck {
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
func layerTestCheckGradients(
  _ net: Network, x: [Float], batch: Int, training: Bool, h: Float = 1e-2, seed: UInt64 = 99,
  includeFrozen: Bool = false, checkInput: Bool = true
) -> LayerGradientCheck {
  var rng = LayerTestRandom(seed)
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
  var result = LayerGradientCheck()
  // Token ids are indices: they have no gradient to check (`checkInput: false`).
  for i in 0..<(checkInput ? input.count : 0) {
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
