/// A `fit` stage: a parametric form fitted by least squares (Levenberg–Marquardt) to the trajectory of one metric an
/// upstream train or finetune stage of the same trial recorded, `y(step)`.
public struct FitConfig: Hashable, Sendable, Codable {
  /// The stage whose records are read (its task in the same trial is an input).
  public var from: String
  /// The metric's path in a record: its key (`loss`, `eval/accuracy`), then keys into a structured value
  /// (`activation_stats`, `layers.3`, `max_abs`).
  public var metric: [String]
  /// The form fitted.
  public var form: FitForm
  /// Starting values, one per parameter of the form (nil: the form's guess from the data).
  public var start: [Double?]
  /// Lower bounds, one per parameter (nil: the form's own, or none).
  public var lower: [Double?]
  /// Upper bounds, one per parameter (nil: none).
  public var upper: [Double?]
  /// The first step fitted (inclusive), or nil for the first recorded.
  public var firstStep: Int?
  /// The last step fitted (inclusive), or nil for the last recorded.
  public var lastStep: Int?

  /// Creates a fit configuration.
  public init(
    from: String, metric: [String], form: FitForm, start: [Double?], lower: [Double?], upper: [Double?],
    firstStep: Int? = nil, lastStep: Int? = nil
  ) {
    self.from = from
    self.metric = metric
    self.form = form
    self.start = start
    self.lower = lower
    self.upper = upper
    self.firstStep = firstStep
    self.lastStep = lastStep
  }

  /// `activation_stats/layers.3/max_abs`: the path as written.
  public var metricText: String { metric.joined(separator: "/") }
}

/// The parametric forms a `fit` stage knows, each `y = f(x; θ)` with `x` the step.
public enum FitForm: String, Hashable, Sendable, Codable, CaseIterable {
  /// `y = a + b·x`.
  case linear
  /// `y = a·x^b + c` (points with x ≤ 0 are left out).
  case powerLaw = "power_law"
  /// `y = y_inf + (y0 − y_inf)·exp(−x/tau)`: exponential approach from `y0` to `y_inf` with time constant `tau`.
  case expSaturation = "exp_saturation"
  /// The massive-activation trajectory of Gallego-Feliciano et al. (2025): `y = a·exp(−lambda·u)·ln(u) + k` with
  /// `u = gamma·x + t0` (lambda = 0: a pure logarithm; lambda > 0: an early peak, then decay to `k`).
  case massiveActivation = "massive_activation"

  /// The parameters θ, in order.
  public var parameters: [String] {
    switch self {
    case .linear: ["a", "b"]
    case .powerLaw: ["a", "b", "c"]
    case .expSaturation: ["y0", "y_inf", "tau"]
    case .massiveActivation: ["a", "lambda", "gamma", "t0", "k"]
    }
  }

  /// The formula, for docs and messages.
  public var formula: String {
    switch self {
    case .linear: "y = a + b·x"
    case .powerLaw: "y = a·x^b + c"
    case .expSaturation: "y = y_inf + (y0 − y_inf)·exp(−x/tau)"
    case .massiveActivation: "y = a·exp(−lambda·u)·ln(u) + k, u = gamma·x + t0"
    }
  }

  /// Bounds the form needs to be defined (a time constant or a time scale must be positive), by parameter; the
  /// fitter keeps strictly inside an open bound.
  public var requiredLower: [String: Double] {
    switch self {
    case .linear, .powerLaw: [:]
    case .expSaturation: ["tau": 0]
    case .massiveActivation: ["lambda": 0, "gamma": 0, "t0": 0]
    }
  }
}
