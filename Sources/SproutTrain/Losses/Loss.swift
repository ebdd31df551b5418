import Foundation

import SproutConfig

/// The training objectives (``LossConfig``): each returns the loss of a batch and *overwrites* `gradient`
/// (same shape as the output) with dL/d(output), reduced as PyTorch's default `reduction="mean"`.
///
/// Sums run in Float64 in row order, so the loss does not depend on thread count or backend.
///
/// - mse: `mean((y − t)²)` over all `batch × width` elements; gradient `2(y − t)/(batch·width)`.
/// - cross_entropy: softmax cross-entropy from logits against class indices (stored as floats, one per row),
///   `mean_r Σ_k −q_rk log p_rk` with `q = (1 − ε)·onehot + ε/width` (PyTorch's `label_smoothing`); gradient
///   `(p − q)/batch`.
/// - bce_with_logits: binary cross-entropy from logits, targets in [0, 1] per element, in the stable form
///   `w·t·softplus(−y) + (1 − t)·softplus(y)` with `w` the positive weight, mean over all elements; gradient
///   `(σ(y)(w·t + 1 − t) − w·t)/(batch·width)`.
extension LossConfig {
  /// The loss's name in the language.
  public var name: String {
    switch self {
    case .mse: "mse"
    case .crossEntropy: "cross_entropy"
    case .bceWithLogits: "bce_with_logits"
    case .ibp: "ibp"
    }
  }

  /// Floats of target per row: `width` for mse/bce, 1 (the class index) for cross-entropy.
  public func targetWidth(outputWidth: Int) -> Int { readsClassIndices ? 1 : outputWidth }

  /// Loss of `output` (`batch × width`) against `target`; writes dL/d(output) into `gradient`.
  /// A cross-entropy class index outside `0..<width` (or not an integer) is a precondition failure: datasets
  /// validate labels against the model when a task starts (`Dataset.check(fits:loss:)`).
  public func evaluate(
    output y: UnsafePointer<Float>, target t: UnsafePointer<Float>, batch: Int, width: Int,
    gradient g: UnsafeMutablePointer<Float>
  ) -> Float {
    var total = 0.0
    accumulate(output: y, target: t, batch: batch, width: width, gradient: g, into: &total)
    let n = terms(target: t, batch: batch, width: width)
    return n == 0 ? 0 : Float(total / Double(n))
  }

  /// How many terms the mean is over: every value for mse and bce, every row for cross-entropy.
  public func terms(batch: Int, width: Int) -> Int { readsClassIndices ? batch : batch * width }

  /// How many terms the mean over these targets is over: as `terms(batch:width:)`, less the cross-entropy rows whose
  /// label is the ignored target −100 (PyTorch's `ignore_index`).
  public func terms(target t: UnsafePointer<Float>, batch: Int, width: Int) -> Int {
    guard readsClassIndices else { return batch * width }
    var n = 0
    for r in 0..<batch where t[r] != Self.ignoredLabel { n += 1 }
    return n
  }

  /// The class label cross-entropy skips (PyTorch's `ignore_index` default): no loss term, zero gradient.
  public static let ignoredLabel: Float = -100

