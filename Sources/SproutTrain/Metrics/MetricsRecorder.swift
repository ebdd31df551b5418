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

/// Applies the `Metrics` functions to a network: keeps the references some metrics compare against (W₀, K₀,
/// the target's spectrum) and the probe batch, and returns a record as `[metric name: value]`.
///
/// Record keys: the metric names of `MetricKind`, plus `spectrum_w1` (the W1 distance of `output_spectrum`
/// to the target's spectrum). Per-layer metrics are maps keyed by parameter name (`layers.2.weight`);
/// `activation_stats` is keyed by layer path (`layers.1`).
public final class MetricsRecorder {
  /// The model measured.
  public let network: Network
  /// What is recorded, in order.
  public let kinds: [MetricKind]
  /// Settings.
  public let options: MetricOptions
  /// The weight the tangent kernel is taken over (nil when kernel_alignment is not recorded).
  public let kernelParameter: Parameter?
  /// W₀ of every dense weight, by name (for weight_change).
  public internal(set) var initialWeights: [String: [Float]] = [:]
  /// K₀ (for kernel_alignment).
  public internal(set) var initialKernel: DenseMatrix?

  let loss: Loss
  let probe: Dataset
  let spectrumData: Dataset?
  let targetSpectrum: [Double]?
  let psnrRange: Double

  /// Prepares to record `kinds` for `network` trained with `loss` on `data`.
  /// - Throws: `TrainingError.unavailableMetric` when a metric cannot be computed here (no grid for
  ///   `output_spectrum`, an unknown kernel parameter, no spread in the targets for `psnr`).
  public init(network: Network, loss: Loss, data: Dataset, kinds: [MetricKind], options: MetricOptions) throws {
    self.network = network
    self.kinds = kinds
    self.options = options
    self.loss = loss
    probe = data.prefix(Swift.min(options.probeSamples, network.maxBatch))
    let denseWeights = network.denseLayers.map(\.weight)
    if kinds.contains(.kernelAlignment) {
      if let name = options.kernelParameter {
        guard let p = network.parameter(named: name) else {
          throw TrainingError.unavailableMetric(.kernelAlignment, "the model has no parameter '\(name)'")
        }
        kernelParameter = p
      } else {
        guard !denseWeights.isEmpty else {
          throw TrainingError.unavailableMetric(.kernelAlignment, "the model has no dense layer")
        }
        kernelParameter = denseWeights[denseWeights.count / 2]
      }
    } else {
      kernelParameter = nil
    }
    if kinds.contains(.outputSpectrum) {
      guard let grid = data.spectrumGrid else {
        throw TrainingError.unavailableMetric(
          .outputSpectrum, "the data is not a grid in order (use a sine or image dataset without a shuffled split)")
      }
      spectrumData = data
      targetSpectrum =
        data.target.width == network.outputWidth
        ? Metrics.spectrum(
          data.targets.map(Double.init), grid: grid, channels: data.target.width, bins: options.spectrumBins) : nil
    } else {
      spectrumData = nil
      targetSpectrum = nil
    }
    if kinds.contains(.intervalBounds) {
      _ = try IntervalBounds.compute(network: network, probe: probe.features, rows: probe.count, eps: Float(options.intervalEps))
    }
    psnrRange = options.psnrRange ?? data.targetRange
    if kinds.contains(.psnr), !(psnrRange > 0) {
      throw TrainingError.unavailableMetric(.psnr, "the targets have no value range; give psnr a range")
    }
  }

  /// Takes the references at initialization: W₀ of every dense weight and, when recorded, K₀.
  public func captureInitialState() {
    initialWeights = Dictionary(uniqueKeysWithValues: effectiveWeights().map { ($0.name, $0.values) })
    if let p = kernelParameter { initialKernel = tangentKernel(p) }
  }

  /// One dense weight as its layer applies it.
  struct EffectiveWeight {
    var name: String
    var rows: Int
    var cols: Int
    var values: [Float]
  }

  /// Every dense layer's weight as the layer applies it, under the weight's name: with a fine-tuning adapter,
  /// W + ΔW (LoRA's s·B·A, SVFit's U·diag(σ)·Vt), so weight metrics of a fine-tuned model describe the weight
  /// that computes, not the frozen base.
  func effectiveWeights() -> [EffectiveWeight] {
    network.denseLayers.map { d in
      EffectiveWeight(name: d.weight.name, rows: d.weight.shape[0], cols: d.weight.shape[1], values: d.effectiveWeight)
    }
  }

