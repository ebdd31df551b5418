import SproutConfig

extension Catalogue {
  static func activation(
    _ name: String, _ doc: String, paper: String? = nil, main: String? = nil, example: String? = nil,
    _ arguments: [ArgumentSpec] = [], lower: @escaping @Sendable (inout Lowerer) throws -> ActivationConfig
  ) -> KindSpec {
    KindSpec(
      .layer, name, doc, paper: paper, main: main, example: example ?? "- \(name)", arguments: arguments,
      lower: { a in .layer(.activation(try lower(&a))) })
  }

  /// A 2-D pooling layer: `size` (its main argument) and `stride`, which defaults to `size` as in PyTorch.
  static func pool(
    _ name: String, _ doc: String, lower: @escaping @Sendable (Int, Int) -> LayerConfig
  ) -> KindSpec {
    KindSpec(
      .layer, name, doc + " Output sides ⌊(side − size)/stride⌋ + 1.", main: "size",
      example: "- \(name): 2\n- \(name): {size: 3, stride: 2}",
      arguments: [
        ArgumentSpec("size", .int, default: .int(2), min: 1, "Side of the square window."),
        ArgumentSpec("stride", .int, min: 1, "Step between windows (default: the size)."),
      ],
      lower: { a in
        let size = try a.int("size")
        return .layer(lower(size, try a.optionalInt("stride") ?? size))
      })
  }

  /// A recurrent layer's `output` argument: the last state or every state.
  static let recurrentOutput = ArgumentSpec(
    "output", .enumeration(["last", "sequence"]), default: .string("last"),
    "`last`: the final state [units]; `sequence`: the state at every position [L, units].")

