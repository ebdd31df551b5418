import Foundation

/// The attention metric: `attention_entropy`.
extension MetricsRecorder {
  /// Every attention layer of `network` in model order (inside transformer blocks and residual blocks too), with its
  /// name (`layers.1.layers.0.layers.1`: its tensors' prefix).
  static func attentionLayers(_ network: Network) -> [(name: String, layer: AttentionLayer)] {
    func walk(_ layers: [any Layer]) -> [AttentionLayer] {
      layers.flatMap { layer -> [AttentionLayer] in
        if let a = layer as? AttentionLayer { return [a] }
        if let t = layer as? TransformerBlockLayer { return walk(t.layers) }
        if let r = layer as? ResidualLayer { return walk(r.layers) }
        return []
      }
    }
    return walk(network.layers).map { (String($0.inWeight.name.dropLast(".in_proj_weight".count)), $0) }
  }

  /// Per attention layer and head (`head_0`, …), the mean over the first `samples` rows and every query position of
  /// `−Σ_j p_ij ln p_ij` (nats; terms with p = 0 count 0), in evaluation mode, summed in Float64.
  func attentionEntropy(samples: Int) -> MetricValue {
    let layers = Self.attentionLayers(network)
    let probe = data.prefix(samples)
    var sums = layers.map { [Double](repeating: 0, count: $0.layer.heads) }
    probe.features.withBasePointer { x in
      var start = 0
      while start < probe.count {
        let rows = Swift.min(network.maxBatch, probe.count - start)
        _ = network.forward(x + start * probe.featureCount, batch: rows, training: false)
        for (k, entry) in layers.enumerated() {
          let a = entry.layer
          let w = a.weights
          let l = a.length
          for b in 0..<rows {
            for h in 0..<a.heads {
              let base = (b * a.heads + h) * l * l
              var s = 0.0
              for i in 0..<(l * l) where w[base + i] > 0 {
                let p = Double(w[base + i])
                s -= p * Foundation.log(p)
              }
              sums[k][h] += s
            }
          }
        }
        start += rows
      }
    }
    var m: [String: MetricValue] = [:]
    for (k, entry) in layers.enumerated() {
      let queries = Double(Swift.max(probe.count * entry.layer.length, 1))
      var heads: [String: MetricValue] = [:]
      for h in 0..<entry.layer.heads { heads["head_\(h)"] = .scalar(sums[k][h] / queries) }
      m[entry.name] = .map(heads)
    }
    return .map(m)
  }
}
