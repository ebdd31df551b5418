import Foundation

/// The spread of one metric over the trials of a group (usually its seeds).
///
/// Only finite values enter the mean: a diverged trial (NaN or an infinity) is counted in ``nonFinite`` and
/// shown apart, never averaged in silently.
public struct Summary: Sendable, Hashable {
  /// Finite values, in trial order.
  public var values: [Double]
  /// How many values were NaN or infinite.
  public var nonFinite: Int

  /// Summarises values (finite and not).
  public init<S: Sequence>(_ all: S) where S.Element == Double {
    var finite: [Double] = []
    var bad = 0
    for x in all {
      if x.isFinite { finite.append(x) } else { bad += 1 }
    }
    values = finite
    nonFinite = bad
  }

  /// Finite values counted.
  public var n: Int { values.count }

  /// The mean of the finite values (NaN when there are none).
  public var mean: Double {
    guard !values.isEmpty else { return .nan }
    // Two-pass (mean, then a correction) keeps the last bits right when values are large and close.
    let m = values.reduce(0, +) / Double(values.count)
    let correction = values.reduce(0) { $0 + ($1 - m) } / Double(values.count)
    return m + correction
  }

  /// The sample standard deviation (n − 1 in the denominator); nil with fewer than two values.
  public var sd: Double? {
    guard values.count > 1 else { return nil }
    let m = mean
    let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    return (ss / Double(values.count - 1)).squareRoot()
  }

  /// The 95% confidence interval of the mean (Student's t with n − 1 degrees of freedom); nil with fewer
  /// than two values.
  public var ci95: (low: Double, high: Double)? {
    guard let sd else { return nil }
    let half = StudentT.quantile975(degreesOfFreedom: values.count - 1) * sd / Double(values.count).squareRoot()
    return (mean - half, mean + half)
  }

  /// The smallest finite value.
  public var min: Double? { values.min() }
  /// The largest finite value.
  public var max: Double? { values.max() }
}

/// Quantiles of Student's t distribution, for confidence intervals.
public enum StudentT {
  /// t(0.975, df) for df 1…30 (standard tables, to 4 decimals).
  private static let table: [Double] = [
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
  ]

  /// The 97.5% quantile of t with `degreesOfFreedom` (≥ 1): the factor of a two-sided 95% interval.
  /// Beyond 30 degrees of freedom, the Cornish–Fisher expansion around the normal quantile (error < 1e-4).
  public static func quantile975(degreesOfFreedom df: Int) -> Double {
    precondition(df >= 1, "t quantile needs at least one degree of freedom")
    if df <= table.count { return table[df - 1] }
    let z = 1.959964, v = Double(df)
    let z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
      + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
  }
}
