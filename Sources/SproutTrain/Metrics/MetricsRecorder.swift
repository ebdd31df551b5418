import SproutConfig
import SproutTensor

/// What a training step knows that a model alone does not: the batch loss, its outputs and targets, the
/// gradient norm and the learning rate. `measure` stages have none of it.
public struct StepQuantities {
  /// Mean loss of the batch.
  public var loss: Double
  /// The network's outputs for the batch (`rows × outputWidth`).
  public var outputs: UnsafePointer<Float>
  /// The batch's targets (`rows × targetWidth`).
  public var targets: UnsafePointer<Float>
  /// Rows of the batch.
  public var rows: Int
  /// Global gradient norm before clipping, when a gradient was computed.
  public var gradNorm: Double?
  /// Learning rate of the step.
  public var lr: Double

  /// Collects a step's quantities.
  public init(
    loss: Double, outputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, gradNorm: Double?,
    lr: Double
  ) {
    self.loss = loss
    self.outputs = outputs
    self.targets = targets
    self.rows = rows
    self.gradNorm = gradNorm
    self.lr = lr
  }
}

/// Applies the `Metrics` functions to a network for a stage's `record:` list: keeps the references some metrics
/// compare against (W₀, K₀, the target's spectrum) and each metric's probe rows, and returns a record as
/// `[metric name: value]`.
///
/// Keys are the metrics' names (``MetricConfig/name``), plus `spectrum_w1` (the W1 distance of `output_spectrum` to
/// the target's spectrum). Per-layer metrics are maps keyed by the selected dense weights' names
/// (`layers.2.weight`); `activation_stats` is keyed by the selected activation layers' paths (`layers.1`).
public final class MetricsRecorder {
  /// The model measured.
  public let network: Network
  /// What is recorded, in order.
  public let metrics: [MetricConfig]
  /// The weights the tangent kernel is taken over (empty when kernel_alignment is not recorded).
  public let kernelParameters: [Parameter]
  /// W₀ of every dense weight, by name (for weight_change).
  public internal(set) var initialWeights: [String: [Float]] = [:]
  /// K₀ (for kernel_alignment).
  public internal(set) var initialKernel: DenseMatrix?

  let loss: LossConfig
  let data: Dataset
  let kernelProbe: Dataset?
  let targetSpectrum: [Double]?

  /// Prepares to record `metrics` for `network` trained with `loss` on `data`.
  /// - Throws: `TrainingError.unavailableMetric` when a metric cannot be computed here (no grid for
  ///   `output_spectrum`, a layer selector outside the model, a layer interval bounds cannot bound).
  public init(network: Network, loss: LossConfig, data: Dataset, metrics: [MetricConfig]) throws {
    self.network = network
    self.metrics = metrics
    self.loss = loss
    self.data = data
    var kernel: [Parameter] = []
    var kernelProbe: Dataset?
    var spectrum: [Double]?
    for metric in metrics {
      switch metric {
      case .weightNorm(let layers), .weightChange(let layers, _), .effectiveRank(let layers, _),
        .stableRank(let layers):
        _ = try Self.select(layers, among: network.weightLayers.count, metric: metric)
      case .kernelAlignment(let layers, let samples):
        let dense = try Self.select(layers, among: network.weightLayers.count, metric: metric)
        // A recurrent layer's tangent kernel is taken with respect to its recurrent matrix only, as Liu et al. do.
        kernel = dense.map { i in
          let w = network.weightLayers[i]
          return w.kind.isRecurrent ? w.weights[1] : w.weights[0]
        }
        kernelProbe = data.prefix(samples)
      case .activationStats(_, let layers, _):
        _ = try Self.select(layers, among: Self.activationLayers(network).count, metric: metric)
      case .intervalBounds(let eps, let layers, _):
        _ = try Self.select(layers, among: network.weightLayers.count, metric: metric)
        _ = try IntervalBounds.compute(network: network, probe: data.prefix(1).features, rows: 1, eps: Float(eps))
      case .outputSpectrum(let bins):
        guard let grid = data.spectrumGrid else {
          throw TrainingError.unavailableMetric(
            metric.name, "the data is not a grid in order (use a sine or image dataset, not a part of its split)")
        }
        spectrum =
          data.target.width == network.outputWidth
          ? Metrics.spectrum(data.targets.map(Double.init), grid: grid, channels: data.target.width, bins: bins) : nil
      case .verifiedError(let eps, _):
        guard loss.readsClassIndices else {
          throw TrainingError.unavailableMetric(metric.name, "it needs class labels (a cross_entropy or ibp loss)")
        }
        _ = try IntervalBounds.compute(network: network, probe: data.prefix(1).features, rows: 1, eps: Float(eps))
      case .attentionEntropy:
        guard !Self.attentionLayers(network).isEmpty else {
          throw TrainingError.unavailableMetric(metric.name, "the model has no attention layer")
        }
      case .deadUnits(let layers, _):
        _ = try Self.select(layers, among: Self.activationLayers(network).count, metric: metric)
      case .loss, .accuracy, .psnr, .gradNorm, .lr:
        break
      }
    }
    kernelParameters = kernel
    self.kernelProbe = kernelProbe
    targetSpectrum = spectrum
  }

