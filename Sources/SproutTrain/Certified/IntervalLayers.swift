import SproutConfig
import SproutTensor

/// How one layer of a network passes an interval (centre c, radius r, `batch × width` each) forward, and the
/// gradients of the centre and radius of its output back to its parameters and its input interval. Each keeps the
/// buffers it needs, planned once for the propagation's largest batch; none allocates per step.
///
/// Contract (as ``Layer``'s): `backward` *accumulates* parameter gradients and *overwrites* `dc`/`dr` when given,
/// except ``MonotoneInterval``, which adds to them (the warm-up regularizers put gradient on an activation's input
/// interval before the backward pass reaches it).
protocol IntervalLayer: AnyObject {
  /// The layer it bounds.
  var layer: any Layer { get }
  /// Pushes the interval `(c, r)` through the layer into `(cOut, rOut)`.
  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int)
  /// Accumulates parameter gradients from the output interval's gradients and writes the input interval's.
  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int)
}

/// The interval step of each layer of `network` for batches of up to `batch` rows, or the first layer that has none
/// (its index and kind).
func intervalLayers(_ network: Network, batch: Int) -> Result<[any IntervalLayer], IntervalRefusal> {
  var steps: [any IntervalLayer] = []
  for (i, layer) in network.layers.enumerated() {
    switch layer {
    case let d as DenseLayer: steps.append(DenseInterval(d, batch: batch))
    case let a as ActivationLayer where IntervalBounds.isMonotone(a.function):
      steps.append(MonotoneInterval(a, batch: batch))
    case let c as Conv2DLayer: steps.append(ConvInterval(c, batch: batch))
    case let p as Pool2DLayer where p.mode == .max: steps.append(MaxPoolInterval(p, batch: batch))
    case let p as Pool2DLayer:
      steps.append(
        PositiveLinearInterval(
          p, centre: Pool2DLayer(mode: .average, geometry: p.geometry, backend: network.backend, maxBatch: batch),
          radius: Pool2DLayer(mode: .average, geometry: p.geometry, backend: network.backend, maxBatch: batch)))
    case let g as GlobalAvgPoolLayer:
      func twin() -> GlobalAvgPoolLayer {
        GlobalAvgPoolLayer(
          groups: g.groups, positions: g.positions, channelsFirst: g.channelsFirst, backend: network.backend,
          maxBatch: batch)
      }
      steps.append(PositiveLinearInterval(g, centre: twin(), radius: twin()))
    case is FlattenLayer, is DropoutLayer: steps.append(IdentityInterval(layer, backend: network.backend))
    default: return .failure(IntervalRefusal(index: i, kind: layer.kind))
    }
  }
  return .success(steps)
}

/// A layer intervals cannot pass.
struct IntervalRefusal: Error {
  /// Its index in the network.
  var index: Int
  /// Its kind.
  var kind: String
}

/// `c' = c Wᵀ + b`, `r' = r |W|ᵀ`; backward `dW += dc'ᵀ c + (dr'ᵀ r) ⊙ sign(W)`, `db += Σ dc'`, `dc = dc' W`,
/// `dr = dr' |W|`. With a fine-tuning adapter (the metric only: ibp refuses adapters) W is the effective weight.
final class DenseInterval: IntervalLayer {
  let dense: DenseLayer
  var layer: any Layer { dense }
  private let absWeight: Tensor
  private let scratch: Tensor
  private var input: (c: UnsafePointer<Float>, r: UnsafePointer<Float>)?

  init(_ dense: DenseLayer, batch: Int) {
    self.dense = dense
    absWeight = Tensor(zeros: [dense.outputWidth * dense.inputWidth])
    scratch = Tensor(zeros: [dense.outputWidth * dense.inputWidth])
  }

