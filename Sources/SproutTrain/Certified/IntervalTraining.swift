import Foundation
import SproutConfig
import SproutTensor

/// The robust half of an `ibp` training step (``IBPConfig``): interval bound propagation of the box `[x − ε, x + ε]`
/// through the network, the cross-entropy of the worst-case logits it allows, Shi et al.'s warm-up regularizers on
/// the activations' input intervals, and the gradient of all of it *added* to the parameters' gradients. Each layer
/// passes intervals by its ``IntervalLayer`` (dense and convolution as linear maps with |W| for the radius, monotone
/// activations and max pooling bound by bound, average pooling and flatten as they are); buffers are planned once
/// for the largest batch.
///
/// ```
/// forward   linear      c' = c Wᵀ + b            r' = r |W|ᵀ
///           monotone f  l = c − r, u = c + r →   c' = (f(u) + f(l))/2,  r' = (f(u) − f(l))/2
///           logits      z̃ⱼ = cⱼ + rⱼ (j ≠ y),    z̃_y = c_y − r_y          L_rob = CE(z̃, y)
/// backward  linear      dW += dc'ᵀ c + (dr'ᵀ r) ⊙ sign(W),  db += Σ dc',  dc = dc' W,  dr = dr' |W|
///           monotone f  du = f'(u)(dc' + dr')/2,  dl = f'(l)(dc' − dr')/2,  dc = du + dl,  dr = du − dl
/// ```
public final class IntervalTraining {
  /// The network trained.
  public let network: Network
  /// The objective's settings.
  public let config: IBPConfig
  /// The most rows one propagation takes.
  public let maxBatch: Int

  private let steps: [any IntervalLayer]
  /// Interval centre and radius after each layer (`maxBatch × width`), and before the first (the input box).
  private let centre: [Tensor]
  private let radius: [Tensor]
  private let dCentre: [Tensor]
  private let dRadius: [Tensor]
  private let logits: Tensor
  private let logitGradient: Tensor

  /// Plans the buffers for batches of up to `batch` rows (the network's batch by default).
  /// - Throws: `TrainingError.invalidConfiguration` for a layer intervals cannot pass (the lint check
  ///   `spec.cannot-run` reports it first).
  public init(network: Network, config: IBPConfig, batch: Int? = nil) throws {
    self.network = network
    self.config = config
    let batch = batch ?? network.maxBatch
    maxBatch = batch
    switch intervalLayers(network, batch: batch) {
    case .success(let steps): self.steps = steps
    case .failure(let refusal):
      throw TrainingError.invalidConfiguration(
        "ibp cannot push intervals through layer \(refusal.index) (\(refusal.kind)): only dense and conv2d layers, "
          + "monotone activations, pooling, flatten and dropout")
    }
    let widths = [network.inputWidth] + network.layers.map(\.outputWidth)
    centre = widths.map { Tensor(zeros: [batch * $0]) }
    radius = widths.map { Tensor(zeros: [batch * $0]) }
    dCentre = widths.map { Tensor(zeros: [batch * $0]) }
    dRadius = widths.map { Tensor(zeros: [batch * $0]) }
    logits = Tensor(zeros: [batch * network.outputWidth])
    logitGradient = Tensor(zeros: [batch * network.outputWidth])
  }

  /// The parts of one step's objective.
  public struct Terms: Sendable, Hashable {
    /// ε_t.
    public var eps: Double
    /// CE of the worst-case logits.
    public var robust: Double
    /// The regularizers' sum (before λ_t).
    public var regularizer: Double
  }

  /// Pushes the box of radius `eps` around `batch` rows of `x` (at most ``maxBatch``) through the network
  /// (evaluation mode); afterwards ``outputBounds`` holds the logits' centre and radius, ``bounds(after:)`` any
  /// layer's.
  public func propagate(_ x: UnsafePointer<Float>, batch: Int, eps: Float) {
    let backend = network.backend
    backend.copy(x, centre[0].mutablePointer, count: batch * network.inputWidth)
    backend.fill(radius[0].mutablePointer, value: eps, count: batch * network.inputWidth)
    for (i, step) in steps.enumerated() {
      step.propagate(
        centre[i].pointer, radius[i].pointer, centre[i + 1].mutablePointer, radius[i + 1].mutablePointer, batch: batch)
    }
  }

  /// The interval after layer `index` of the last ``propagate(_:batch:eps:)``: centre and radius,
  /// `batch × outputWidth` of that layer.
  func bounds(after index: Int) -> (centre: UnsafePointer<Float>, radius: UnsafePointer<Float>) {
    (centre[index + 1].pointer, radius[index + 1].pointer)
  }

  /// The output interval of the last ``propagate(_:batch:eps:)``: centre and radius, `batch × outputWidth`.
  public var outputBounds: (centre: UnsafePointer<Float>, radius: UnsafePointer<Float>) {
    (centre[network.layers.count].pointer, radius[network.layers.count].pointer)
  }

