import SproutDiagnostics
import Foundation
import SproutTensor

/// Checks of the row kernels (softmax, log-softmax, layer norm) and the optimizer steps.
enum RowConformance {
  static func checks(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    let rows = 9
    let cols = 37
    var x = rng.floats(rows * cols, -20, 20)
    x[3] = 80  // a large logit: the max shift must keep exp finite
    for log in [false, true] {
      var y = [Float](repeating: .nan, count: x.count)
      if log {
        backend.logSoftmaxRows(x, &y, rows: rows, cols: cols)
      } else {
        backend.softmaxRows(x, &y, rows: rows, cols: cols)
      }
      var meter = ErrorMeter(log ? "logSoftmaxRows" : "softmaxRows", tolerance: KernelConformance.elementTolerance)
      for r in 0..<rows {
        let row = (0..<cols).map { Double(x[r * cols + $0]) }
        let m = row.max()!
        let lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
        for c in 0..<cols {
          let want = log ? row[c] - lse : Foundation.exp(row[c] - lse)
          meter.add(got: y[r * cols + c], want: want)
        }
      }
      checks.append(meter.check)
    }
    checks += layerNorm(backend, &rng)
    checks += optimizers(backend, &rng)
    return checks
  }

  static func layerNorm(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    let rows = 7
    let cols = 29
    let eps: Float = 1e-5
    let x = rng.floats(rows * cols, -3, 5)
    let gamma = rng.floats(cols, 0.5, 1.5)
    let beta = rng.floats(cols)
    let dy = rng.floats(rows * cols)
    var y = [Float](repeating: .nan, count: x.count)
    var mean = [Float](repeating: .nan, count: rows)
    var rstd = [Float](repeating: .nan, count: rows)
    backend.layerNormForward(
      x, &y, rows: rows, cols: cols, gamma: gamma, beta: beta, eps: eps, mean: &mean, rstd: &rstd)
    var dx = [Float](repeating: .nan, count: x.count)
    var dGamma = [Float](repeating: 1, count: cols)
    var dBeta = [Float](repeating: -1, count: cols)
    backend.layerNormBackward(
      x, dy: dy, dx: &dx, rows: rows, cols: cols, gamma: gamma, mean: mean, rstd: rstd, dGamma: &dGamma,
      dBeta: &dBeta)
    var forward = ErrorMeter("layerNormForward", tolerance: KernelConformance.elementTolerance)
    var backward = ErrorMeter("layerNormBackward", tolerance: KernelConformance.elementTolerance)
    var wantGamma = [Double](repeating: 1, count: cols)
    var wantBeta = [Double](repeating: -1, count: cols)
    let n = Double(cols)
    for r in 0..<rows {
      let row = (0..<cols).map { Double(x[r * cols + $0]) }
      let mu = row.reduce(0, +) / n
      let variance = row.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / n
      let rs = 1 / (variance + Double(eps)).squareRoot()
      forward.add(got: mean[r], want: mu)
      forward.add(got: rstd[r], want: rs, magnitude: rs)
      let xhat = row.map { ($0 - mu) * rs }
      let g = (0..<cols).map { Double(dy[r * cols + $0]) * Double(gamma[$0]) }
      let meanG = g.reduce(0, +) / n
      let meanGX = zip(g, xhat).reduce(0) { $0 + $1.0 * $1.1 } / n
      for c in 0..<cols {
        forward.add(got: y[r * cols + c], want: xhat[c] * Double(gamma[c]) + Double(beta[c]))
        backward.add(got: dx[r * cols + c], want: rs * (g[c] - meanG - xhat[c] * meanGX))
        wantGamma[c] += Double(dy[r * cols + c]) * xhat[c]
        wantBeta[c] += Double(dy[r * cols + c])
      }
    }
    for c in 0..<cols {
      backward.add(got: dGamma[c], want: wantGamma[c])
      backward.add(got: dBeta[c], want: wantBeta[c])
    }
    return [forward.check, backward.check]
  }

  static func optimizers(_ backend: any Backend, _ rng: inout SplitMix64) -> [KernelCheck] {
    var checks: [KernelCheck] = []
    let count = 203
    let settings: [(SGDHyperparameters, String)] = [
      (SGDHyperparameters(lr: 0.1), "sgd"),
      (SGDHyperparameters(lr: 0.05, momentum: 0.9, weightDecay: 1e-2), "sgd momentum"),
      (SGDHyperparameters(lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: true), "sgd nesterov"),
    ]
    for (h, name) in settings {
      var p = rng.floats(count)
      var v = [Float](repeating: 0, count: count)
      var want = p.map(Double.init)
      var wantV = [Double](repeating: 0, count: count)
      for step in 0..<3 {
        let g = rng.floats(count)
        backend.sgdStep(parameters: &p, gradients: g, velocity: &v, count: count, hyper: h, firstStep: step == 0)
        for i in 0..<count {
          var d = Double(g[i]) + Double(h.weightDecay) * want[i]
          if h.momentum != 0 {
            wantV[i] = step == 0 ? d : Double(h.momentum) * wantV[i] + (1 - Double(h.dampening)) * d
            d = h.nesterov ? d + Double(h.momentum) * wantV[i] : wantV[i]
          }
          want[i] -= Double(h.lr) * d
        }
      }
      var meter = ErrorMeter("sgdStep(\(name)) ×3", tolerance: KernelConformance.elementTolerance)
      for i in 0..<count { meter.add(got: p[i], want: want[i]) }
      checks.append(meter.check)
    }
    for (h, name) in [
      (AdamHyperparameters(lr: 1e-2), "adam"), (AdamHyperparameters(lr: 1e-2, weightDecay: 0.1), "adam wd"),
      (AdamHyperparameters(lr: 1e-2, weightDecay: 0.1, decoupledWeightDecay: true), "adamw"),
    ] {
      var p = rng.floats(count)
      var m = [Float](repeating: 0, count: count)
      var v = [Float](repeating: 0, count: count)
      var want = p.map(Double.init)
      var wm = [Double](repeating: 0, count: count)
      var wv = [Double](repeating: 0, count: count)
      let (b1, b2) = (Double(h.beta1), Double(h.beta2))
      for step in 1...3 {
        let g = rng.floats(count)
        backend.adamStep(parameters: &p, gradients: g, m: &m, v: &v, count: count, hyper: h, step: step)
        for i in 0..<count {
          var d = Double(g[i])
          if h.decoupledWeightDecay {
            want[i] *= 1 - Double(h.lr) * Double(h.weightDecay)
          } else {
            d += Double(h.weightDecay) * want[i]
          }
          wm[i] = b1 * wm[i] + (1 - b1) * d
          wv[i] = b2 * wv[i] + (1 - b2) * d * d
          let mhat = wm[i] / (1 - Foundation.pow(b1, Double(step)))
          let vhat = wv[i] / (1 - Foundation.pow(b2, Double(step)))
          want[i] -= Double(h.lr) * mhat / (vhat.squareRoot() + Double(h.eps))
        }
      }
      var meter = ErrorMeter("adamStep(\(name)) ×3", tolerance: KernelConformance.elementTolerance)
      for i in 0..<count { meter.add(got: p[i], want: want[i]) }
      checks.append(meter.check)
    }
    return checks
  }
}