  /// Adds the batch's loss terms to `total` in row order (the loss is `total / terms`) and writes the gradient of
  /// the batch's mean into `gradient`. Passes over several batches that carry `total` along add the same terms in
  /// the same order as one pass over all rows, so an evaluation's loss does not depend on its batch size.
  public func accumulate(
    output y: UnsafePointer<Float>, target t: UnsafePointer<Float>, batch: Int, width: Int,
    gradient g: UnsafeMutablePointer<Float>, into total: inout Double
  ) {
    let n = batch * width
    switch self {
    case .mse:
      let scale = 2 / Float(n)
      for i in 0..<n {
        let d = y[i] - t[i]
        total += Double(d) * Double(d)
        g[i] = scale * d
      }
    case .ibp:
      // Without a box (evaluation, whole-data records) the certified objective is the clean cross-entropy.
      LossConfig.crossEntropy(labelSmoothing: 0).accumulate(
        output: y, target: t, batch: batch, width: width, gradient: g, into: &total)
    case .crossEntropy(let smoothing):
      LossConfig.crossEntropy(
        logits: y, batch: batch, width: width, smoothing: smoothing, gradient: g, into: &total
      ) { r in
        let v = t[r]
        if v == LossConfig.ignoredLabel { return nil }
        precondition(v >= 0 && v < Float(width) && v == v.rounded(), "class \(v) outside 0..<\(width)")
        return Int(v)
      }
    case .bceWithLogits(let posWeight):
      let inv = 1 / Float(n)
      for i in 0..<n {
        let v = Double(y[i]), target = Double(t[i])
        let sig = v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v))
        if posWeight == 1 {
          total += max(v, 0) - v * target + Foundation.log1p(Foundation.exp(-abs(v)))
          g[i] = Float(sig - target) * inv
        } else {
          // softplus(y) = max(y, 0) + log1p(e^−|y|); softplus(−y) = softplus(y) − y.
          let softplus = max(v, 0) + Foundation.log1p(Foundation.exp(-abs(v)))
          total += posWeight * target * (softplus - v) + (1 - target) * softplus
          g[i] = Float(sig * (posWeight * target + 1 - target) - posWeight * target) * inv
        }
      }
    }
  }

  /// Cross-entropy from logits with class indices in an integer buffer (one per row); otherwise as
  /// `Loss.crossEntropy.evaluate`.
  public static func crossEntropy(
    logits y: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, width: Int,
    gradient g: UnsafeMutablePointer<Float>
  ) -> Float {
    var total = 0.0
    crossEntropy(logits: y, batch: batch, width: width, smoothing: 0, gradient: g, into: &total) { r in
      precondition(labels[r] >= 0 && Int(labels[r]) < width, "class \(labels[r]) outside 0..<\(width)")
      return Int(labels[r])
    }
    return Float(total / Double(batch))
  }

  /// Stable softmax cross-entropy (rows whose `label` is nil are skipped, with zero gradient; the mean is over the
  /// others): per row `logZ = m + ln Σ e^(y − m)` with m the row maximum, in Float64.
  static func crossEntropy(
    logits y: UnsafePointer<Float>, batch: Int, width: Int, smoothing: Double, gradient g: UnsafeMutablePointer<Float>,
    into total: inout Double, label: (Int) -> Int?
  ) {
    var counted = 0
    for r in 0..<batch where label(r) != nil { counted += 1 }
    let inv = 1 / Float(Swift.max(counted, 1))
    for r in 0..<batch {
      let row = y + r * width, grow = g + r * width
      guard let k = label(r) else {
        for j in 0..<width { grow[j] = 0 }
        continue
      }
      var m = row[0]
      for j in 1..<max(width, 1) { m = max(m, row[j]) }
      var s = 0.0
      for j in 0..<width { s += Foundation.exp(Double(row[j] - m)) }
      let logZ = Double(m) + Foundation.log(s)
      if smoothing == 0 {
        total += logZ - Double(row[k])
        for j in 0..<width { grow[j] = Float(Foundation.exp(Double(row[j]) - logZ)) * inv }
        grow[k] -= inv
      } else {
        // q = (1 − ε)·onehot + ε/width: loss Σ_j q_j (logZ − y_j), gradient p − q.
        let spread = smoothing / Double(width)
        var rowLoss = 0.0
        for j in 0..<width {
          let q = spread + (j == k ? 1 - smoothing : 0)
          rowLoss += q * (logZ - Double(row[j]))
          grow[j] = Float(Foundation.exp(Double(row[j]) - logZ) - q) * inv
        }
        total += rowLoss
      }
    }
  }

  /// The loss alone (no gradient), for evaluation passes; `scratch` receives the discarded gradient.
  public func value(
    output: UnsafePointer<Float>, target: UnsafePointer<Float>, batch: Int, width: Int,
    scratch: UnsafeMutablePointer<Float>
  ) -> Float {
    evaluate(output: output, target: target, batch: batch, width: width, gradient: scratch)
  }
}