  func tangentKernel(_ p: Parameter) -> DenseMatrix {
    TangentKernel.compute(network: network, parameter: p, probe: probe.features, rows: probe.count)
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
    let weightKinds: Set<MetricKind> = [.weightNorm, .weightChange, .effectiveRank, .participationRatio, .stableRank]
    let weights = kinds.contains(where: weightKinds.contains) ? effectiveWeights() : []
    for kind in kinds {
      switch kind {
      case .loss:
        if let step { out[kind.rawValue] = .scalar(step.loss) }
      case .accuracy:
        if let step {
          let c = Metrics.accuracyCounts(
            outputs: step.outputs, targets: step.targets, rows: step.rows, width: network.outputWidth, loss: loss)
          out[kind.rawValue] = .scalar(Double(c.correct) / Double(c.total))
        }
      case .psnr:
        if let step {
          let mse = Metrics.meanSquaredError(step.outputs, step.targets, count: step.rows * network.outputWidth)
          out[kind.rawValue] = .scalar(Metrics.psnr(mse: mse, range: psnrRange))
        }
      case .gradNorm:
        if let g = step?.gradNorm { out[kind.rawValue] = .scalar(g) }
      case .lr:
        if let step { out[kind.rawValue] = .scalar(step.lr) }
      case .weightNorm:
        out[kind.rawValue] = .scalars(
          Dictionary(uniqueKeysWithValues: weights.map { ($0.name, euclideanNorm($0.values.map(Double.init))) }))
      case .weightChange:
        var m: [String: Double] = [:]
        for w in weights {
          guard let w0 = initialWeights[w.name] else { continue }
          m[w.name] =
            options.weightChangeRelative
            ? Metrics.relativeChange(w.values, from: w0) : Metrics.absoluteChange(w.values, from: w0)
        }
        out[kind.rawValue] = .scalars(m)
      case .effectiveRank:
        out[kind.rawValue] = .scalars(
          Dictionary(
            uniqueKeysWithValues: weights.map { ($0.name, Metrics.effectiveRank(singularValues: singularValues($0))) }))
      case .participationRatio:
        out[kind.rawValue] = .scalars(
          Dictionary(
            uniqueKeysWithValues: weights.map {
              ($0.name, Metrics.participationRatio(singularValues: singularValues($0)))
            }))
      case .stableRank:
        out[kind.rawValue] = .scalars(
          Dictionary(
            uniqueKeysWithValues: weights.map { ($0.name, Metrics.stableRank(singularValues: singularValues($0))) }))
      case .kernelAlignment, .activationStats, .outputSpectrum, .intervalBounds:
        continue  // forward-based: below, after every metric that reads the step's outputs
      }
    }
    if kinds.contains(.activationStats) { out[MetricKind.activationStats.rawValue] = activationStats() }
    if kinds.contains(.intervalBounds), let bounds = try? IntervalBounds.compute(
      network: network, probe: probe.features, rows: probe.count, eps: Float(options.intervalEps))
    {
      var m: [String: MetricValue] = [:]
      for b in bounds { m[b.name] = .map(["radius": .scalar(b.radius), "growth": .scalar(b.growth)]) }
      out[MetricKind.intervalBounds.rawValue] = .map(m)
    }
    if kinds.contains(.outputSpectrum) {
      let s = outputSpectrum()
      out[MetricKind.outputSpectrum.rawValue] = .vector(s)
      if let t = targetSpectrum { out["spectrum_w1"] = .scalar(Metrics.wasserstein1(t, s)) }
    }
    if let p = kernelParameter, let k0 = initialKernel {
      out[MetricKind.kernelAlignment.rawValue] = .scalar(Metrics.alignment(k0, tangentKernel(p)))
    }
    return out
  }

  /// Statistics of every activation layer and residual block's output over the probe batch (eval mode).
  func activationStats() -> MetricValue {
    _ = probe.features.withBasePointer { network.forward($0, batch: probe.count, training: false) }
    var m: [String: MetricValue] = [:]
    for (i, layer) in network.layers.enumerated() {
      if ["dense", "dropout", "layer_norm", "fourier_features"].contains(layer.kind) { continue }
      let o = network.output(ofLayer: i)
      m["layers.\(i)"] = Metrics.activationStatistics(o.pointer, rows: o.rows, cols: o.cols).metricValue
    }
    return .map(m)
  }

  /// The network's output over the whole grid (eval mode, in chunks of `maxBatch`), as a spectrum.
  func outputSpectrum() -> [Double] {
    guard let data = spectrumData, let grid = data.spectrumGrid else { return [] }
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
    return Metrics.spectrum(values, grid: grid, channels: width, bins: options.spectrumBins)
  }
}
