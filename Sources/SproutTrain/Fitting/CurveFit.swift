import Foundation
import SproutConfig

/// Nonlinear least squares by Levenberg–Marquardt: minimises `½ Σ (f(xᵢ; θ) − yᵢ)²` over θ inside box bounds.
///
/// Each iteration solves `(JᵀJ + μ·D) δ = −Jᵀr` with D the diagonal of JᵀJ (Marquardt's scaling), projects θ + δ
/// into the bounds, and accepts the step when the cost falls; μ follows Nielsen's gain-ratio update. The search
/// starts from every point the form proposes (``FitForm/guesses(x:y:)``, with the spec's starting values
/// substituted) and keeps the lowest cost, so results do not depend on a lucky start.
///
/// Standard errors are those of `scipy.optimize.curve_fit` with `absolute_sigma=False`:
/// `√diag((JᵀJ)⁻¹ · SSR/(n − p))` at the solution.
public enum CurveFit {
  /// A fit's outcome.
  public struct Result: Sendable, Hashable {
    /// θ, in the form's parameter order.
    public var parameters: [Double]
    /// Standard error of each parameter (NaN when JᵀJ is singular at the solution).
    public var standardErrors: [Double]
    /// `1 − SSR/SST`.
    public var r2: Double
    /// `√(SSR/n)`.
    public var rmse: Double
    /// Points fitted.
    public var points: Int
    /// Iterations of the run that won.
    public var iterations: Int
    /// Whether that run met a convergence test (not only the iteration limit).
    public var converged: Bool
  }