  /// The weight applied: W, or W + ΔW (in `scratch`) with an adapter.
  private var weight: UnsafePointer<Float> {
    guard dense.adapter != nil else { return dense.weight.value.pointer }
    let w = dense.effectiveWeight
    for i in w.indices { scratch.mutablePointer[i] = w[i] }
    return scratch.pointer
  }

  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int
  ) {
    let backend = dense.backend
    let (out, inW) = (dense.outputWidth, dense.inputWidth)
    let w = weight
    backend.map(.abs, w, absWeight.mutablePointer, count: out * inW)
    backend.gemm(
      transA: false, transB: true, m: batch, n: out, k: inW, alpha: 1, a: c, lda: inW, b: w, ldb: inW, beta: 0,
      c: cOut, ldc: out)
    if let bias = dense.bias { backend.addBias(cOut, rows: batch, cols: out, bias: bias.value.pointer) }
    backend.gemm(
      transA: false, transB: true, m: batch, n: out, k: inW, alpha: 1, a: r, lda: inW, b: absWeight.pointer,
      ldb: inW, beta: 0, c: rOut, ldc: out)
    input = (c, r)
  }

  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    guard let (c, r) = input else { return }
    let backend = dense.backend
    let (out, inW) = (dense.outputWidth, dense.inputWidth)
    if dense.weight.trainable {
      backend.gemm(
        transA: true, transB: false, m: out, n: inW, k: batch, alpha: 1, a: dcOut, lda: out, b: c, ldb: inW, beta: 1,
        c: dense.weight.grad.mutablePointer, ldc: inW)
      let s = scratch.mutablePointer
      backend.gemm(
        transA: true, transB: false, m: out, n: inW, k: batch, alpha: 1, a: drOut, lda: out, b: r, ldb: inW, beta: 0,
        c: s, ldc: inW)
      addSigned(s, of: dense.weight, count: out * inW)
    }
    if let bias = dense.bias, bias.trainable {
      backend.columnSums(dcOut, rows: batch, cols: out, bias.grad.mutablePointer, accumulate: true)
    }
    if let dc {
      backend.gemm(
        transA: false, transB: false, m: batch, n: inW, k: out, alpha: 1, a: dcOut, lda: out,
        b: dense.weight.value.pointer, ldb: inW, beta: 0, c: dc, ldc: inW)
    }
    if let dr {
      backend.gemm(
        transA: false, transB: false, m: batch, n: inW, k: out, alpha: 1, a: drOut, lda: out, b: absWeight.pointer,
        ldb: inW, beta: 0, c: dr, ldc: inW)
    }
  }
}

/// `grad(W) += sign(W) ⊙ g`: the chain rule through `|W|` (zero at W = 0).
private func addSigned(_ g: UnsafePointer<Float>, of weight: Parameter, count: Int) {
  let w = weight.value.pointer, grad = weight.grad.mutablePointer
  for e in 0..<count where w[e] != 0 { grad[e] += w[e] > 0 ? g[e] : -g[e] }
}

/// A non-decreasing activation f: `l = c − r`, `u = c + r`, `c' = (f(u) + f(l))/2`, `r' = (f(u) − f(l))/2`; backward
/// `du = f'(u)(dc' + dr')/2`, `dl = f'(l)(dc' − dr')/2`, `dc += du + dl`, `dr += du − dl`.
final class MonotoneInterval: IntervalLayer {
  let activation: ActivationLayer
  var layer: any Layer { activation }
  private let lower: Tensor, upper: Tensor, fLower: Tensor, fUpper: Tensor
  /// The half-sums (dc' ± dr')/2, then their derivatives through f at u and l.
  private let halfSums: Tensor, gradUpper: Tensor, gradLower: Tensor

