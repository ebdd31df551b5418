/// The empirical (neural) tangent kernel of a network with respect to some weight tensors, over a probe batch.
///
/// With `J` the Jacobian of every output unit of every probe sample with respect to the chosen weights —
/// one row per (sample p, output o), row index `p · outputs + o`, one column per entry of every chosen weight —
/// `K = J · Jᵀ` (the sum of the kernels of the single weights). Liu et al. (ICLR 2024,
/// `BioRNN_RichLazy/main.py`) take it w.r.t. the studied recurrent matrix only; kernel alignment is then
/// `KA(K₀, K_t) = ⟨K₀, K_t⟩_F / (‖K₀‖_F ‖K_t‖_F)` (`Metrics.alignment`).
///
/// Each Jacobian row is one single-sample backward pass (eval mode) with a one-hot output gradient, so the
/// cost is P·O forwards and backwards. The network's gradients, TrAct settings and the weight's `trainable`
/// flag are saved and restored, so computing the kernel between training steps changes nothing.
public enum TangentKernel {
  /// `K = J Jᵀ` (float64) for `rows` probe inputs (row-major, `rows × network.inputWidth`).
  public static func compute(network: Network, parameters: [Parameter], probe: [Float], rows: Int) -> DenseMatrix {
    precondition(probe.count == rows * network.inputWidth, "probe has \(probe.count) values for \(rows) rows")
    let outputs = network.outputWidth
    let savedGrads = network.parameters.map { $0.grad.array }
    let savedTrAct = network.denseLayers.map(\.tract)
    let savedTrainable = parameters.map(\.trainable)
    for d in network.denseLayers { d.tract = nil }  // TrAct replaces the true weight gradient
    for p in parameters { p.trainable = true }
    defer {
      for (p, t) in zip(parameters, savedTrainable) { p.trainable = t }
      for (d, t) in zip(network.denseLayers, savedTrAct) { d.tract = t }
      for (p, g) in zip(network.parameters, savedGrads) {
        for i in 0..<g.count { p.grad[i] = g[i] }
      }
    }
    var jacobian: [[Double]] = []
    jacobian.reserveCapacity(rows * outputs)
    var oneHot = [Float](repeating: 0, count: outputs)
    for p in 0..<rows {
      let x = Array(probe[(p * network.inputWidth)..<((p + 1) * network.inputWidth)])
      for o in 0..<outputs {
        network.zeroGradients()
        oneHot[o] = 1
        x.withBasePointer { xp in
          network.forward(xp, batch: 1, training: false)
          oneHot.withBasePointer { network.backward(outputGradient: $0, batch: 1) }
        }
        oneHot[o] = 0
        var row: [Double] = []
        for parameter in parameters { row += parameter.grad.array.map(Double.init) }
        jacobian.append(row)
      }
    }
    let n = jacobian.count
    var k = DenseMatrix(zeros: n, n)
    for i in 0..<n {
      for j in i..<n {
        let v = dot(jacobian[i], jacobian[j])
        k[i, j] = v
        k[j, i] = v
      }
    }
    return k
  }
}