  /// The positions a layer set selects among `count` layers.
  static func select(_ layers: LayerSet, among count: Int, metric: MetricConfig) throws -> [Int] {
    switch layers.resolve(count: count) {
    case .success(let indices): return indices
    case .failure(let error): throw TrainingError.unavailableMetric(metric.name, "\(error)")
    }
  }

  /// The top-level layers `activation_stats` reports, in model order (activations and residual blocks, not dense,
  /// dropout, layer-norm or Fourier-feature layers): what its `layers:` selector indexes.
  public static func activationLayers(_ network: Network) -> [Int] {
    network.layers.indices.filter { !["dense", "dropout", "layer_norm", "fourier_features"].contains(network.layers[$0].kind) }
  }

  /// Takes the references at initialization: W₀ of every dense weight and, when recorded, K₀.
  public func captureInitialState() {
    initialWeights = Dictionary(uniqueKeysWithValues: effectiveWeights().map { ($0.name, $0.values) })
    if !kernelParameters.isEmpty { initialKernel = tangentKernel() }
  }

  /// One dense weight as its layer applies it.
  struct EffectiveWeight {
    /// The weight layer it belongs to (what `layers:` selects).
    var layer: Int
    var name: String
    var rows: Int
    var cols: Int
    var values: [Float]
  }

  /// Every weight layer's weight as the layer applies it, under the weight's name, in the order `layers:` selectors
  /// count (dense and convolution layers together): with a fine-tuning adapter, W + ΔW (LoRA's s·B·A, SVFit's
  /// U·diag(σ)·Vt; on attention, in the adapted projections' rows), so weight metrics of a fine-tuned model describe the weight that computes, not the frozen base.
  /// A convolution's `[F, C, k, k]` weight is read as the `F × C·k²` matrix of its filters (what the im2col product
  /// multiplies), so effective and stable rank measure the filters. A recurrent layer has two: its input and its
  /// recurrent matrix (`weight_ih`, `weight_hh`), each reported under its own name.
  func effectiveWeights() -> [EffectiveWeight] {
    network.weightLayers.flatMap { w in
      w.weights.enumerated().map { k, p in
        let rows = p.shape[0]
        let values: [Float]
        switch Network.adaptable(w.layer) {
        case .dense(let d)? where k == 0: values = d.effectiveWeight
        case .attention(let a)?: values = a.effectiveValues(of: p)
        default: values = p.value.array
        }
        return EffectiveWeight(
          layer: w.index, name: p.name, rows: rows, cols: p.value.count / max(rows, 1), values: values)
      }
    }
  }

  func tangentKernel() -> DenseMatrix {
    guard let probe = kernelProbe else { return DenseMatrix(zeros: 0, 0) }
    return TangentKernel.compute(network: network, parameters: kernelParameters, probe: probe.features, rows: probe.count)
  }