  init(_ activation: ActivationLayer, batch: Int) {
    self.activation = activation
    let n = batch * activation.inputWidth
    lower = Tensor(zeros: [n])
    upper = Tensor(zeros: [n])
    fLower = Tensor(zeros: [n])
    fUpper = Tensor(zeros: [n])
    halfSums = Tensor(zeros: [2 * n])
    gradUpper = Tensor(zeros: [n])
    gradLower = Tensor(zeros: [n])
  }

  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int
  ) {
    let backend = activation.backend
    let n = batch * activation.inputWidth
    let l = lower.mutablePointer, u = upper.mutablePointer, fl = fLower.mutablePointer, fu = fUpper.mutablePointer
    for k in 0..<n {
      l[k] = c[k] - r[k]
      u[k] = c[k] + r[k]
    }
    backend.activationForward(activation.function, l, fl, count: n)
    backend.activationForward(activation.function, u, fu, count: n)
    for k in 0..<n {
      cOut[k] = (fu[k] + fl[k]) / 2
      rOut[k] = (fu[k] - fl[k]) / 2
    }
  }

  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    guard let dc, let dr else { return }
    let backend = activation.backend
    let n = batch * activation.inputWidth
    let du = gradUpper.mutablePointer, dl = gradLower.mutablePointer, sums = halfSums.mutablePointer
    for e in 0..<n {
      sums[e] = (dcOut[e] + drOut[e]) / 2
      sums[n + e] = (dcOut[e] - drOut[e]) / 2
    }
    backend.activationBackward(activation.function, x: upper.pointer, y: fUpper.pointer, dy: sums, dx: du, count: n)
    backend.activationBackward(
      activation.function, x: lower.pointer, y: fLower.pointer, dy: sums + n, dx: dl, count: n)
    for e in 0..<n {
      dc[e] += du[e] + dl[e]
      dr[e] += du[e] - dl[e]
    }
  }
}

/// A convolution, as a dense layer: `c' = conv(c; W, b)`, `r' = conv(r; |W|)`, each computed by a twin of the layer
/// (its own unfolded patches): the centre's twin shares the layer's weight and bias, so its backward accumulates
/// `dc'`'s gradient into theirs; the radius's twin holds |W| and its gradient reaches W through sign(W).
final class ConvInterval: IntervalLayer {
  let conv: Conv2DLayer
  var layer: any Layer { conv }
  private let centre: Conv2DLayer, radius: Conv2DLayer
  private let magnitude: Parameter

  init(_ conv: Conv2DLayer, batch: Int) {
    self.conv = conv
    let w = conv.weight
    magnitude = Parameter(
      name: "\(w.name).abs", role: .weight, layerIndex: w.layerIndex, denseIndex: w.denseIndex, shape: w.shape,
      trainable: w.trainable)
    centre = Conv2DLayer(
      geometry: conv.geometry, filters: conv.filters, weight: w, bias: conv.bias, weightIndex: conv.weightIndex,
      backend: conv.backend, maxBatch: batch)
    radius = Conv2DLayer(
      geometry: conv.geometry, filters: conv.filters, weight: magnitude, bias: nil, weightIndex: conv.weightIndex,
      backend: conv.backend, maxBatch: batch)
  }

  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int
  ) {
    let backend = conv.backend
    let n = batch * conv.outputWidth
    backend.map(.abs, conv.weight.value.pointer, magnitude.value.mutablePointer, count: magnitude.value.count)
    centre.forward(c, batch: batch, training: false)
    radius.forward(r, batch: batch, training: false)
    backend.copy(centre.output, cOut, count: n)
    backend.copy(radius.output, rOut, count: n)
  }

  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    centre.backward(dcOut, dx: dc, batch: batch)
    let g = magnitude.grad
    conv.backend.fill(g.mutablePointer, value: 0, count: g.count)
    radius.backward(drOut, dx: dr, batch: batch)
    if conv.weight.trainable { addSigned(g.pointer, of: conv.weight, count: g.count) }
  }
}

/// A linear map with non-negative coefficients and no offset (average pooling, global average pooling): it maps
/// centre to centre and radius to radius, each through its own twin of the layer.
final class PositiveLinearInterval: IntervalLayer {
  let layer: any Layer
  private let centre: any Layer, radius: any Layer

