extension Catalogue {
  /// Nonlinearities whose gain the fan-based initializers know (PyTorch's `calculate_gain`, plus gelu and silu).
  static let nonlinearities = ["linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "gelu", "silu"]

  static let gainArgument = ArgumentSpec("gain", .float, default: .float(1), min: 0, "Multiplies the scale.")

  static func fanInitializer(_ name: String, _ doc: String, paper: String, distribution: String) -> KindSpec {
    KindSpec(
      .initializer, name, doc, paper: paper,
      example: "he:\n  kind: \(name)\n  mode: fan_in\n  nonlinearity: relu",
      arguments: [
        ArgumentSpec(
          "mode", .enumeration(["fan_in", "fan_out"]), default: .string("fan_in"),
          "fan_in keeps forward variance, fan_out backward."),
        ArgumentSpec(
          "nonlinearity", .enumeration(nonlinearities), default: .string("relu"),
          "Sets the gain (relu: √2, tanh: 5/3, ...)."),
        ArgumentSpec("slope", .float, default: .float(0.01), min: 0, "Negative slope when nonlinearity is leaky_relu."),
      ])
  }

  static let initializers: [KindSpec] = [
    KindSpec(.initializer, "zeros", "All zeros.", example: "zero: {kind: zeros}"),
    KindSpec(.initializer, "ones", "All ones.", example: "one: {kind: ones}"),
    KindSpec(
      .initializer, "constant", "Every entry the same value.", main: "value",
      example: "c: {kind: constant, value: 0.1}",
      arguments: [ArgumentSpec("value", .float, required: true, "The value.")]),
    KindSpec(
      .initializer, "uniform", "U(a, b).", example: "u: {kind: uniform, a: -0.05, b: 0.05}",
      arguments: [
        ArgumentSpec("a", .float, default: .float(0), "Lower bound."),
        ArgumentSpec("b", .float, default: .float(1), "Upper bound (greater than a)."),
      ]),
    KindSpec(
      .initializer, "normal", "N(mean, std²).", example: "n: {kind: normal, std: 0.02}",
      arguments: [
        ArgumentSpec("mean", .float, default: .float(0), "Mean."),
        ArgumentSpec("std", .float, default: .float(1), min: 0, "Standard deviation."),
      ]),
    KindSpec(
      .initializer, "truncated_normal",
      "N(mean, std²) restricted to [a, b]; a and b are absolute values, not multiples of std (as PyTorch).",
      example: "tn: {kind: truncated_normal, std: 0.02, a: -0.04, b: 0.04}",
      arguments: [
        ArgumentSpec("mean", .float, default: .float(0), "Mean."),
        ArgumentSpec(
          "std", .float, default: .float(1), min: 0, exclusiveMin: true, "Standard deviation before truncation."),
        ArgumentSpec("a", .float, default: .float(-2), "Lower cut (absolute)."),
        ArgumentSpec("b", .float, default: .float(2), "Upper cut (absolute, greater than a)."),
      ]),
    KindSpec(
      .initializer, "xavier_uniform", "U(−a, a), a = gain·√(6/(fan_in + fan_out)).",
      paper: "Glorot & Bengio, AISTATS 2010",
      example: "glorot: {kind: xavier_uniform}", arguments: [gainArgument]),
    KindSpec(
      .initializer, "xavier_normal", "N(0, std²), std = gain·√(2/(fan_in + fan_out)).",
      paper: "Glorot & Bengio, AISTATS 2010",
      example: "glorot: {kind: xavier_normal, gain: 1}", arguments: [gainArgument]),
    fanInitializer(
      "kaiming_uniform", "U(−b, b), b = gain·√(3/fan).", paper: "He et al., ICCV 2015", distribution: "uniform"),
    fanInitializer(
      "kaiming_normal", "N(0, std²), std = gain/√fan.", paper: "He et al., ICCV 2015", distribution: "normal"),
    KindSpec(
      .initializer, "lecun_uniform", "U(−b, b), b = √(3/fan_in).", paper: "LeCun et al. 1998, Efficient BackProp",
      example: "lecun: {kind: lecun_uniform}"),
    KindSpec(
      .initializer, "lecun_normal", "N(0, 1/fan_in); the init for SELU networks.",
      paper: "LeCun et al. 1998, Efficient BackProp",
      example: "lecun: {kind: lecun_normal}"),
    KindSpec(
      .initializer, "orthogonal",
      "A Haar-random (semi-)orthogonal matrix times gain (QR of a Gaussian, sign-corrected).",
      paper: "Saxe et al., ICLR 2014",
      example: "orth: {kind: orthogonal, gain: "
        + "1.41421356}", arguments: [gainArgument]),
    KindSpec(
      .initializer, "identity", "Ones on the main diagonal times gain, zeros elsewhere (rectangular allowed).",
      paper: "Le et al. 2015 (IRNN)", example: "eye: {kind: identity}", arguments: [gainArgument]),
    KindSpec(
      .initializer, "sparse", "A fraction of each column set to zero, the rest N(0, std²).",
      paper: "Martens, ICML 2010",
      example: "sp: {kind: sparse, sparsity: 0.9, std: 0.01}",
      arguments: [
        ArgumentSpec("sparsity", .float, default: .float(0.1), min: 0, max: 1, "Fraction of zeros in each column."),
        ArgumentSpec("std", .float, default: .float(0.01), min: 0, "Std of the non-zero entries."),
      ]),
    KindSpec(
      .initializer, "low_rank",
      "The rank-r truncated SVD of a matrix drawn by `base`, rescaled to the same Frobenius norm.",
      paper: "Liu et al., ICLR 2024 (rich and lazy learning)",
      example: "lowrank:\n  kind: low_rank\n  rank: 2\n  base: kaiming_normal",
      arguments: [
        ArgumentSpec("rank", .int, required: true, min: 1, "Rank r (at most min(fan_in, fan_out))."),
        ArgumentSpec(
          "base", .kind(.initializer), default: .string("kaiming_normal"), "The full-rank matrix to truncate."),
        ArgumentSpec("match_norm", .bool, default: .bool(true), "Rescale to the base matrix's Frobenius norm."),
      ]),
    KindSpec(
      .initializer, "siren", "Hidden SIREN layers: U(−√(c/n)/ω, √(c/n)/ω), n = fan_in.",
      paper: "Sitzmann et al., NeurIPS 2020",
      example: "siren:\n  kind: siren\n  omega: 30\n  layers: {first: {kind: siren_first}}",
      arguments: [
        ArgumentSpec(
          "omega", .float, default: .float(30), min: 0, exclusiveMin: true, "ω₀ of the following sine activation."),
        ArgumentSpec("c", .float, default: .float(6), min: 0, exclusiveMin: true, "The constant c."),
      ]),
    KindSpec(
      .initializer, "siren_first", "The first SIREN layer: U(−1/n, 1/n), n = fan_in.",
      paper: "Sitzmann et al., NeurIPS 2020",
      example: "first: {kind: siren_first}"),
    KindSpec(
      .initializer, "winner",
      "SIREN init plus Gaussian noise on the first two layers, scaled by the target's spectral centroid (SIREN²).",
      paper: "Chandravamsi et al. 2025",
      example: "winner:\n  kind: winner\n  data: signal\n  s0_max: 3500\n  a: 7\n  b: 3",
      arguments: [
        ArgumentSpec("data", .data, required: true, "The target whose spectral centroid sets the noise."),
        ArgumentSpec("s0_max", .float, default: .float(50), min: 0, "Largest first-layer noise scale."),
        ArgumentSpec("a", .float, default: .float(5), min: 0, "Growth rate of the first-layer scale."),
        ArgumentSpec("b", .float, default: .float(0.4), min: 0, "Second-layer scale per unit centroid."),
        ArgumentSpec("omega", .float, default: .float(30), min: 0, exclusiveMin: true, "ω₀ of the sine layers."),
        ArgumentSpec("c", .float, default: .float(6), min: 0, exclusiveMin: true, "SIREN's constant c."),
      ]),
    KindSpec(
      .initializer, "lsuv",
      "Orthogonal pre-init, then each layer's weight is rescaled until its output variance is 1 on a batch.",
      paper: "Mishkin & Matas, ICLR 2016",
      example: "lsuv:\n  kind: lsuv\n  data: teacher.train",
      arguments: [
        ArgumentSpec("data", .data, required: true, "The batch source."),
        ArgumentSpec(
          "tolerance", .float, default: .float(0.02), min: 0, exclusiveMin: true, "Stop when |Var − 1| ≤ tolerance."),
        ArgumentSpec("max_iter", .int, default: .int(20), min: 1, "Iterations per layer."),
        ArgumentSpec("batch", .int, default: .int(512), min: 1, "Samples in the batch."),
        ArgumentSpec("base", .kind(.initializer), default: .string("orthogonal"), "The pre-initialisation."),
      ]),
    KindSpec(
      .initializer, "ibp",
      "N(0, 2π/fan_in²), so interval bounds do not explode (certified training); last layer unchanged.",
      paper: "Shi et al., NeurIPS 2021", example: "ibp: {kind: ibp}"),
    KindSpec(
      .initializer, "from_stage", "Copy every tensor from the final checkpoint of a stage (transfer).",
      main: "stage", example: "pretrained: {kind: from_stage, stage: pretrain}",
      arguments: [
        ArgumentSpec("stage", .reference(.stage), required: true, "The stage whose checkpoint to start from.")
      ]),
  ]
}
