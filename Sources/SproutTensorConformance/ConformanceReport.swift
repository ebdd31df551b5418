/// The outcome of checking one kernel (on one family of inputs) against a reference.
public struct KernelCheck: Sendable, Hashable, CustomStringConvertible {
  /// The kernel and case, e.g. `gemm(T,N) 37x45x53` or `activationBackward(gelu tanh)`.
  public var kernel: String
  /// Largest `|got − want|`.
  public var maxAbsError: Double
  /// Largest `|got − want| / |want|` over elements with `|want| > 1e-6`.
  public var maxRelError: Double
  /// Largest error scaled as the tolerance is stated (see `scale`), the number compared with `tolerance`.
  public var maxScaledError: Double
  /// The tolerance on the scaled error.
  public var tolerance: Double
  /// How the error is scaled: e.g. `|Δ| / (1 + |want|)` or `|Δ| / Σ|a·b|`.
  public var scale: String
  /// Whether every element was within tolerance (and NaN/∞ matched).
  public var passed: Bool

  /// One line: verdict, kernel, errors and tolerance.
  public var description: String {
    let verdict = passed ? "ok  " : "FAIL"
    return "\(verdict) \(kernel): max abs \(maxAbsError), max rel \(maxRelError), "
      + "scaled \(maxScaledError) ≤ \(tolerance) [\(scale)]"
  }
}

/// Every check of one run of the conformance suite.
public struct ConformanceReport: Sendable, CustomStringConvertible {
  /// The backend (or `cpu vs blas` pair) checked.
  public var subject: String
  /// The checks in the order they ran.
  public var checks: [KernelCheck]

  /// Whether every check passed.
  public var passed: Bool { checks.allSatisfy(\.passed) }
  /// The checks that failed.
  public var failures: [KernelCheck] { checks.filter { !$0.passed } }

  /// A header line and one line per check.
  public var description: String {
    (["\(subject): \(checks.count - failures.count)/\(checks.count) kernels within tolerance"]
      + checks.map(\.description)).joined(separator: "\n")
  }
}

/// Accumulates the errors of one check element by element.
struct ErrorMeter {
  var kernel: String
  var tolerance: Double
  var scale: String
  var maxAbs = 0.0
  var maxRel = 0.0
  var maxScaled = 0.0
  var mismatch = false

  init(_ kernel: String, tolerance: Double, scale: String = "|Δ| / (1 + |want|)") {
    self.kernel = kernel
    self.tolerance = tolerance
    self.scale = scale
  }

  /// Records one element; `magnitude` is the denominator of the scaled error (default `1 + |want|`).
  mutating func add(got: Float, want: Double, magnitude: Double? = nil) {
    let g = Double(got)
    if want.isNaN || g.isNaN || want.isInfinite || g.isInfinite {
      if !(want.isNaN && g.isNaN) && g != want { mismatch = true }
      return
    }
    let d = Swift.abs(g - want)
    maxAbs = Swift.max(maxAbs, d)
    if Swift.abs(want) > 1e-6 { maxRel = Swift.max(maxRel, d / Swift.abs(want)) }
    let denominator = magnitude ?? (1 + Swift.abs(want))
    maxScaled = Swift.max(maxScaled, denominator > 0 ? d / denominator : d)
  }

  var check: KernelCheck {
    KernelCheck(
      kernel: kernel, maxAbsError: maxAbs, maxRelError: maxRel, maxScaledError: maxScaled, tolerance: tolerance,
      scale: scale, passed: !mismatch && maxScaled <= tolerance)
  }
}
