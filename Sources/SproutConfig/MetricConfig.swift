/// A metric a stage records, with its options. `name` is the key it is written under in metrics.jsonl.
public enum MetricConfig: Hashable, Sendable, Codable {
  /// The stage's loss.
  case loss
  /// Fraction of correct predictions.
  case accuracy
  /// `10·log10(peak²/MSE)` in dB.
  case psnr(peak: Double)
  /// `‖W‖_F` per selected dense weight.
  case weightNorm(layers: LayerSet)
  /// `‖W − W₀‖_F` (divided by `‖W₀‖_F` when `relative`) per selected dense weight (Liu et al. 2024).
  case weightChange(layers: LayerSet, relative: Bool)
  /// Effective rank per selected dense weight, by entropy (Roy & Vetterli 2007) or participation ratio.
  case effectiveRank(layers: LayerSet, definition: RankDefinition)
  /// `‖W‖_F² / σ_max²` per selected dense weight.
  case stableRank(layers: LayerSet)
  /// Cosine similarity of the empirical tangent kernel (w.r.t. the selected weights) now and at initialization,
  /// on the first `samples` rows (Liu et al. 2024).
  case kernelAlignment(layers: LayerSet, samples: Int)
  /// Statistics of each selected activation layer's output on the first `samples` rows (massive_ratio:
  /// Gallego-Feliciano et al. 2025).
  case activationStats(stats: [ActivationStatistic], layers: LayerSet, samples: Int)
  /// Global L2 norm of the gradient before clipping.
  case gradNorm
  /// The step's learning rate.
  case lr
  /// Interval bound propagation of an ℓ∞ box of radius `eps` around the first `samples` rows, per selected dense
  /// layer (Gowal et al. 2018; Shi et al. 2021).
  case intervalBounds(eps: Double, layers: LayerSet, samples: Int)
  /// The output's magnitude spectrum over the data's coordinate grid, DC dropped, in `bins` bins (Kania et al. 2025).
  case outputSpectrum(bins: Int)
  /// Fraction of rows not verified robust in the ℓ∞ box of radius `eps` by interval bound propagation (a row is
  /// verified when the lower bound of its label's logit exceeds the upper bound of every other), over the first
  /// `samples` rows (nil: all) (Gowal et al. 2018).
  case verifiedError(eps: Double, samples: Int?)
  /// Per selected activation layer, the fraction of its units whose input is ≤ 0 on every one of the first `samples`
  /// rows: units a ReLU can no longer train (Sun et al. 2024, CRReLU).
  case deadUnits(layers: LayerSet, samples: Int)
  /// Per attention layer and head, the mean entropy (nats) of the attention weights of each query position over the
  /// first `samples` rows: ln L for uniform attention, 0 for attention on one position.
  case attentionEntropy(samples: Int)

  /// The key the metric is written under.
  public var name: String {
    switch self {
    case .loss: "loss"
    case .accuracy: "accuracy"
    case .psnr: "psnr"
    case .weightNorm: "weight_norm"
    case .weightChange: "weight_change"
    case .effectiveRank: "effective_rank"
    case .stableRank: "stable_rank"
    case .kernelAlignment: "kernel_alignment"
    case .activationStats: "activation_stats"
    case .gradNorm: "grad_norm"
    case .lr: "lr"
    case .intervalBounds: "interval_bounds"
    case .outputSpectrum: "output_spectrum"
    case .verifiedError: "verified_error"
    case .deadUnits: "dead_units"
    case .attentionEntropy: "attention_entropy"
    }
  }

  /// True for metrics of a training step (gradient, learning rate), which a stage that does not train cannot record.
  public var needsTrainingStep: Bool {
    switch self {
    case .gradNorm, .lr: true
    default: false
    }
  }

  /// True for metrics computed by interval bound propagation through the model.
  public var propagatesIntervals: Bool {
    switch self {
    case .intervalBounds, .verifiedError: true
    default: false
    }
  }

  /// True for metrics that read only the weights, which need no data.
  public var readsOnlyWeights: Bool {
    switch self {
    case .weightNorm, .weightChange, .effectiveRank, .stableRank: true
    default: false
    }
  }
}

/// The two common definitions of a matrix's effective rank.
public enum RankDefinition: String, Hashable, Sendable, Codable, CaseIterable {
  /// `exp(−Σ pᵢ log pᵢ)`, `pᵢ = σᵢ/Σσ` (Roy & Vetterli 2007).
  case entropy
  /// `(Σσᵢ²)² / Σσᵢ⁴`.
  case participationRatio = "participation_ratio"
}

/// One statistic `activation_stats` reports per layer.
public enum ActivationStatistic: String, Hashable, Sendable, Codable, CaseIterable {
  /// Mean over the batch and features.
  case mean
  /// Standard deviation.
  case std
  /// Largest magnitude.
  case maxAbs = "max_abs"
  /// `max|a| / median|a|` (also written averaged per input as `massive_ratio_per_input`).
  case massiveRatio = "massive_ratio"
}