  /// Why a fit cannot be made.
  public struct FitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
  }

  /// Iterations per start.
  public static let maxIterations = 5000

  /// Fits `form` to the points (x, y). `start`, `lower` and `upper` hold one optional value per parameter.
  /// - Throws: ``FitError`` with fewer points than parameters + 1, or when no start gives a finite cost.
  public static func fit(
    _ form: FitForm, x xs: [Double], y ys: [Double], start: [Double?] = [], lower: [Double?] = [],
    upper: [Double?] = []
  ) throws -> Result {
    let names = form.parameters
    let p = names.count
    var x: [Double] = []
    var y: [Double] = []
    for (a, b) in zip(xs, ys) where a.isFinite && b.isFinite && form.accepts(a) {
      x.append(a)
      y.append(b)
    }
    guard x.count > p else {
      throw FitError(
        description: "\(form.rawValue) has \(p) parameters and needs at least \(p + 1) usable points, found \(x.count)")
    }
    var lo = [Double](repeating: -.infinity, count: p)
    var hi = [Double](repeating: .infinity, count: p)
    var open = [Bool](repeating: false, count: p)
    for (i, name) in names.enumerated() {
      if let r = form.requiredLower[name] {
        lo[i] = r
        open[i] = true
      }
      if i < lower.count, let l = lower[i] {
        if l > lo[i] || (l == lo[i] && !open[i]) { open[i] = false }
        lo[i] = Swift.max(lo[i], l)
      }
      if i < upper.count, let u = upper[i] { hi[i] = u }
    }
    let bounds = Bounds(lower: lo, upper: hi, open: open)
    var best: (Result, Double)?
    for guess in form.guesses(x: x, y: y) {
      var s = guess
      for i in 0..<p where i < start.count { if let v = start[i] { s[i] = v } }
      guard let run = minimise(form, x: x, y: y, from: bounds.project(s), bounds: bounds) else { continue }
      if best == nil || run.cost < best!.1 { best = (finish(form, x: x, y: y, run: run), run.cost) }
    }
    guard let best else {
      throw FitError(description: "no starting point gives a finite residual for \(form.rawValue) on these points")
    }
    return best.0
  }

  /// Box bounds; an open bound keeps θ strictly inside.
  struct Bounds {
    var lower: [Double]
    var upper: [Double]
    var open: [Bool]

    func project(_ p: [Double]) -> [Double] {
      p.enumerated().map { i, v in
        var w = Swift.min(Swift.max(v, lower[i]), upper[i])
        if open[i], w <= lower[i] { w = lower[i] + Swift.max(abs(lower[i]), 1) * 1e-12 }
        return w
      }
    }
  }

  struct Run {
    var parameters: [Double]
    var cost: Double
    var iterations: Int
    var converged: Bool
  }

  static func cost(_ form: FitForm, _ x: [Double], _ y: [Double], _ p: [Double]) -> Double {
    var s = 0.0
    for (a, b) in zip(x, y) {
      let r = form.value(a, p) - b
      s += r * r
    }
    return s.isFinite ? s / 2 : .infinity
  }

  /// JᵀJ (p × p, row-major) and Jᵀr at θ.
  static func normalEquations(_ form: FitForm, _ x: [Double], _ y: [Double], _ p: [Double]) -> ([Double], [Double]) {
    let n = p.count
    var a = [Double](repeating: 0, count: n * n)
    var g = [Double](repeating: 0, count: n)
    var row = [Double](repeating: 0, count: n)
    for (xv, yv) in zip(x, y) {
      form.gradient(xv, p, into: &row)
      let r = form.value(xv, p) - yv
      for i in 0..<n {
        g[i] += row[i] * r
        for j in 0..<n { a[i * n + j] += row[i] * row[j] }
      }
    }
    return (a, g)
  }

  static func minimise(_ form: FitForm, x: [Double], y: [Double], from start: [Double], bounds: Bounds) -> Run? {
    var p = start
    var c = cost(form, x, y, p)
    guard c.isFinite else { return nil }
    let n = p.count
    var (a, g) = normalEquations(form, x, y, p)
    var mu = 1e-3 * (0..<n).map { a[$0 * n + $0] }.max()!
    if !(mu > 0) || !mu.isFinite { mu = 1e-3 }
    var nu = 2.0
    for iteration in 1...maxIterations {
      if g.allSatisfy({ abs($0) <= 1e-15 * Swift.max(1, 2 * c) }) {
        return Run(parameters: p, cost: c, iterations: iteration, converged: true)
      }
      var m = a
      for i in 0..<n { m[i * n + i] += mu * Swift.max(a[i * n + i], 1e-300) }
      guard let delta = solve(m, g.map { -$0 }, n: n) else {
        mu *= nu
        nu *= 2
        continue
      }
      let q = bounds.project(zip(p, delta).map { $0 + $1 })
      let step = zip(q, p).map { $0 - $1 }
      let cNew = cost(form, x, y, q)
      // Predicted reduction of the quadratic model for the (projected) step.
      var predicted = 0.0
      for i in 0..<n {
        predicted -= g[i] * step[i]
        for j in 0..<n { predicted -= 0.5 * step[i] * a[i * n + j] * step[j] }
      }
      let rho = predicted > 0 ? (c - cNew) / predicted : (cNew < c ? 1 : -1)
      if cNew.isFinite, cNew < c, rho > 0 {
        // Both the step and the cost's change must be negligible: a large μ alone also makes small steps.
        let small = zip(step, q).allSatisfy { abs($0) <= 1e-12 * (abs($1) + 1e-12) }
        let flat = (c - cNew) <= 1e-15 * c
        p = q
        c = cNew
        (a, g) = normalEquations(form, x, y, p)
        mu *= Swift.max(1.0 / 3, 1 - Foundation.pow(2 * rho - 1, 3))
        nu = 2
        if (small && flat) || c == 0 { return Run(parameters: p, cost: c, iterations: iteration, converged: true) }
      } else {
        if step.allSatisfy({ $0 == 0 }) || mu > 1e300 {
          // Pinned against a bound, or no step helps: a (constrained) minimum.
          return Run(parameters: p, cost: c, iterations: iteration, converged: true)
        }
        mu *= nu
        nu *= 2
      }
    }
    return Run(parameters: p, cost: c, iterations: maxIterations, converged: false)
  }

  static func finish(_ form: FitForm, x: [Double], y: [Double], run: Run) -> Result {
    let n = run.parameters.count
    let ssr = 2 * run.cost
    let mean = y.reduce(0, +) / Double(y.count)
    let sst = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    let (a, _) = normalEquations(form, x, y, run.parameters)
    let variance = ssr / Double(y.count - n)
    var errors = [Double](repeating: .nan, count: n)
    if let inverse = invert(a, n: n) {
      for i in 0..<n {
        let v = inverse[i * n + i] * variance
        errors[i] = v >= 0 ? v.squareRoot() : .nan
      }
    }
    return Result(
      parameters: run.parameters, standardErrors: errors, r2: sst > 0 ? 1 - ssr / sst : (ssr == 0 ? 1 : 0),
      rmse: (ssr / Double(y.count)).squareRoot(), points: y.count, iterations: run.iterations,
      converged: run.converged)
  }

  /// Solves `m·v = b` (n × n, row-major) by Gaussian elimination with partial pivoting; nil when singular.
  static func solve(_ m: [Double], _ b: [Double], n: Int) -> [Double]? {
    var a = m
    var v = b
    for col in 0..<n {
      var pivot = col
      for r in (col + 1)..<Swift.max(n, col + 1) where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
      guard abs(a[pivot * n + col]) > 0, a[pivot * n + col].isFinite else { return nil }
      if pivot != col {
        for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) }
        v.swapAt(col, pivot)
      }
      for r in (col + 1)..<Swift.max(n, col + 1) {
        let f = a[r * n + col] / a[col * n + col]
        guard f != 0 else { continue }
        for k in col..<n { a[r * n + k] -= f * a[col * n + k] }
        v[r] -= f * v[col]
      }
    }
    var out = [Double](repeating: 0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
      var s = v[r]
      for k in (r + 1)..<Swift.max(n, r + 1) { s -= a[r * n + k] * out[k] }
      out[r] = s / a[r * n + r]
    }
    return out.allSatisfy(\.isFinite) ? out : nil
  }

  /// The inverse of a symmetric positive definite n × n matrix, column by column; nil when singular.
  static func invert(_ m: [Double], n: Int) -> [Double]? {
    var out = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
      var e = [Double](repeating: 0, count: n)
      e[j] = 1
      guard let col = solve(m, e, n: n) else { return nil }
      for i in 0..<n { out[i * n + j] = col[i] }
    }
    return out
  }
}
