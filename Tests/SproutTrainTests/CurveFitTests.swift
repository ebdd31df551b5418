import Foundation
import SproutConfig
import SproutDiagnostics
import Testing

@testable import SproutTrain

/// The `fit` stage's least squares: known curves are recovered, noisy ones agree with SciPy's curve_fit on the same
/// points, bounds hold, and the massive-activation form's peak is where its closed form puts it.
@Suite struct CurveFitTests {
  /// Points of `form` with parameters `p` at `x`, with relative Gaussian noise `noise` (seeded).
  static func curve(_ form: FitForm, _ p: [Double], x: [Double], noise: Double = 0, seed: UInt64 = 1) -> [Double] {
    var rng = SplitMix64(seed: seed)
    let clean = x.map { form.value($0, p) }
    let scale = (clean.map(abs).max() ?? 1)
    return clean.map { v in
      // Box–Muller from two uniforms.
      let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300)
      let u2 = Double(rng.next() >> 11) / Double(1 << 53)
      return v + noise * scale * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
  }

  static let cases: [(form: FitForm, truth: [Double], x: [Double])] = [
    (.linear, [0.5, -0.002], (0...40).map { Double($0 * 25) }),
    (.powerLaw, [3.0, -0.45, 0.2], (1...40).map { Double($0 * 25) }),
    (.expSaturation, [2.3, 0.4, 180], (0...40).map { Double($0 * 25) }),
    // Gallego-Feliciano et al. 2025's shape: A = 2000, λ = 0.8, γ = 1/20000, t0 = 1, 37 checkpoints to 143,000 steps.
    (.massiveActivation, [2000, 0.8, 1.0 / 20000, 1, 50], (0...36).map { Double($0) * 143_000 / 36 }),
  ]

  @Test(arguments: 0..<4) func knownCurvesAreRecovered(_ i: Int) throws {
    let c = Self.cases[i]
    let y = Self.curve(c.form, c.truth, x: c.x)
    let fit = try CurveFit.fit(c.form, x: c.x, y: y)
    #expect(fit.r2 > 1 - 1e-9, "\(c.form): R² \(fit.r2)")
    for (k, (got, want)) in zip(fit.parameters, c.truth).enumerated() {
      #expect(abs(got - want) <= 1e-4 * max(abs(want), 1e-3), "\(c.form) \(c.form.parameters[k]): \(got) vs \(want)")
    }
  }

  /// A toy of the paper's fit: the 5-parameter curve with 2% noise on 37 points gives R² > 0.99 and the peak near the truth.
  @Test func massiveActivationWithNoiseFindsThePeak() throws {
    let c = Self.cases[3]
    let y = Self.curve(c.form, c.truth, x: c.x, noise: 0.02, seed: 7)
    let fit = try CurveFit.fit(c.form, x: c.x, y: y)
    #expect(fit.r2 > 0.99)
    let peak = try #require(c.form.derived(fit.parameters).first { $0.0 == "t_peak" }?.1)
    #expect(abs(peak - 18370.2) < 0.1 * 18370.2, "t_peak \(peak)")
  }

  /// The closed form of the peak (via Lambert W) against a fine grid's argmax of the same curve (18370.5 vs 18370.2).
  @Test func peakOfTheMassiveActivationForm() throws {
    let peak = try #require(FitForm.massiveActivation.derived([2000, 0.8, 1.0 / 20000, 1, 0]).first?.1)
    #expect(abs(peak - 18370.2) < 0.5)
    let w = FitForm.lambertW(1 / 0.8)
    #expect(abs(w * exp(w) - 1.25) < 1e-12)
  }

  @Test func boundsHold() throws {
    let c = Self.cases[1]
    let y = Self.curve(c.form, c.truth, x: c.x)
    let fit = try CurveFit.fit(c.form, x: c.x, y: y, upper: [nil, -0.6, nil])
    #expect(fit.parameters[1] <= -0.6)
    #expect(abs(fit.parameters[1] - -0.6) < 1e-9, "the bound is active: \(fit.parameters[1])")
    #expect(fit.r2 < 1 - 1e-6)
  }

  @Test func tooFewPointsIsAnError() {
    #expect(throws: CurveFit.FitError.self) { try CurveFit.fit(.massiveActivation, x: [1, 2, 3], y: [1, 2, 3]) }
    // The power law leaves out x ≤ 0.
    #expect(throws: CurveFit.FitError.self) { try CurveFit.fit(.powerLaw, x: [0, 0, 1, 2], y: [1, 1, 2, 3]) }
  }

  // MARK: - SciPy

  /// .venv-test/bin/python at the repository's root, which `make test` (scripts/test-venv.sh) creates with NumPy and
  /// SciPy (among the tests' other readers) from PyPI.
  static var python: String {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    return root.appendingPathComponent(".venv-test/bin/python").path
  }

  static func scipy(
    _ form: FitForm, x: [Double], y: [Double], p0: [Double]
  ) throws -> (p: [Double], se: [Double], r2: Double) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Fixtures/scipy/curve_fit.py").path
    let job = JSONValue.object([
      "form": .string(form.rawValue), "x": .array(x.map { .double($0) }), "y": .array(y.map { .double($0) }),
      "p0": .array(p0.map { .double($0) }),
    ])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(job.canonical.utf8))
    try input.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "curve_fit.py failed")
    let v = try JSONValue.parse(text)
    func numbers(_ key: String) -> [Double] {
      guard case .array(let items)? = v[key] else { return [] }
      return items.compactMap(\.doubleValue)
    }
    return (numbers("p"), numbers("se"), v["r2"]?.doubleValue ?? .nan)
  }

  /// The same noisy points and the same start give the same minimum as scipy.optimize.curve_fit (method "lm"), the
  /// same standard errors (curve_fit's default, absolute_sigma=False) and the same R².
  @Test(arguments: 0..<4) func agreesWithSciPy(_ i: Int) throws {
    guard FileManager.default.isExecutableFile(atPath: Self.python) else {
      Issue.record("no \(Self.python): run `make test-deps` (scripts/test-venv.sh) to create it")
      return
    }
    let c = Self.cases[i]
    let y = Self.curve(c.form, c.truth, x: c.x, noise: 0.03, seed: UInt64(11 + i))
    let p0 = c.truth.enumerated().map { k, v in v * (k % 2 == 0 ? 1.1 : 0.93) }
    let ours = try CurveFit.fit(c.form, x: c.x, y: y, start: p0)
    let theirs = try Self.scipy(c.form, x: c.x, y: y, p0: p0)
    try #require(theirs.p.count == c.truth.count)
    for k in c.truth.indices {
      let name = c.form.parameters[k]
      #expect(
        abs(ours.parameters[k] - theirs.p[k]) <= 1e-5 * max(abs(theirs.p[k]), 1e-9),
        "\(c.form) \(name): \(ours.parameters[k]) vs SciPy \(theirs.p[k])")
      #expect(
        abs(ours.standardErrors[k] - theirs.se[k]) <= 1e-3 * max(abs(theirs.se[k]), 1e-12),
        "\(c.form) \(name) standard error: \(ours.standardErrors[k]) vs SciPy \(theirs.se[k])")
    }
    #expect(abs(ours.r2 - theirs.r2) < 1e-9, "R² \(ours.r2) vs SciPy \(theirs.r2)")
  }
}
