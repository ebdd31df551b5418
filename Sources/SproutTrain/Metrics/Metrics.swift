import SproutConfig
import Foundation

/// Pure metric functions: each takes numbers and returns numbers, with its formula and source beside it.
/// `MetricsRecorder` (Training) applies them to a network, its data and its initial snapshot.
public enum Metrics {
  // MARK: Spectra of weight matrices

  /// Roy & Vetterli's effective rank (EUSIPCO 2007): with `p_i = σ_i / Σ_j σ_j`,
  /// `erank = exp(−Σ_i p_i·ln p_i)` (0·ln 0 = 0). Between 1 (rank one) and the number of nonzero σ
  /// (a flat spectrum); 0 for the zero matrix. This is the "effective rank" of `record: [effective_rank]`.
  public static func effectiveRank(singularValues s: [Double]) -> Double {
    let total = s.reduce(0, +)
    guard total > 0 else { return 0 }
    var entropy = 0.0
    for v in s where v > 0 {
      let p = v / total
      entropy -= p * Foundation.log(p)
    }
    return Foundation.exp(entropy)
  }

  /// Participation ratio `(Σ σ_i²)² / Σ σ_i⁴` (the eigenvalue participation ratio of `WᵀW`, used in
  /// neuroscience as a dimensionality; offered beside Roy & Vetterli because the effective-rank definition of
  /// Liu et al., ICLR 2024, could not be confirmed; docs/metrics.md). 0 for the zero matrix.
  public static func participationRatio(singularValues s: [Double]) -> Double {
    guard let top = s.max(), top > 0 else { return 0 }
    // Scale by σ_max so the fourth powers neither overflow nor underflow.
    var s2 = 0.0, s4 = 0.0
    for v in s {
      let r = (v / top) * (v / top)
      s2 += r
      s4 += r * r
    }
    return s2 * s2 / s4
  }

  /// Stable rank `‖W‖_F² / ‖W‖_2² = Σ σ_i² / σ_max²` (Rudelson & Vershynin 2007). 0 for the zero matrix.
  public static func stableRank(singularValues s: [Double]) -> Double {
    guard let top = s.max(), top > 0 else { return 0 }
    return s.reduce(0) { $0 + ($1 / top) * ($1 / top) }
  }

  // MARK: Distances between weights and kernels

  /// Distance from the initialization `‖W − W₀‖_F` in float64 (`weight_change` with `relative: false`).
  public static func absoluteChange(_ w: [Float], from w0: [Float]) -> Double {
    precondition(w.count == w0.count, "weight has \(w.count) values, its initialization \(w0.count)")
    return euclideanNorm(zip(w, w0).map { Double($0) - Double($1) })
  }

  /// `‖W − W₀‖_F / ‖W₀‖_F` (Liu et al., ICLR 2024, with the norm of the initialization as the scale, so
  /// layers of different size compare). When `W₀ = 0` the ratio is undefined: 0 if W is still 0, else +∞.
  public static func relativeChange(_ w: [Float], from w0: [Float]) -> Double {
    let diff = absoluteChange(w, from: w0)
    let base = euclideanNorm(w0.map(Double.init))
    if base == 0 { return diff == 0 ? 0 : .infinity }
    return diff / base
  }

  /// Frobenius cosine `⟨A, B⟩_F / (‖A‖_F ‖B‖_F)` of two equally shaped matrices — kernel alignment
  /// `KA(K₀, K_t)` of Liu et al. (ICLR 2024) when A and B are tangent kernels. NaN when either is zero.
  public static func alignment(_ a: DenseMatrix, _ b: DenseMatrix) -> Double {
    precondition(a.rows == b.rows && a.cols == b.cols, "kernels of shapes \(a.rows)×\(a.cols) and \(b.rows)×\(b.cols)")
    let na = a.frobeniusNorm, nb = b.frobeniusNorm
    guard na > 0, nb > 0 else { return .nan }
    var s = 0.0
    for i in 0..<a.values.count { s += (a.values[i] / na) * (b.values[i] / nb) }
    return s
  }

  // MARK: Outputs

  /// Peak signal-to-noise ratio in dB: `10·log10(range² / MSE)`, with `range` the span of the targets'
  /// value range (2 for [−1, 1]; as SIREN reports it on images rescaled to [−1, 1]). +∞ for a perfect fit.
  public static func psnr(mse: Double, range: Double) -> Double {
    precondition(range > 0, "PSNR needs a positive value range")
    if mse == 0 { return .infinity }
    return 10 * Foundation.log10(range * range / mse)
  }

  /// Mean squared error `Σ(y − t)² / n` in float64.
  public static func meanSquaredError(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count {
      let d = Double(y[i]) - Double(t[i])
      s += d * d
    }
    return count > 0 ? s / Double(count) : 0
  }

  /// Correct predictions and how many were judged, for the stage's loss:
  ///
  /// - `cross_entropy`: one per row, argmax of the logits (ties take the first maximum, as `torch.argmax`)
  ///   against the class index in `targets` (one value per row); rows labelled −100 (ignored) are not judged.
  /// - `bce_with_logits`: one per output value, `logit > 0` against `target ≥ 0.5` (multi-label accuracy).
  /// - `mse`: one per row; with several outputs argmax(y) against argmax(t) (one-hot targets), with one output
  ///   `y ≥ 0.5` against `t ≥ 0.5` (0/1 targets).
  public static func accuracyCounts(
    outputs y: UnsafePointer<Float>, targets t: UnsafePointer<Float>, rows: Int, width: Int, loss: LossConfig
  ) -> (correct: Int, total: Int) {
    func argmax(_ p: UnsafePointer<Float>) -> Int {
      var best = 0
      for j in 1..<Swift.max(width, 1) where p[j] > p[best] { best = j }
      return best
    }
    var correct = 0
    switch loss {
    case .crossEntropy, .ibp:
      var judged = 0
      for r in 0..<rows where t[r] != LossConfig.ignoredLabel {
        judged += 1
        if Float(argmax(y + r * width)) == t[r] { correct += 1 }
      }
      return (correct, judged)
    case .bceWithLogits:
      for i in 0..<(rows * width) where (y[i] > 0) == (t[i] >= 0.5) { correct += 1 }
      return (correct, rows * width)
    case .mse:
      for r in 0..<rows {
        if width == 1 {
          if (y[r] >= 0.5) == (t[r] >= 0.5) { correct += 1 }
        } else if argmax(y + r * width) == argmax(t + r * width) {
          correct += 1
        }
      }
      return (correct, rows)
    }
  }

  /// 1-D Wasserstein-1 distance between two non-negative weightings of the bin indices 0, 1, …, n−1, each
  /// normalised to sum 1: `Σ_k |U_k − V_k|` with U, V the cumulative sums (SciPy's `wasserstein_distance(idx,
  /// idx, u_weights, v_weights)`, as FreSh's `find_optimal_config.py` calls it). NaN when a weighting is all 0.
  public static func wasserstein1(_ u: [Double], _ v: [Double]) -> Double {
    precondition(u.count == v.count, "spectra of \(u.count) and \(v.count) bins")
    let su = u.reduce(0, +), sv = v.reduce(0, +)
    guard su > 0, sv > 0 else { return .nan }
    var cu = 0.0, cv = 0.0, total = 0.0
    for k in 0..<max(u.count - 1, 0) {
      cu += u[k] / su
      cv += v[k] / sv
      total += abs(cu - cv)
    }
    return total
  }

  /// The median of `values` (mean of the two middle values for an even count, as `numpy.median`).
  public static func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    let n = s.count
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2])
  }
}
