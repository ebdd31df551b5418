import SproutConfig
import SproutTensor

/// The metrics of certified training and of dead units: `verified_error` and `dead_units`.
extension MetricsRecorder {
  /// The fraction of the first `rows` rows of the data that interval bound propagation cannot verify at `eps`: the
  /// label's lower logit bound is not above every other logit's upper bound (Gowal et al. 2018). Rows are pushed
  /// through in chunks of the network's batch; the labels are class indices.
  static func verifiedError(network: Network, data: Dataset, rows: Int, eps: Float) throws -> Double {
    let n = Swift.min(rows, data.count)
    guard n > 0 else { return .nan }
    let k = network.outputWidth
    var unverified = 0
    var start = 0
    while start < n {
      let count = Swift.min(network.maxBatch, n - start)
      let probe = Array(data.features[(start * data.featureCount)..<((start + count) * data.featureCount)])
      let (_, c, r) = try IntervalBounds.propagate(network: network, probe: probe, rows: count, eps: eps)
      for row in 0..<count {
        let y = Int(data.targets[(start + row) * data.target.width])
        let lowest = c[row * k + y] - r[row * k + y]
        var verified = true
        for j in 0..<k where j != y && !(c[row * k + j] + r[row * k + j] < lowest) { verified = false }
        if !verified { unverified += 1 }
      }
      start += count
    }
    return Double(unverified) / Double(n)
  }

  /// Per selected activation layer (`layers.i`), the fraction of its units whose input is ≤ 0 on every one of the
  /// first `samples` rows (evaluation mode).
  func deadUnits(layers: LayerSet, samples: Int) -> MetricValue {
    let reported = Self.activationLayers(network)
    guard case .success(let selected) = layers.resolve(count: reported.count) else { return .map([:]) }
    // Units of activations only: blocks (residual, transformer) and token layers have none of their own.
    let targets = selected.map { reported[$0] }.filter {
      !["residual", "transformer_block", "attention", "embedding"].contains(network.layers[$0].kind)
    }
    let probe = data.prefix(samples)
    // Largest input of each unit seen so far, per layer.
    var largest: [Int: [Float]] = [:]
    for i in targets { largest[i] = [Float](repeating: -.infinity, count: network.layers[i].inputWidth) }
    probe.features.withBasePointer { x in
      var start = 0
      while start < probe.count {
        let rows = Swift.min(network.maxBatch, probe.count - start)
        let input = x + start * probe.featureCount
        _ = network.forward(input, batch: rows, training: false)
        for i in targets {
          let width = network.layers[i].inputWidth
          let before: UnsafePointer<Float> = i == 0 ? input : network.output(ofLayer: i - 1).pointer
          for r in 0..<rows {
            for u in 0..<width where before[r * width + u] > largest[i]![u] { largest[i]![u] = before[r * width + u] }
          }
        }
        start += rows
      }
    }
    var m: [String: MetricValue] = [:]
    for i in targets {
      let values = largest[i] ?? []
      m["layers.\(i)"] = .scalar(Double(values.filter { $0 <= 0 }.count) / Double(Swift.max(values.count, 1)))
    }
    return .map(m)
  }
}