  init(_ layer: any Layer, centre: any Layer, radius: any Layer) {
    self.layer = layer
    self.centre = centre
    self.radius = radius
  }

  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int
  ) {
    centre.forward(c, batch: batch, training: false)
    radius.forward(r, batch: batch, training: false)
    let (co, ro) = (centre.output, radius.output)
    for k in 0..<(batch * layer.outputWidth) {
      cOut[k] = co[k]
      rOut[k] = ro[k]
    }
  }

  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    if let dc { centre.backward(dcOut, dx: dc, batch: batch) }
    if let dr { radius.backward(drOut, dx: dr, batch: batch) }
  }
}

/// Max pooling is non-decreasing in every input: `l' = maxpool(l)`, `u' = maxpool(u)`, then centre and radius as for
/// an activation; each bound's gradient goes back to the input that won its window.
final class MaxPoolInterval: IntervalLayer {
  let pool: Pool2DLayer
  var layer: any Layer { pool }
  private let lowerPool: Pool2DLayer, upperPool: Pool2DLayer
  private let lower: Tensor, upper: Tensor, dUpper: Tensor, dLower: Tensor, halves: Tensor

  init(_ pool: Pool2DLayer, batch: Int) {
    self.pool = pool
    lowerPool = Pool2DLayer(mode: .max, geometry: pool.geometry, backend: pool.backend, maxBatch: batch)
    upperPool = Pool2DLayer(mode: .max, geometry: pool.geometry, backend: pool.backend, maxBatch: batch)
    lower = Tensor(zeros: [batch * pool.inputWidth])
    upper = Tensor(zeros: [batch * pool.inputWidth])
    dUpper = Tensor(zeros: [batch * pool.inputWidth])
    dLower = Tensor(zeros: [batch * pool.inputWidth])
    halves = Tensor(zeros: [2 * batch * pool.outputWidth])
  }

  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int
  ) {
    let l = lower.mutablePointer, u = upper.mutablePointer
    for k in 0..<(batch * pool.inputWidth) {
      l[k] = c[k] - r[k]
      u[k] = c[k] + r[k]
    }
    lowerPool.forward(l, batch: batch, training: false)
    upperPool.forward(u, batch: batch, training: false)
    let fl = lowerPool.output, fu = upperPool.output
    for k in 0..<(batch * pool.outputWidth) {
      cOut[k] = (fu[k] + fl[k]) / 2
      rOut[k] = (fu[k] - fl[k]) / 2
    }
  }

  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    guard let dc, let dr else { return }
    let n = batch * pool.outputWidth
    let h = halves.mutablePointer
    for e in 0..<n {
      h[e] = (dcOut[e] + drOut[e]) / 2
      h[n + e] = (dcOut[e] - drOut[e]) / 2
    }
    upperPool.backward(h, dx: dUpper.mutablePointer, batch: batch)
    lowerPool.backward(h + n, dx: dLower.mutablePointer, batch: batch)
    let du = dUpper.pointer, dl = dLower.pointer
    for e in 0..<(batch * pool.inputWidth) {
      dc[e] = du[e] + dl[e]
      dr[e] = du[e] - dl[e]
    }
  }
}

/// A layer that moves no value in evaluation mode (flatten; dropout, which interval bounds see switched off).
final class IdentityInterval: IntervalLayer {
  let layer: any Layer
  private let backend: any Backend

  init(_ layer: any Layer, backend: any Backend) {
    self.layer = layer
    self.backend = backend
  }

  func propagate(
    _ c: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ cOut: UnsafeMutablePointer<Float>,
    _ rOut: UnsafeMutablePointer<Float>, batch: Int
  ) {
    backend.copy(c, cOut, count: batch * layer.inputWidth)
    backend.copy(r, rOut, count: batch * layer.inputWidth)
  }

  func backward(
    _ dcOut: UnsafePointer<Float>, _ drOut: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>?,
    dr: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    if let dc { backend.copy(dcOut, dc, count: batch * layer.inputWidth) }
    if let dr { backend.copy(drOut, dr, count: batch * layer.inputWidth) }
  }
}