  /// Adds `weight` × the gradient of the robust cross-entropy at ε (plus `regWeight` × the regularizers') to the
  /// parameters' gradients, for `batch` rows of `x` with class indices `labels`. Returns the objective's parts.
  public func accumulate(
    _ x: UnsafePointer<Float>, labels: UnsafePointer<Float>, batch: Int, eps: Double, weight: Double,
    regWeight: Double
  ) -> Terms {
    let backend = network.backend
    let layers = network.layers
    let last = layers.count
    let k = network.outputWidth
    propagate(x, batch: batch, eps: Float(eps))
    // Worst-case logits and their cross-entropy.
    let c = centre[last].pointer, r = radius[last].pointer
    let z = logits.mutablePointer
    for row in 0..<batch {
      let y = Int(labels[row])
      for j in 0..<k { z[row * k + j] = j == y ? c[row * k + j] - r[row * k + j] : c[row * k + j] + r[row * k + j] }
    }
    var total = 0.0
    LossConfig.crossEntropy(labelSmoothing: 0).accumulate(
      output: logits.pointer, target: labels, batch: batch, width: k, gradient: logitGradient.mutablePointer,
      into: &total)
    let robust = total / Double(batch)
    let dc = dCentre[last].mutablePointer, dr = dRadius[last].mutablePointer
    let g = logitGradient.pointer
    let w = Float(weight)
    for row in 0..<batch {
      let y = Int(labels[row])
      for j in 0..<k {
        dc[row * k + j] = w * g[row * k + j]
        dr[row * k + j] = (j == y ? -w : w) * g[row * k + j]
      }
    }
    for i in 0..<last {
      backend.fill(dCentre[i].mutablePointer, value: 0, count: dCentre[i].count)
      backend.fill(dRadius[i].mutablePointer, value: 0, count: dRadius[i].count)
    }
    var regularizer = 0.0
    if eps > 0, !config.regularizers.isEmpty {
      regularizer = regularize(batch: batch, eps: eps, weight: regWeight)
    }
    // Backward, layer by layer; the input box needs no gradient. Only an activation's input gradient may already
    // hold the regularizers' part (MonotoneInterval adds to it); the other steps overwrite theirs.
    for i in stride(from: last - 1, through: 0, by: -1) {
      steps[i].backward(
        dCentre[i + 1].pointer, dRadius[i + 1].pointer, dc: i > 0 ? dCentre[i].mutablePointer : nil,
        dr: i > 0 ? dRadius[i].mutablePointer : nil, batch: batch)
    }
    return Terms(eps: eps, robust: robust, regularizer: regularizer)
  }

  /// Shi et al.'s regularizers on every activation layer's input interval: adds `weight` × their gradient to the
  /// centre and radius gradients of those inputs; returns their value (mean over the layers, each term summed).
  private func regularize(batch: Int, eps: Double, weight: Double) -> Double {
    let tau = config.tolerance
    let layers = network.layers
    let activations = layers.indices.filter { steps[$0] is MonotoneInterval }
    let count = activations.count
    guard count > 0 else { return 0 }
    let scale = weight / Double(count)
    var tightness = 0.0, relu = 0.0
    for i in activations {
      let n = batch * layers[i].inputWidth
      let c = centre[i].pointer, r = radius[i].pointer
      let dc = dCentre[i].mutablePointer, dr = dRadius[i].mutablePointer
      if config.regularizers.contains(.tightness) {
        var sum = 0.0
        for e in 0..<n { sum += Double(r[e]) }
        let mean = Swift.max(sum / Double(n), 1e-12)
        let term = tau - eps / mean
        if term > 0 {
          tightness += term / tau
          let g = Float(scale * (eps / (mean * mean)) / tau / Double(n))
          for e in 0..<n { dr[e] += g }
        }
      }
      if config.regularizers.contains(.relu) {
        var mu = 0.0
        for e in 0..<n { mu += Double(c[e]) }
        mu /= Double(n)
        var a = 0.0, b = 0.0, v1 = 0.0, v2 = 0.0, s1 = 0.0, s2 = 0.0
        for e in 0..<n {
          let ce = Double(c[e]), l = ce - Double(r[e]), u = ce + Double(r[e])
          let d = ce - mu
          if l > 0 {
            a += ce
            v1 += d * d
            s1 += d
          } else if u < 0 {
            b -= ce
            v2 += d * d
            s2 += d
          }
        }
        a /= Double(n)
        b /= Double(n)
        // m = A/B (active mean over minus the inactive mean), v = V1/V2; each enters as min(x, 1/x).
        var gm = 0.0, gv = 0.0
        let m = a / b, v = v1 / v2
        var value = 0.0
        if m.isFinite, v.isFinite {
          let mm = Swift.min(m, 1 / Swift.max(m, 1e-12)), vv = Swift.min(v, 1 / Swift.max(v, 1e-12))
          if tau - mm > 0 {
            value += (tau - mm) / tau
            gm = -(m <= 1 / Swift.max(m, 1e-12) ? 1 : -1 / (m * m)) / tau
          }
          if tau - vv > 0 {
            value += (tau - vv) / tau
            gv = -(v <= 1 / Swift.max(v, 1e-12) ? 1 : -1 / (v * v)) / tau
          }
        }
        if value.isFinite, value > 0 {
          relu += value
          let nn = Double(n)
          for e in 0..<n {
            let ce = Double(c[e]), l = ce - Double(r[e]), u = ce + Double(r[e])
            let act = l > 0 ? 1.0 : 0, inact = u < 0 ? 1.0 : 0
            let dm = act / (nn * b) + a * inact / (nn * b * b)
            let d = ce - mu
            let dv1 = 2 * d * act - 2 * s1 / nn
            let dv2 = 2 * d * inact - 2 * s2 / nn
            let dv = (dv1 * v2 - v1 * dv2) / (v2 * v2)
            dc[e] += Float(scale * (gm * dm + gv * dv))
          }
        }
      }
    }
    return (tightness + relu) / Double(count)
  }
}