  static let layers: [KindSpec] = [
    KindSpec(
      .layer, "dense", "A fully connected layer y = W x + b.", main: "units",
      example: "- dense: 256\n- dense: {units: 10, bias: false}",
      arguments: [
        ArgumentSpec("units", .int, required: true, min: 1, "Output width."),
        ArgumentSpec("bias", .bool, default: .bool(true), "Whether the layer has a bias."),
      ],
      lower: { a in .layer(.dense(units: try a.int("units"), bias: try a.bool("bias"))) }),
    KindSpec(
      .layer, "residual", "x + body(x): the nested layers must keep the width.", main: "layers",
      example: "- residual:\n    - dense: 256\n    - tanh",
      arguments: [ArgumentSpec("layers", .list(.kind(.layer)), required: true, "The body.")],
      lower: { a in .layer(.residual(try a.layers("layers"))) }),
    KindSpec(
      .layer, "layernorm", "Layer normalisation over the features (biased variance, as PyTorch).",
      paper: "Ba, Kiros, Hinton 2016", example: "- layernorm",
      arguments: [
        ArgumentSpec("eps", .float, default: .float(1e-5), min: 0, exclusiveMin: true, "Added to the variance."),
        ArgumentSpec("affine", .bool, default: .bool(true), "Learnable gain and shift."),
      ],
      lower: { a in .layer(.layerNorm(eps: try a.double("eps"), affine: try a.bool("affine"))) }),
    KindSpec(
      .layer, "dropout", "Zeroes each feature with probability `rate` while training.", main: "rate",
      example: "- dropout: 0.1",
      arguments: [ArgumentSpec("rate", .float, required: true, min: 0, max: 1, exclusiveMax: true, "Drop probability.")],
      lower: { a in .layer(.dropout(rate: try a.double("rate"))) }),
    KindSpec(
      .layer, "fourier_features",
      "Random Fourier features [cos 2πBx, sin 2πBx] with B ~ N(0, σ²); width 2 × features (+ the input's width with "
        + "include_input).",
      paper: "Tancik et al., NeurIPS 2020", main: "features",
      example: "- fourier_features: {features: 128, sigma: 10}",
      arguments: [
        ArgumentSpec("features", .int, required: true, min: 1, "Number of frequencies (output width is twice that)."),
        ArgumentSpec("sigma", .float, default: .float(10), min: 0, exclusiveMin: true, "Std of the frequencies."),
        ArgumentSpec("trainable", .bool, default: .bool(false), "Whether B is trained."),
        ArgumentSpec("include_input", .bool, default: .bool(false), "Append the input itself to the features."),
      ],
      lower: { a in
        .layer(
          .fourierFeatures(
            features: try a.int("features"), sigma: try a.double("sigma"), trainable: try a.bool("trainable"),
            includeInput: try a.bool("include_input")))
      }),
    KindSpec(
      .layer, "conv2d",
      "A 2-D convolution of an image [C, H, W] into [filters, H', W'], H' = ⌊(H + 2·padding − kernel)/stride⌋ + 1 "
        + "(PyTorch's nn.Conv2d with square int arguments; weight [filters, C, kernel, kernel]).",
      main: "filters", example: "- conv2d: 16\n- conv2d: {filters: 32, kernel: 3, stride: 1, padding: 1}",
      arguments: [
        ArgumentSpec("filters", .int, required: true, min: 1, "Output channels."),
        ArgumentSpec("kernel", .int, default: .int(3), min: 1, "Side of the square kernel."),
        ArgumentSpec("stride", .int, default: .int(1), min: 1, "Step between kernel positions."),
        ArgumentSpec("padding", .int, default: .int(0), min: 0, "Zeros added on every side of the image."),
        ArgumentSpec("bias", .bool, default: .bool(true), "Whether the layer has a bias (one per filter)."),
      ],
      lower: { a in
        .layer(
          .conv2d(
            filters: try a.int("filters"), kernel: try a.int("kernel"), stride: try a.int("stride"),
            padding: try a.int("padding"), bias: try a.bool("bias")))
      }),
    pool("max_pool2d", "The maximum of each size×size window (PyTorch's nn.MaxPool2d).") { .maxPool2d(size: $0, stride: $1) },
    pool("avg_pool2d", "The mean of each size×size window (PyTorch's nn.AvgPool2d).") { .avgPool2d(size: $0, stride: $1) },
    KindSpec(
      .layer, "flatten", "Reads an image [C, H, W] or a sequence [L, F] as one vector (PyTorch's nn.Flatten).",
      example: "- flatten", arguments: [], lower: { _ in .layer(.flatten) }),
    KindSpec(
      .layer, "global_avg_pool",
      "The mean of each channel over an image's positions ([C, H, W] → [C]), or of each feature over a sequence's "
        + "([L, F] → [F]).",
      example: "- global_avg_pool", arguments: [], lower: { _ in .layer(.globalAvgPool) }),
    KindSpec(
      .layer, "rnn",
      "An Elman recurrent layer over a sequence [L, F]: h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), h_0 = 0 "
        + "(PyTorch's one-layer nn.RNN, batch first); the last state [units], or every state [L, units] with "
        + "`output: sequence`. Trained by backpropagation through time.",
      paper: "Elman 1990", main: "units",
      example: "- rnn: 64\n- rnn: {units: 64, nonlinearity: relu, output: sequence}",
      arguments: [
        ArgumentSpec("units", .int, required: true, min: 1, "Hidden state size."),
        ArgumentSpec(
          "nonlinearity", .enumeration(RNNNonlinearity.allCases.map(\.rawValue)), default: .string("tanh"),
          "f: tanh, or relu (IRNN with the identity initializer on the recurrent weight)."),
        recurrentOutput,
      ],
      lower: { a in
        .layer(
          .rnn(
            units: try a.int("units"), nonlinearity: try a.choice("nonlinearity", RNNNonlinearity.self),
            sequence: try a.string("output") == "sequence"))
      }),
    KindSpec(
      .layer, "gru",
      "A gated recurrent unit over a sequence [L, F] (PyTorch's one-layer nn.GRU, batch first, h_0 = 0): "
        + "r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz), "
        + "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h; the last state [units], or every "
        + "state [L, units] with `output: sequence`.",
      paper: "Cho et al., EMNLP 2014", main: "units", example: "- gru: 64\n- gru: {units: 64, output: sequence}",
      arguments: [ArgumentSpec("units", .int, required: true, min: 1, "Hidden state size."), recurrentOutput],
      lower: { a in .layer(.gru(units: try a.int("units"), sequence: try a.string("output") == "sequence")) }),
    activation("identity", "f(x) = x.") { _ in .identity },
    activation("relu", "max(0, x).") { _ in .relu },
    activation(
      "leaky_relu", "x for x > 0, slope · x otherwise.", main: "slope", example: "- leaky_relu: 0.1",
      [ArgumentSpec("slope", .float, default: .float(0.01), min: 0, "Negative slope.")]
    ) { a in .leakyRelu(slope: try a.double("slope")) },
    activation(
      "elu", "x for x > 0, α(eˣ − 1) otherwise.", paper: "Clevert et al., ICLR 2016", main: "alpha",
      [ArgumentSpec("alpha", .float, default: .float(1), min: 0, "Saturation value.")]
    ) { a in .elu(alpha: try a.double("alpha")) },
    activation(
      "selu", "Scaled ELU for self-normalising networks (use lecun_normal).", paper: "Klambauer et al., NeurIPS 2017"
    ) { _ in .selu },
    activation(
      "gelu", "x Φ(x).", paper: "Hendrycks & Gimpel 2016", main: "approximate",
      [
        ArgumentSpec(
          "approximate", .enumeration(GELUApproximation.allCases.map(\.rawValue)), default: .string("none"),
          "Exact erf form or the tanh approximation.")
      ]
    ) { a in .gelu(approximate: try a.choice("approximate", GELUApproximation.self)) },
    activation("silu", "x σ(x) (Swish).", paper: "Ramachandran et al. 2017") { _ in .silu },
    activation("tanh", "tanh(x).") { _ in .tanh },
    activation("sigmoid", "1 / (1 + e⁻ˣ).") { _ in .sigmoid },
    activation(
      "softplus", "log(1 + e^{βx}) / β, and x where βx exceeds the threshold (as PyTorch).", main: "beta",
      [
        ArgumentSpec("beta", .float, default: .float(1), min: 0, exclusiveMin: true, "Sharpness."),
        ArgumentSpec(
          "threshold", .float, default: .float(20), min: 0, exclusiveMin: true, "Above β·x > threshold it is linear."),
      ]
    ) { a in .softplus(beta: try a.double("beta"), threshold: try a.double("threshold")) },
    activation(
      "sine", "sin(ω x): the SIREN activation (pair it with the siren initializer).",
      paper: "Sitzmann et al., NeurIPS 2020", main: "omega", example: "- sine: {omega: 30}",
      [ArgumentSpec("omega", .float, default: .float(30), min: 0, exclusiveMin: true, "Frequency factor ω₀.")]
    ) { a in .sine(omega: try a.double("omega")) },
    activation(
      "crrelu", "ReLU(x) + ε x exp(−x²/2) with a learnable ε.", paper: "Sun et al. 2024 (EAFO)", main: "epsilon",
      [
        ArgumentSpec("epsilon", .float, default: .float(0.01), "Initial ε."),
        ArgumentSpec("learnable", .bool, default: .bool(true), "Whether ε is trained."),
      ]
    ) { a in .crrelu(epsilon: try a.double("epsilon"), learnable: try a.bool("learnable")) },
    activation(
      "rational",
      "Group-rational activation P(x)/Q(x), Q = 1 + Σ|bᵢ||x|ⁱ, one rational per channel group (KAT); coefficients "
        + "start as a least-squares fit of the init function on [−3, 3] (KAT's published fits for degrees [5, 4]).",
      paper: "Yang & Wang, ICLR 2025 (KAT)", main: "init", example: "- rational: {groups: 8, init: swish}",
      [
        ArgumentSpec("groups", .int, default: .int(8), min: 1, "Channel groups sharing one rational."),
        ArgumentSpec(
          "degrees", .list(.int), default: .list([.int(5), .int(4)]), "Numerator and denominator degrees [m, n]."),
        ArgumentSpec(
          "init", .enumeration(RationalInitialization.allCases.map(\.rawValue)), default: .string("swish"),
          "Function the coefficients start as."),
      ]
    ) { a in
      let degrees = try a.ints("degrees")
      guard degrees.count == 2 else { throw a.fail("degrees", "degrees must be [m, n]") }
      return .rational(
        groups: try a.int("groups"), numerator: degrees[0], denominator: degrees[1],
        initialization: try a.choice("init", RationalInitialization.self))
    },
    activation(
      "dice",
      "p(s) s + (1 − p(s)) α s with p = σ of the batch-normalised input (Deep Interest Network); the official "
        + "form multiplies the normalised input by a learnable β that starts at 0.",
      paper: "Zhou et al., KDD 2018", main: "form",
      [
        ArgumentSpec(
          "form", .enumeration(DiceForm.allCases.map(\.rawValue)), default: .string("paper"),
          "The paper's formula, or the official code's extra β (linear at init)."),
        ArgumentSpec("alpha", .float, default: .float(0), "Initial α (learnable, one per feature)."),
        ArgumentSpec("eps", .float, default: .float(1e-8), min: 0, exclusiveMin: true, "Added to the batch variance."),
        ArgumentSpec(
          "momentum", .float, default: .float(0.1), min: 0, max: 1,
          "Weight of each batch in the running statistics used at evaluation (as batch norm: running ← "
            + "(1 − m)·running + m·batch)."),
      ]
    ) { a in
      .dice(
        form: try a.choice("form", DiceForm.self), alpha: try a.double("alpha"), eps: try a.double("eps"),
        momentum: try a.double("momentum"))
    },
  ]

  /// The activation kinds (layers without parameters of their own except learnable shape factors).
  public static let activationNames: Set<String> = [
    "identity", "relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid", "softplus", "sine", "crrelu",
    "rational", "dice",
  ]
}
