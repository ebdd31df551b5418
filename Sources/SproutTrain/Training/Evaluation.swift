import SproutTensor

/// Evaluate and measure stages: metrics of a model on data, without training.
public enum Evaluation {
  /// Loss, accuracy and PSNR of `network` over all of `data`, in eval mode, in fixed batches of
  /// `min(batchSize, network.maxBatch)` rows in data order (so the numbers do not depend on anything else).
  ///
  /// - loss: `Σ_b rows_b · loss_b / count` — the mean over examples of the stage's loss.
  /// - accuracy: correct / judged, summed over batches (`Metrics.accuracyCounts`).
  /// - psnr: `10·log10(range² / MSE)` with MSE over every output value and `range` from `options.psnrRange`,
  ///   else the observed `max − min` of the targets.
  /// Only the kinds in `record` among these three are returned.
  /// - Throws: `TrainingError` when the data does not fit the model or PSNR has no range.
  public static func evaluate(
    network: Network, data: Dataset, loss: Loss, batchSize: Int, record: [MetricKind],
    options: MetricOptions = MetricOptions()
  ) throws -> [String: MetricValue] {
    try data.check(fits: network, loss: loss)
    let width = network.outputWidth
    let rowsPerBatch = Swift.max(1, Swift.min(batchSize, network.maxBatch))
    let scratch = Tensor(zeros: [network.maxBatch, width])
    var lossSum = 0.0, squaredError = 0.0, correct = 0, judged = 0
    data.features.withBasePointer { x in
      data.targets.withBasePointer { t in
        var start = 0
        while start < data.count {
          let rows = Swift.min(rowsPerBatch, data.count - start)
          let y = network.forward(x + start * data.featureCount, batch: rows, training: false)
          let target = t + start * data.target.width
          let l = loss.value(output: y, target: target, batch: rows, width: width, scratch: scratch.mutablePointer)
          lossSum += Double(l) * Double(rows)
          if record.contains(.accuracy) {
            let c = Metrics.accuracyCounts(outputs: y, targets: target, rows: rows, width: width, loss: loss)
            correct += c.correct
            judged += c.total
          }
          if record.contains(.psnr) {
            squaredError += Metrics.meanSquaredError(y, target, count: rows * width) * Double(rows * width)
          }
          start += rows
        }
      }
    }
    var out: [String: MetricValue] = [:]
    if record.contains(.loss) { out[MetricKind.loss.rawValue] = .scalar(lossSum / Double(data.count)) }
    if record.contains(.accuracy) { out[MetricKind.accuracy.rawValue] = .scalar(Double(correct) / Double(judged)) }
    if record.contains(.psnr) {
      let range = options.psnrRange ?? data.targetRange
      guard range > 0 else {
        throw TrainingError.unavailableMetric(.psnr, "the targets have no value range; give psnr a range")
      }
      out[MetricKind.psnr.rawValue] = .scalar(
        Metrics.psnr(mse: squaredError / Double(data.count * width), range: range))
    }
    return out
  }

  /// The metrics of a model as it is (a `measure` stage: e.g. the output spectrum of an untrained network).
  /// loss/accuracy/psnr come from `evaluate` over `data`; weight metrics, activation statistics and the
  /// spectrum from `MetricsRecorder`. weight_change and kernel_alignment need the run's initialization:
  /// pass `reference`, a `TrainingState` of the train stage that produced the model (any of its checkpoints
  /// carries `initial.*` and K₀).
  /// - Throws: `TrainingError.unavailableMetric` for grad_norm and lr (no step is taken), and for
  ///   weight_change/kernel_alignment without a reference.
  public static func measure(
    network: Network, data: Dataset, loss: Loss, record: [MetricKind], options: MetricOptions = MetricOptions(),
    reference: TrainingState? = nil, batchSize: Int = 256
  ) throws -> [String: MetricValue] {
    try data.check(fits: network, loss: loss)
    for kind in record where kind.needsTrainingStep {
      throw TrainingError.unavailableMetric(kind, "a measure stage takes no training step")
    }
    let recorder = try MetricsRecorder(network: network, loss: loss, data: data, kinds: record, options: options)
    if record.contains(.weightChange) || record.contains(.kernelAlignment) {
      guard let reference else {
        let kind: MetricKind = record.contains(.weightChange) ? .weightChange : .kernelAlignment
        throw TrainingError.unavailableMetric(
          kind, "it compares with the initialization; measure a trained stage's output")
      }
      var initial: [String: [Float]] = [:]
      for d in network.denseLayers {
        initial[d.weight.name] = try reference.float32("initial." + d.weight.name, count: d.weight.value.count)
      }
      recorder.initialWeights = initial
      if record.contains(.kernelAlignment) {
        guard case .float64(let shape, let v)? = reference.tensors["metrics.kernel_alignment.k0"], shape.count == 2,
          shape[0] == shape[1], shape[0] * shape[1] == v.count,
          shape[0] == Swift.min(options.probeSamples, network.maxBatch, data.count) * network.outputWidth
        else {
          throw TrainingError.unavailableMetric(
            .kernelAlignment, "the reference has no K₀ for this probe (record kernel_alignment in the train stage)")
        }
        recorder.initialKernel = DenseMatrix(rows: shape[0], cols: shape[1], values: v)
      }
    }
    var out = try evaluate(
      network: network, data: data, loss: loss, batchSize: batchSize, record: record, options: options)
    for (key, value) in recorder.record(step: nil) { out[key] = value }
    return out
  }
}
