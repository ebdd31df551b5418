import Foundation

/// Optimizer updates with PyTorch's operation order (`torch.optim.SGD`, `Adam`, `AdamW`, single-tensor path),
/// elementwise over a range so a backend can split them.
enum OptimizerKernels {
  static func sgd(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ velocity: UnsafeMutablePointer<Float>?,
    range: Range<Int>, hyper h: SGDHyperparameters, firstStep: Bool
  ) {
    let end = range.upperBound
    var i = range.lowerBound
    let useMomentum = h.momentum != 0
    BackendCheck.require(!useMomentum || velocity != nil, "sgdStep: momentum needs a velocity buffer")
    if !useMomentum && h.weightDecay == 0 {
      // Plain SGD, `p − lr·g`: the same arithmetic as the general loop below, without its per-vector branches.
      let lr = h.lr
      while i + 8 <= end {
        let w = UnsafeRawPointer(p + i).loadUnaligned(as: V8.self)
        let d = UnsafeRawPointer(g + i).loadUnaligned(as: V8.self)
        UnsafeMutableRawPointer(p + i).storeBytes(of: w - lr * d, as: V8.self)
        i += 8
      }
      if i < end { Lanes.store(Lanes.load(p, i, end) - lr * Lanes.load(g, i, end), p, i, end) }
      return
    }
    while i < end {
      var d = Lanes.load(g, i, end)
      let w = Lanes.load(p, i, end)
      if h.weightDecay != 0 { d = d + h.weightDecay * w }
      if useMomentum, let velocity {
        var buf: V8
        if firstStep {
          buf = d
        } else {
          buf = Lanes.load(velocity, i, end) * h.momentum + (1 - h.dampening) * d
        }
        Lanes.store(buf, velocity, i, end)
        d = h.nesterov ? d + h.momentum * buf : buf
      }
      Lanes.store(w - h.lr * d, p, i, end)
      i += 8
    }
  }

  static func adam(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, range: Range<Int>, hyper h: AdamHyperparameters, step: Int
  ) {
    BackendCheck.require(step >= 1, "adamStep: steps count from 1, not \(step)")
    let bias1 = 1 - Foundation.pow(h.beta1, Float(step))
    let bias2 = 1 - Foundation.pow(h.beta2, Float(step))
    let stepSize = h.lr / bias1
    let bias2Sqrt = bias2.squareRoot()
    let end = range.upperBound
    var i = range.lowerBound
    while i < end {
      var w = Lanes.load(p, i, end)
      var d = Lanes.load(g, i, end)
      if h.weightDecay != 0 {
        if h.decoupledWeightDecay {
          w = w * (1 - h.lr * h.weightDecay)
        } else {
          d = d + h.weightDecay * w
        }
      }
      var mv = Lanes.load(m, i, end)
      mv = mv + (d - mv) * (1 - h.beta1)
      var vv = Lanes.load(v, i, end)
      vv = vv * h.beta2 + (1 - h.beta2) * d * d
      let denom = vv.squareRoot() / bias2Sqrt + h.eps
      w = w - stepSize * (mv / denom)
      Lanes.store(mv, m, i, end)
      Lanes.store(vv, v, i, end)
      Lanes.store(w, p, i, end)
      i += 8
    }
  }
}
