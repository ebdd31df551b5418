import Foundation
import SproutConfig

/// Each form's value, analytic Jacobian and starting guesses.
extension FitForm {
  /// `f(x; θ)`.
  public func value(_ x: Double, _ p: [Double]) -> Double {
    switch self {
    case .linear: return p[0] + p[1] * x
    case .powerLaw: return p[0] * Foundation.pow(x, p[1]) + p[2]
    case .expSaturation: return p[1] + (p[0] - p[1]) * Foundation.exp(-x / p[2])
    case .massiveActivation:
      let u = p[2] * x + p[3]
      return p[0] * Foundation.exp(-p[1] * u) * Foundation.log(u) + p[4]
    }
  }

  /// ∂f/∂θ at `x`, written into `row` (one entry per parameter).
  func gradient(_ x: Double, _ p: [Double], into row: inout [Double]) {
    switch self {
    case .linear:
      row[0] = 1
      row[1] = x
    case .powerLaw:
      let xb = Foundation.pow(x, p[1])
      row[0] = xb
      row[1] = p[0] * xb * Foundation.log(x)
      row[2] = 1
    case .expSaturation:
      let e = Foundation.exp(-x / p[2])
      row[0] = e
      row[1] = 1 - e
      row[2] = (p[0] - p[1]) * e * x / (p[2] * p[2])
    case .massiveActivation:
      let u = p[2] * x + p[3]
      let e = Foundation.exp(-p[1] * u)
      let l = Foundation.log(u)
      let du = p[0] * e * (1 / u - p[1] * l)
      row[0] = e * l
      row[1] = -p[0] * u * e * l
      row[2] = du * x
      row[3] = du
      row[4] = 1
    }
  }

  /// Whether `x` is in the form's domain for every parameter value (the power law needs x > 0).
  func accepts(_ x: Double) -> Bool {
    switch self {
    case .powerLaw: return x > 0
    default: return true
    }
  }

  /// Starting points to try, deterministic, from the data (the fitter keeps the best result). Parameters the
  /// linear ones depend on are set by linear least squares given the nonlinear ones (variable projection).
  func guesses(x: [Double], y: [Double]) -> [[Double]] {
    let xMin = x.min() ?? 0, xMax = x.max() ?? 1
    let range = Swift.max(xMax - xMin, 1e-12)
    let yMin = y.min() ?? 0, yMax = y.max() ?? 0
    switch self {
    case .linear:
      let (a, b) = Self.line(x, y) ?? (y.first ?? 0, 0)
      return [[a, b]]
    case .powerLaw:
      let spread = Swift.max(yMax - yMin, 1e-12)
      var out: [[Double]] = []
      for c in [0, yMin - 0.01 * spread, yMin - 0.5 * spread, yMax + 0.01 * spread, yMax + 0.5 * spread] {
        let z = y.map { $0 - c }
        let sign: Double = z.allSatisfy { $0 > 0 } ? 1 : z.allSatisfy { $0 < 0 } ? -1 : 0
        guard sign != 0, let (la, b) = Self.line(x.map(Foundation.log), z.map { Foundation.log(abs($0)) }) else {
          continue
        }
        out.append([sign * Foundation.exp(la), b, c])
      }
      return out.isEmpty ? [[y.last ?? 1, 0, 0]] : out
    case .expSaturation:
      let first = y.first ?? 0, last = y.last ?? 0
      return [range / 10, range / 3, range].map { [first, last, $0] }
    case .massiveActivation:
      var out: [[Double]] = []
      for g in [1.0, 10, 100, 1000] {
        let gamma = g / range
        let t0 = 1.0
        let uMax = gamma * xMax + t0
        for l in [0, 0.3, 1, 3, 10] {
          let lambda = l / uMax
          let basis = x.map { v -> Double in
            let u = gamma * v + t0
            return Foundation.exp(-lambda * u) * Foundation.log(u)
          }
          guard let (k, a) = Self.line(basis, y) else { continue }
          out.append([a, lambda, gamma, t0, k])
        }
      }
      return out
    }
  }

  /// Least-squares line `y ≈ a + b·x`; nil when x has no spread.
  static func line(_ x: [Double], _ y: [Double]) -> (Double, Double)? {
    let n = Double(x.count)
    guard n >= 2 else { return nil }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxx = 0.0, sxy = 0.0
    for (a, b) in zip(x, y) {
      sxx += (a - mx) * (a - mx)
      sxy += (a - mx) * (b - my)
    }
    guard sxx > 0, sxx.isFinite, sxy.isFinite else { return nil }
    let b = sxy / sxx
    return (my - b * mx, b)
  }
}

extension FitForm {
  /// Quantities derived from fitted parameters: for the massive-activation form with λ > 0, `t_peak`, the step of
  /// the extremum of `exp(−λu)·ln(u)`, `(exp(W(1/λ)) − t0)/γ` with W the Lambert W function (Gallego-Feliciano et al.).
  public func derived(_ p: [Double]) -> [(String, Double)] {
    switch self {
    case .massiveActivation:
      guard p[1] > 0, p[2] > 0 else { return [] }
      return [("t_peak", (Foundation.exp(Self.lambertW(1 / p[1])) - p[3]) / p[2])]
    case .linear, .powerLaw, .expSaturation:
      return []
    }
  }

  /// The principal branch of the Lambert W function for z ≥ 0 (w·eʷ = z), by Halley's iteration.
  static func lambertW(_ z: Double) -> Double {
    var w = Foundation.log(1 + z)
    for _ in 0..<64 {
      let e = Foundation.exp(w)
      let f = w * e - z
      let next = w - f / (e * (w + 1) - (w + 2) * f / (2 * w + 2))
      if abs(next - w) <= 1e-15 * Swift.max(1, abs(next)) { return next }
      w = next
    }
    return w
  }
}
