/// The metrics a stage can `record:`, by their names in the language.
///
/// Each has its formula and source beside its implementation in `Metrics` and `MetricsRecorder`.
public enum MetricKind: String, Sendable, Hashable, CaseIterable, Codable {
  /// Mean training loss of the step's batch (the loss the optimizer descended).
  case loss
  /// Fraction of correct predictions (argmax vs class for cross_entropy, per value for bce; `Metrics.accuracyCounts`).
  case accuracy
  /// Peak signal-to-noise ratio `10·log10(range²/MSE)` in dB, with `range` the target's value range.
  case psnr
  /// Frobenius norm `‖W‖_F` of every dense weight.
  case weightNorm = "weight_norm"
  /// Distance from the initialization of every dense weight (Liu et al. 2024): relative `‖W − W₀‖_F / ‖W₀‖_F`
  /// or absolute `‖W − W₀‖_F`, as `MetricOptions.weightChangeRelative` says.
  case weightChange = "weight_change"
  /// Roy & Vetterli's effective rank `exp(H(σ/Σσ))` of every dense weight.
  case effectiveRank = "effective_rank"
  /// Participation ratio `(Σσ²)² / Σσ⁴` of every dense weight (the other common "effective rank").
  case participationRatio = "participation_ratio"
  /// Stable rank `‖W‖_F² / σ_max²` of every dense weight.
  case stableRank = "stable_rank"
  /// Cosine similarity between the empirical tangent kernel now and at initialization (Liu et al. 2024).
  case kernelAlignment = "kernel_alignment"
  /// Mean, std, max |a| and the massive-activation ratio max|a|/median|a| per activation layer (B12).
  case activationStats = "activation_stats"
  /// Global L2 norm of the gradient (before clipping).
  case gradNorm = "grad_norm"
  /// Learning rate of the step.
  case lr
  /// Magnitude spectrum of the network's output over the target grid, DC dropped, and its Wasserstein-1
  /// distance to the target's spectrum (FreSh, Kania et al. 2025).
  case outputSpectrum = "output_spectrum"
  /// Interval bound propagation of an ε-box around the probe inputs: each dense layer's mean output radius and
  /// its growth over the previous layer's (Shi et al. 2021; `IntervalBounds`).
  case intervalBounds = "interval_bounds"

  /// Whether the metric needs a training step's quantities (loss, gradient, learning rate) rather than
  /// only a model and data; `measure` stages cannot record these.
  public var needsTrainingStep: Bool {
    switch self {
    case .gradNorm, .lr: return true
    default: return false
    }
  }
}

/// Settings that shape how metrics are computed; every field has the default the language documents, except
/// `weightChangeRelative` (SproutTrain's callers have always meant the relative change; the executor sets it
/// from the spec's `relative:`, which defaults to false).
public struct MetricOptions: Sendable, Hashable, Codable {
  /// Name of the weight the tangent kernel is taken over (`layers.2.weight`); nil picks the middle dense
  /// layer (index `count / 2` among the dense weights — the studied recurrent/hidden matrix of B1).
  public var kernelParameter: String?
  /// Number of probe samples P for the tangent kernel and activation statistics (the first P training rows).
  public var probeSamples: Int
  /// Value range of the targets for PSNR (2 for targets in [−1, 1], 1 for [0, 1]); nil uses the observed
  /// `max − min` of the evaluation targets.
  public var psnrRange: Double?
  /// Number of spectrum bins kept after dropping DC (FreSh evaluates 32/64/128; nil keeps all).
  public var spectrumBins: Int?
  /// `weight_change` as `‖W − W₀‖_F / ‖W₀‖_F` (true) or `‖W − W₀‖_F` (false).
  public var weightChangeRelative: Bool
  /// The radius ε of the ℓ∞ box `interval_bounds` propagates.
  public var intervalEps: Double = 0.01

  /// The defaults: middle dense layer, 32 probe samples, observed target range, 64 spectrum bins, relative
  /// weight change.
  public init(
    kernelParameter: String? = nil, probeSamples: Int = 32, psnrRange: Double? = nil, spectrumBins: Int? = 64,
    weightChangeRelative: Bool = true
  ) {
    self.kernelParameter = kernelParameter
    self.weightChangeRelative = weightChangeRelative
    self.probeSamples = probeSamples
    self.psnrRange = psnrRange
    self.spectrumBins = spectrumBins
  }

  private enum CodingKeys: String, CodingKey {
    case kernelParameter, probeSamples, psnrRange, spectrumBins, weightChangeRelative, intervalEps
  }

  /// Decodes options, reading a missing `weightChangeRelative` (written before it existed) as true.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    kernelParameter = try c.decodeIfPresent(String.self, forKey: .kernelParameter)
    probeSamples = try c.decode(Int.self, forKey: .probeSamples)
    psnrRange = try c.decodeIfPresent(Double.self, forKey: .psnrRange)
    spectrumBins = try c.decodeIfPresent(Int.self, forKey: .spectrumBins)
    weightChangeRelative = try c.decodeIfPresent(Bool.self, forKey: .weightChangeRelative) ?? true
    intervalEps = try c.decodeIfPresent(Double.self, forKey: .intervalEps) ?? 0.01
  }
}
