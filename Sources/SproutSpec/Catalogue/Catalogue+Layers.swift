extension Catalogue {
  static func activation(
    _ name: String, _ doc: String, paper: String? = nil, main: String? = nil, example: String? = nil,
    _ arguments: [ArgumentSpec] = []
  ) -> KindSpec {
    KindSpec(.layer, name, doc, paper: paper, main: main, example: example ?? "- \(name)", arguments: arguments)
  }

  static let layers: [KindSpec] = [
    KindSpec(
      .layer, "dense", "A fully connected layer y = W x + b.", main: "units",
      example: "- dense: 256\n- dense: {units: 10, bias: false}",
      arguments: [
        ArgumentSpec("units", .int, required: true, min: 1, "Output width."),
        ArgumentSpec("bias", .bool, default: .bool(true), "Whether the layer has a bias."),
      ]),
    KindSpec(
      .layer, "residual", "x + body(x): the nested layers must keep the width.", main: "layers",
      example: "- residual:\n    - dense: 256\n    - tanh",
      arguments: [ArgumentSpec("layers", .list(.kind(.layer)), required: true, "The body.")]),
    KindSpec(
      .layer, "layernorm", "Layer normalisation over the features.", paper: "Ba, Kiros, Hinton 2016",
      example: "- layernorm",
      arguments: [
        ArgumentSpec("eps", .float, default: .float(1e-5), min: 0, exclusiveMin: true, "Added to the variance."),
        ArgumentSpec("affine", .bool, default: .bool(true), "Learnable gain and shift."),
      ]),
    KindSpec(
      .layer, "dropout", "Zeroes each feature with probability `rate` while training.", main: "rate",
      example: "- dropout: 0.1",
      arguments: [ArgumentSpec("rate", .float, required: true, min: 0, max: 1, exclusiveMax: true, "Drop probability.")]
    ),
    KindSpec(
      .layer, "fourier_features", "Random Fourier features [cos 2πBx, sin 2πBx] with B ~ N(0, σ²); width 2 × features.",
      paper: "Tancik et al., NeurIPS 2020", main: "features",
      example: "- fourier_features: {features: 128, sigma: 10}",
      arguments: [
        ArgumentSpec("features", .int, required: true, min: 1, "Number of frequencies (output width is twice that)."),
        ArgumentSpec("sigma", .float, default: .float(10), min: 0, exclusiveMin: true, "Std of the frequencies."),
        ArgumentSpec("trainable", .bool, default: .bool(false), "Whether B is trained."),
      ]),
    activation("identity", "f(x) = x."),
    activation("relu", "max(0, x)."),
    activation(
      "leaky_relu", "x for x > 0, slope · x otherwise.", main: "slope", example: "- leaky_relu: 0.1",
      [ArgumentSpec("slope", .float, default: .float(0.01), min: 0, "Negative slope.")]),
    activation(
      "elu", "x for x > 0, α(eˣ − 1) otherwise.", paper: "Clevert et al., ICLR 2016", main: "alpha",
      [ArgumentSpec("alpha", .float, default: .float(1), min: 0, "Saturation value.")]),
    activation(
      "selu", "Scaled ELU for self-normalising networks (use lecun_normal).", paper: "Klambauer et al., NeurIPS 2017"),
    activation(
      "gelu", "x Φ(x).", paper: "Hendrycks & Gimpel 2016", main: "approximate",
      [
        ArgumentSpec(
          "approximate", .enumeration(["none", "tanh"]), default: .string("none"),
          "Exact erf form or the tanh approximation.")
      ]),
    activation("silu", "x σ(x) (Swish).", paper: "Ramachandran et al. 2017"),
    activation("tanh", "tanh(x)."),
    activation("sigmoid", "1 / (1 + e⁻ˣ)."),
    activation(
      "softplus", "log(1 + e^{βx}) / β.", main: "beta",
      [ArgumentSpec("beta", .float, default: .float(1), min: 0, exclusiveMin: true, "Sharpness.")]),
    activation(
      "sine", "sin(ω x): the SIREN activation (pair it with the siren initializer).",
      paper: "Sitzmann et al., NeurIPS 2020", main: "omega", example: "- sine: {omega: 30}",
      [ArgumentSpec("omega", .float, default: .float(30), min: 0, exclusiveMin: true, "Frequency factor ω₀.")]),
    activation(
      "crrelu", "ReLU(x) + ε x exp(−x²/2) with a learnable ε.", paper: "Sun et al. 2024 (EAFO)", main: "epsilon",
      [
        ArgumentSpec("epsilon", .float, default: .float(0.01), "Initial ε."),
        ArgumentSpec("learnable", .bool, default: .bool(true), "Whether ε is trained."),
      ]),
    activation(
      "rational", "Group-rational activation P(x)/Q(x), Q = 1 + Σ|bᵢ||x|ⁱ, one rational per channel group (KAT).",
      paper: "Yang & Wang, ICLR 2025 (KAT)", main: "init", example: "- rational: {groups: 8, init: swish}",
      [
        ArgumentSpec("groups", .int, default: .int(8), min: 1, "Channel groups sharing one rational."),
        ArgumentSpec(
          "degrees", .list(.int), default: .list([.int(5), .int(4)]), "Numerator and denominator degrees [m, n]."),
        ArgumentSpec(
          "init", .enumeration(["identity", "swish", "gelu"]), default: .string("swish"),
          "Function the coefficients start as."),
      ]),
    activation(
      "dice", "p(s) s + (1 − p(s)) α s with p = σ of the batch-normalised input (Deep Interest Network).",
      paper: "Zhou et al., KDD 2018", main: "form",
      [
        ArgumentSpec(
          "form", .enumeration(["paper", "official"]), default: .string("paper"),
          "The paper's formula, or the official code's extra β (linear at init)."),
        ArgumentSpec("eps", .float, default: .float(1e-8), min: 0, exclusiveMin: true, "Added to the batch variance."),
        ArgumentSpec(
          "momentum", .float, default: .float(0.1), min: 0, max: 1,
          "Weight of each batch in the running statistics used at evaluation (as batch norm: running ← "
            + "(1 − m)·running + m·batch)."),
      ]),
  ]

  /// The activation kinds (layers without parameters of their own except learnable shape factors).
  public static let activationNames: Set<String> = [
    "identity", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid", "softplus", "sine", "crrelu",
    "rational", "dice",
  ]
}