  /// The record for the current network. `step` quantities feed loss, accuracy, psnr, grad_norm and lr; a
  /// metric that needs them is left out when they are missing (and grad_norm when no gradient was taken).
  /// Outputs are read before any probe forward overwrites the network's buffers.
  public func record(step: StepQuantities?) -> [String: MetricValue] {
    var out: [String: MetricValue] = [:]
    var spectra: [String: [Double]] = [:]
    func singularValues(_ p: EffectiveWeight) -> [Double] {
      if let s = spectra[p.name] { return s }
      // Bidiagonalization: ~10× faster than Jacobi and accurate to ε·σ_max, plenty for ranks of weights.
      let w = DenseMatrix(rows: p.rows, cols: p.cols, floats: p.values)
      let s = w.singularValuesByBidiagonalization()
      spectra[p.name] = s
      return s
    }
    let all = metrics.contains(where: \.readsOnlyWeights) ? effectiveWeights() : []
    func weights(_ layers: LayerSet) -> [EffectiveWeight] {
      guard case .success(let indices) = layers.resolve(count: network.weightLayers.count) else { return [] }
      let selected = Set(indices)
      return all.filter { selected.contains($0.layer) }
    }
    func perWeight(_ layers: LayerSet, _ f: (EffectiveWeight) -> Double) -> MetricValue {
      .scalars(Dictionary(uniqueKeysWithValues: weights(layers).map { ($0.name, f($0)) }))
    }
    for metric in metrics {
      let name = metric.name
      switch metric {
      case .loss:
        if let step { out[name] = .scalar(step.loss) }
      case .accuracy:
        if let step {
          let c = Metrics.accuracyCounts(
            outputs: step.outputs, targets: step.targets, rows: step.rows * network.lossPositions,
            width: network.lossWidth, loss: loss)
          out[name] = .scalar(Double(c.correct) / Double(c.total))
        }
      case .psnr(let peak):
        if let step {
          let mse = Metrics.meanSquaredError(step.outputs, step.targets, count: step.rows * network.outputWidth)
          out[name] = .scalar(Metrics.psnr(mse: mse, range: peak))
        }
      case .gradNorm:
        if let g = step?.gradNorm { out[name] = .scalar(g) }
      case .lr:
        if let step { out[name] = .scalar(step.lr) }
      case .weightNorm(let layers):
        out[name] = perWeight(layers) { euclideanNorm($0.values.map(Double.init)) }
      case .weightChange(let layers, let relative):
        var m: [String: Double] = [:]
        for w in weights(layers) {
          guard let w0 = initialWeights[w.name] else { continue }
          m[w.name] = relative ? Metrics.relativeChange(w.values, from: w0) : Metrics.absoluteChange(w.values, from: w0)
        }
        out[name] = .scalars(m)
      case .effectiveRank(let layers, .entropy):
        out[name] = perWeight(layers) { Metrics.effectiveRank(singularValues: singularValues($0)) }
      case .effectiveRank(let layers, .participationRatio):
        out[name] = perWeight(layers) { Metrics.participationRatio(singularValues: singularValues($0)) }
      case .stableRank(let layers):
        out[name] = perWeight(layers) { Metrics.stableRank(singularValues: singularValues($0)) }
      case .kernelAlignment, .activationStats, .outputSpectrum, .intervalBounds, .verifiedError, .deadUnits,
        .attentionEntropy:
        continue  // forward-based: below, after every metric that reads the step's outputs
      }
    }
    for metric in metrics {
      switch metric {
      case .activationStats(let stats, let layers, let samples):
        out[metric.name] = activationStats(stats: stats, layers: layers, samples: samples)
      case .intervalBounds(let eps, let layers, let samples):
        let probe = data.prefix(samples)
        // `init` ran the same bounds on this network and threw for a layer they cannot bound, so a throw is
        // impossible here; the metric is never silently missing.
        guard let bounds = try? IntervalBounds.compute(network: network, probe: probe.features, rows: probe.count, eps: Float(eps)),
          case .success(let selected) = layers.resolve(count: bounds.count)
        else { continue }
        var m: [String: MetricValue] = [:]
        for b in selected.map({ bounds[$0] }) {
          m[b.name] = .map(["radius": .scalar(b.radius), "growth": .scalar(b.growth)])
        }
        out[metric.name] = .map(m)
      case .outputSpectrum(let bins):
        let s = outputSpectrum(bins: bins)
        out[metric.name] = .vector(s)
        if let t = targetSpectrum { out["spectrum_w1"] = .scalar(Metrics.wasserstein1(t, s)) }
      case .kernelAlignment:
        if let k0 = initialKernel { out[metric.name] = .scalar(Metrics.alignment(k0, tangentKernel())) }
      case .verifiedError(let eps, let samples):
        // As interval_bounds above: `init` already threw for a network or loss this cannot handle.
        if let v = try? Self.verifiedError(network: network, data: data, rows: samples ?? data.count, eps: Float(eps)) {
          out[metric.name] = .scalar(v)
        }
      case .deadUnits(let layers, let samples):
        out[metric.name] = deadUnits(layers: layers, samples: samples)
      case .attentionEntropy(let samples):
        out[metric.name] = attentionEntropy(samples: samples)
      default:
        continue
      }
    }
    return out
  }

