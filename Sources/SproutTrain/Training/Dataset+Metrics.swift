import SproutConfig
extension Dataset {
  /// The first `n` samples (all when `n ≥ count`), for probe batches; keeps the grid only when nothing is cut.
  func prefix(_ n: Int) -> Dataset { subset(Array(0..<Swift.min(n, count))) }

  /// `max − min` over every target value (0 for no data) — the PSNR range when none is given.
  var targetRange: Double {
    guard let lo = targets.min(), let hi = targets.max() else { return 0 }
    return Double(hi) - Double(lo)
  }

  /// The sample grid as a spectrum layout, when the samples are a 1-D or 2-D grid in order.
  var spectrumGrid: SpectrumGrid? {
    guard let grid, grid.reduce(1, *) == count else { return nil }
    switch grid.count {
    case 1: return .line(grid[0])
    case 2: return .image(rows: grid[0], cols: grid[1])
    default: return nil
    }
  }

  /// Checks that the samples fit `network` trained with `loss`.
  func check(fits network: Network, loss: LossConfig) throws {
    guard featureCount == network.inputWidth else {
      throw TrainingError.invalidConfiguration(
        "the data has \(featureCount) input features, the model expects \(network.inputWidth)")
    }
    let width = loss.targetWidth(outputWidth: network.lossWidth) * network.lossPositions
    guard target.width == width else {
      throw TrainingError.invalidConfiguration(
        "\(loss.name) needs \(width) target value(s) per example, the data has \(target.width)")
    }
    guard count >= 1 else { throw TrainingError.invalidConfiguration("the data is empty") }
    if case .tokens(_, let vocab) = network.inputShape,
      let (i, id) = features.enumerated().first(where: { !($0.1 >= 0 && $0.1 < Float(vocab) && $0.1 == $0.1.rounded()) })
    {
      throw TrainingError.invalidConfiguration(
        "the model reads token ids in 0..<\(vocab), but sample \(i / featureCount) has \(id) at position "
          + "\(i % featureCount)")
    }
    if loss.readsClassIndices {
      let classes = network.lossWidth
      for (row, label) in targets.enumerated()
      where !(label >= 0 && label < Float(classes) && label == label.rounded()) && label != LossConfig.ignoredLabel {
        throw TrainingError.invalidConfiguration(
          "cross_entropy over the model's \(classes) outputs needs class labels in 0..<\(classes), but row \(row) has "
            + "label \(label)")
      }
    }
  }
}
