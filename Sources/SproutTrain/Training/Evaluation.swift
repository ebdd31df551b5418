import SproutConfig
import SproutTensor

/// Evaluate and measure stages: metrics of a model on data, without training.
public enum Evaluation {
  /// Loss, accuracy and PSNR of `network` over all of `data`, in eval mode, in batches of
  /// `min(batchSize, network.maxBatch)` rows in data order. Sums run over rows in order across batches, so the
  /// numbers do not depend on the batch size.
  ///
  /// - loss: the stage's loss over every row (the mean of its terms).
  /// - accuracy: correct / judged, summed over batches (`Metrics.accuracyCounts`).
  /// - psnr: `10·log10(peak² / MSE)` with MSE over every output value.
  /// Only the metrics among these three in `record` are returned.
  /// - Throws: `TrainingError` when the data does not fit the model.
  public static func evaluate(
    network: Network, data: Dataset, loss: LossConfig, batchSize: Int, record: [MetricConfig]
  ) throws -> [String: MetricValue] {
    try data.check(fits: network, loss: loss)
    let width = network.outputWidth
    let (positions, lossWidth) = (network.lossPositions, network.lossWidth)
    let rowsPerBatch = Swift.max(1, Swift.min(batchSize, network.maxBatch))
    let scratch = Tensor(zeros: [network.maxBatch, width])
    let wantsAccuracy = record.contains(.accuracy)
    let peak: Double? = record.lazy.compactMap { if case .psnr(let p) = $0 { p } else { nil } }.first
    var lossSum = 0.0, squaredError = 0.0, correct = 0, judged = 0, terms = 0
    data.features.withBasePointer { x in
      data.targets.withBasePointer { t in
        var start = 0
        while start < data.count {
          let rows = Swift.min(rowsPerBatch, data.count - start)
          let y = network.forward(x + start * data.featureCount, batch: rows, training: false)
          let target = t + start * data.target.width
          loss.accumulate(
            output: y, target: target, batch: rows * positions, width: lossWidth, gradient: scratch.mutablePointer,
            into: &lossSum)
          terms += loss.terms(target: target, batch: rows * positions, width: lossWidth)
          if wantsAccuracy {
            let c = Metrics.accuracyCounts(
              outputs: y, targets: target, rows: rows * positions, width: lossWidth, loss: loss)
            correct += c.correct
            judged += c.total
          }
          if peak != nil {
            for i in 0..<(rows * width) {
              let d = Double(y[i]) - Double(target[i])
              squaredError += d * d
            }
          }
          start += rows
        }
      }
    }
    var out: [String: MetricValue] = [:]
    if record.contains(.loss) {
      out[MetricConfig.loss.name] = .scalar(terms == 0 ? 0 : lossSum / Double(terms))
    }
    if wantsAccuracy { out[MetricConfig.accuracy.name] = .scalar(Double(correct) / Double(judged)) }
    if let peak {
      out["psnr"] = .scalar(Metrics.psnr(mse: squaredError / Double(data.count * width), range: peak))
    }
    return out
  }

  /// The metrics of a model as it is (a `measure` stage: e.g. the output spectrum of an untrained network).
  /// loss/accuracy/psnr come from `evaluate` over `data` (when there is a loss); weight metrics, activation
  /// statistics and the spectrum from `MetricsRecorder`. weight_change and kernel_alignment need the run's
  /// initialization: pass `reference`, a `TrainingState` of the train stage that produced the model (any of its
  /// checkpoints carries `initial.*` and K₀).
  /// - Throws: `TrainingError.unavailableMetric` for grad_norm and lr (no step is taken), and for
  ///   weight_change/kernel_alignment without a reference.
  public static func measure(
    network: Network, data: Dataset, loss: LossConfig?, record: [MetricConfig], reference: TrainingState? = nil,
    batchSize: Int = 256
  ) throws -> [String: MetricValue] {
    let fitLoss = loss ?? .mse
    if loss != nil { try data.check(fits: network, loss: fitLoss) }
    for metric in record where metric.needsTrainingStep {
      throw TrainingError.unavailableMetric(metric.name, "a measure stage takes no training step")
    }
    let recorder = try MetricsRecorder(network: network, loss: fitLoss, data: data, metrics: record)
    let wantsChange = record.contains { if case .weightChange = $0 { true } else { false } }
    if wantsChange || !recorder.kernelParameters.isEmpty {
      guard let reference else {
        throw TrainingError.unavailableMetric(
          wantsChange ? "weight_change" : "kernel_alignment",
          "it compares with the initialization; measure a trained stage's output")
      }
      var initial: [String: [Float]] = [:]
      for w in network.weightLayers.flatMap(\.weights) {
        initial[w.name] = try reference.float32("initial." + w.name, count: w.value.count)
      }
      recorder.initialWeights = initial
      if let probe = recorder.kernelProbe {
        guard case .float64(let shape, let v)? = reference.tensors["metrics.kernel_alignment.k0"], shape.count == 2,
          shape[0] == shape[1], shape[0] * shape[1] == v.count, shape[0] == probe.count * network.outputWidth
        else {
          throw TrainingError.unavailableMetric(
            "kernel_alignment", "the reference has no K₀ for this probe (record kernel_alignment in the train stage)")
        }
        recorder.initialKernel = DenseMatrix(rows: shape[0], cols: shape[1], values: v)
      }
    }
    var out: [String: MetricValue] = [:]
    if let loss { out = try evaluate(network: network, data: data, loss: loss, batchSize: batchSize, record: record) }
    for (key, value) in recorder.record(step: nil) { out[key] = value }
    return out
  }
}