  /// Statistics of the selected activation layers' outputs over the first `samples` rows (eval mode, forwarded in
  /// chunks of the network's batch).
  func activationStats(stats: [ActivationStatistic], layers: LayerSet, samples: Int) -> MetricValue {
    let reported = Self.activationLayers(network)
    guard case .success(let selected) = layers.resolve(count: reported.count) else { return .map([:]) }
    let probe = data.prefix(samples)
    var outputs: [Int: [Float]] = [:]
    probe.features.withBasePointer { x in
      var start = 0
      while start < probe.count {
        let rows = Swift.min(network.maxBatch, probe.count - start)
        _ = network.forward(x + start * probe.featureCount, batch: rows, training: false)
        for i in selected.map({ reported[$0] }) {
          let o = network.output(ofLayer: i)
          outputs[i, default: []] += UnsafeBufferPointer(start: o.pointer, count: rows * o.cols)
        }
        start += rows
      }
    }
    let keep = Set(stats)
    var m: [String: MetricValue] = [:]
    for i in selected.map({ reported[$0] }) {
      guard let values = outputs[i], !values.isEmpty else { continue }
      let cols = network.layers[i].outputWidth
      let s = values.withBasePointer { Metrics.activationStatistics($0, rows: values.count / cols, cols: cols) }
      var entry: [String: MetricValue] = [:]
      if keep.contains(.mean) { entry["mean"] = .scalar(s.mean) }
      if keep.contains(.std) { entry["std"] = .scalar(s.std) }
      if keep.contains(.maxAbs) { entry["max_abs"] = .scalar(s.maxAbs) }
      if keep.contains(.massiveRatio) {
        entry["massive_ratio"] = .scalar(s.massiveRatio)
        entry["massive_ratio_per_input"] = .scalar(s.massiveRatioPerInput)
      }
      m["layers.\(i)"] = .map(entry)
    }
    return .map(m)
  }

  /// The network's output over the whole grid (eval mode, in chunks of `maxBatch`), as a spectrum.
  func outputSpectrum(bins: Int) -> [Double] {
    guard let grid = data.spectrumGrid else { return [] }
    let width = network.outputWidth
    var values = [Double](repeating: 0, count: data.count * width)
    data.features.withBasePointer { x in
      var start = 0
      while start < data.count {
        let rows = Swift.min(network.maxBatch, data.count - start)
        let y = network.forward(x + start * data.featureCount, batch: rows, training: false)
        for i in 0..<(rows * width) { values[start * width + i] = Double(y[i]) }
        start += rows
      }
    }
    return Metrics.spectrum(values, grid: grid, channels: width, bins: bins)
  }
}
