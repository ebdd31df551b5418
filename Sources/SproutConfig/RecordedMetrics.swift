/// Which keys a stage writes into its records, and how deep a path into each reaches a number: what `select` and
/// `fit` check their `metric:` against when the spec is linted.
public enum RecordedMetrics {
  /// A key a stage writes, with the number of path steps below it to reach a number (0: the value is a number;
  /// nil: a vector, which no path reaches).
  public struct Key: Hashable, Sendable {
    /// `loss`, `eval/accuracy`, `spectrum_w1`.
    public var name: String
    /// Steps below the key to a number.
    public var depth: Int?
  }

  /// The keys of `metrics`, prefixed with `prefix` (`eval/` for the eval series).
  public static func keys(_ metrics: [MetricConfig], prefix: String = "") -> [Key] {
    metrics.flatMap { m -> [Key] in
      let key = prefix + m.name
      switch m {
      case .loss, .accuracy, .psnr, .gradNorm, .lr, .kernelAlignment, .verifiedError:
        return [Key(name: key, depth: 0)]
      case .weightNorm, .weightChange, .effectiveRank, .stableRank, .deadUnits:
        return [Key(name: key, depth: 1)]
      case .activationStats, .intervalBounds, .attentionEntropy:
        return [Key(name: key, depth: 2)]
      case .outputSpectrum:
        return [Key(name: key, depth: nil), Key(name: prefix + "spectrum_w1", depth: 0)]
      }
    }
  }

  /// Every key a stage's records hold (its training series and, for train and finetune, its eval series); empty for
  /// stages that record nothing.
  public static func keys(of stage: StageConfig) -> [Key] {
    switch stage {
    case .train(_, _, let t), .finetune(_, _, let t):
      return keys(t.record) + (t.eval.map { keys($0.record, prefix: EvalConfig.prefix) } ?? [])
    case .evaluate(_, _, _, _, let record), .measure(_, _, _, _, let record):
      return keys(record)
    case .merge, .select, .fit:
      return []
    }
  }

  /// Splits a written path (`eval/activation_stats/layers.1/std`) into its key and the steps below it, given the keys
  /// recorded; nil when no recorded key starts it.
  public static func split(_ path: [String], among keys: [Key]) -> (key: Key, rest: [String])? {
    // Keys may contain '/' (eval/loss): the longest recorded prefix wins.
    for n in stride(from: path.count, through: 1, by: -1) {
      let name = path.prefix(n).joined(separator: "/")
      if let k = keys.first(where: { $0.name == name }) { return (k, Array(path.dropFirst(n))) }
    }
    return nil
  }
}
