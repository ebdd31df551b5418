import SproutConfig

extension Catalogue {
  /// Nonlinearities whose gain the fan-based initializers know (PyTorch's `calculate_gain`, plus gelu and silu).
  static let nonlinearities = ["linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "gelu", "silu"]

  static let gainArgument = ArgumentSpec("gain", .float, default: .float(1), min: 0, "Multiplies the scale.")

  /// Kaiming's mode and nonlinearity; `slope` is read only for leaky_relu.
  static func fanArguments(_ a: inout Lowerer) throws -> (FanMode, Nonlinearity) {
    let mode = try a.choice("mode", FanMode.self)
    let name = try a.string("nonlinearity")
    let n: Nonlinearity
    switch name {
    case "linear", "identity": n = .linear
    case "sigmoid": n = .sigmoid
    case "tanh": n = .tanh
    case "relu": n = .relu
    case "leaky_relu": n = .leakyRelu(slope: try a.double("slope"))
    case "selu": n = .selu
    case "gelu": n = .gelu
    case "silu": n = .silu
    default: throw a.fail("nonlinearity", "unknown nonlinearity '\(name)'")
    }
    if case .leakyRelu = n {} else { a.noEffect("slope", "it sets the gain of nonlinearity leaky_relu only") }
    return (mode, n)
  }

  static func fanInitializer(
    _ name: String, _ doc: String, paper: String, distribution: String,
    lower: @escaping @Sendable (FanMode, Nonlinearity) -> InitRule
  ) -> KindSpec {
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
      ],
      lower: { a in
        let (mode, nonlinearity) = try fanArguments(&a)
        return .initializer(lower(mode, nonlinearity))
      })
  }

  static func rule(_ r: InitRule) -> LoweringFunction { { _ in .initializer(r) } }

  static let initializers: [KindSpec] = [
    KindSpec(.initializer, "zeros", "All zeros.", example: "zero: {kind: zeros}", lower: rule(.zeros)),
    KindSpec(.initializer, "ones", "All ones.", example: "one: {kind: ones}", lower: rule(.ones)),
    KindSpec(
      .initializer, "constant", "Every entry the same value.", main: "value",
      example: "c: {kind: constant, value: 0.1}",
      arguments: [ArgumentSpec("value", .float, required: true, "The value.")],
      lower: { a in .initializer(.constant(try a.double("value"))) }),
    KindSpec(
      .initializer, "uniform", "U(a, b).", example: "u: {kind: uniform, a: -0.05, b: 0.05}",
      arguments: [
        ArgumentSpec("a", .float, default: .float(0), "Lower bound."),
        ArgumentSpec("b", .float, default: .float(1), "Upper bound (greater than a)."),
      ],
      lower: { a in .initializer(.uniform(low: try a.double("a"), high: try a.double("b"))) }),
    KindSpec(
      .initializer, "normal", "N(mean, std²).", example: "n: {kind: normal, std: 0.02}",
      arguments: [
        ArgumentSpec("mean", .float, default: .float(0), "Mean."),
        ArgumentSpec("std", .float, default: .float(1), min: 0, "Standard deviation."),
      ],
      lower: { a in .initializer(.normal(mean: try a.double("mean"), std: try a.double("std"))) }),
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
      ],
      lower: { a in
        .initializer(
          .truncatedNormal(mean: try a.double("mean"), std: try a.double("std"), a: try a.double("a"), b: try a.double("b")))
      }),
    KindSpec(
      .initializer, "xavier_uniform", "U(−a, a), a = gain·√(6/(fan_in + fan_out)).",
      paper: "Glorot & Bengio, AISTATS 2010",
      example: "glorot: {kind: xavier_uniform}", arguments: [gainArgument],
      lower: { a in .initializer(.xavierUniform(gain: try a.double("gain"))) }),
    KindSpec(
      .initializer, "xavier_normal", "N(0, std²), std = gain·√(2/(fan_in + fan_out)).",
      paper: "Glorot & Bengio, AISTATS 2010",
      example: "glorot: {kind: xavier_normal, gain: 1}", arguments: [gainArgument],
      lower: { a in .initializer(.xavierNormal(gain: try a.double("gain"))) }),
    fanInitializer(
      "kaiming_uniform", "U(−b, b), b = gain·√(3/fan).", paper: "He et al., ICCV 2015", distribution: "uniform",
      lower: { .kaimingUniform(mode: $0, nonlinearity: $1) }),
    fanInitializer(
      "kaiming_normal", "N(0, std²), std = gain/√fan.", paper: "He et al., ICCV 2015", distribution: "normal",
      lower: { .kaimingNormal(mode: $0, nonlinearity: $1) }),
    KindSpec(
      .initializer, "lecun_uniform", "U(−b, b), b = √(3/fan_in).", paper: "LeCun et al. 1998, Efficient BackProp",
      example: "lecun: {kind: lecun_uniform}", lower: rule(.lecunUniform)),
    KindSpec(
      .initializer, "lecun_normal", "N(0, 1/fan_in); the init for SELU networks.",
      paper: "LeCun et al. 1998, Efficient BackProp",
      example: "lecun: {kind: lecun_normal}", lower: rule(.lecunNormal)),
    KindSpec(
      .initializer, "pytorch_default",
      "Each tensor as its PyTorch layer's reset_parameters starts it: dense and conv2d weights U(±1/√fan_in) "
        + "(kaiming_uniform with a = √5, not He init), rnn and gru tensors U(±1/√units), embedding tables N(0, 1), "
        + "attention's packed in-projection xavier_uniform and out-projection U(±1/√E). As a bias rule, "
        + "U(±1/√fan_in) with its layer's fan_in (nn.Linear's bias).",
      paper: "PyTorch, torch.nn.Linear/Conv2d/RNN/Embedding/MultiheadAttention reset_parameters",
      example: "torch: {kind: pytorch_default, bias: {kind: pytorch_default}}", lower: rule(.pytorchDefault)),
    KindSpec(
      .initializer, "orthogonal",
      "A Haar-random (semi-)orthogonal matrix times gain (QR of a Gaussian, sign-corrected).",
      paper: "Saxe et al., ICLR 2014",
      example: "orth: {kind: orthogonal, gain: "
        + "1.41421356}", arguments: [gainArgument],
      lower: { a in .initializer(.orthogonal(gain: try a.double("gain"))) }),
    KindSpec(
      .initializer, "identity", "Ones on the main diagonal times gain, zeros elsewhere (rectangular allowed).",
      paper: "Le et al. 2015 (IRNN)", example: "eye: {kind: identity}", arguments: [gainArgument],
      lower: { a in .initializer(.identity(gain: try a.double("gain"))) }),
    KindSpec(
      .initializer, "sparse", "A fraction of each column set to zero, the rest N(0, std²).",
      paper: "Martens, ICML 2010",
      example: "sp: {kind: sparse, sparsity: 0.9, std: 0.01}",
      arguments: [
        ArgumentSpec("sparsity", .float, default: .float(0.1), min: 0, max: 1, "Fraction of zeros in each column."),
        ArgumentSpec("std", .float, default: .float(0.01), min: 0, "Std of the non-zero entries."),
      ],
      lower: { a in .initializer(.sparse(sparsity: try a.double("sparsity"), std: try a.double("std"))) }),
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
      ],
      lower: { a in
        .initializer(
          .lowRank(rank: try a.int("rank"), base: try a.initRule("base"), matchNorm: try a.bool("match_norm")))
      }),
    KindSpec(
      .initializer, "siren", "Hidden SIREN layers: U(−√(c/n)/ω, √(c/n)/ω), n = fan_in.",
      paper: "Sitzmann et al., NeurIPS 2020",
      example: "siren:\n  kind: siren\n  omega: 30\n  layers: {first: {kind: siren_first}}",
      arguments: [
        ArgumentSpec(
          "omega", .float, default: .float(30), min: 0, exclusiveMin: true, "ω₀ of the following sine activation."),
        ArgumentSpec("c", .float, default: .float(6), min: 0, exclusiveMin: true, "The constant c."),
      ],
      lower: { a in .initializer(.siren(omega: try a.double("omega"), c: try a.double("c"))) }),
    KindSpec(
      .initializer, "siren_first", "The first SIREN layer: U(−1/n, 1/n), n = fan_in.",
      paper: "Sitzmann et al., NeurIPS 2020",
      example: "first: {kind: siren_first}", lower: rule(.sirenFirst)),
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
      ],
      lower: { a in
        let options = WinnerOptions(
          omega: try a.double("omega"), s0Max: try a.double("s0_max"), a: try a.double("a"), b: try a.double("b"),
          c: try a.double("c"))
        return .initializer(.winner(options, data: try a.data("data")))
      }),
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
      ],
      lower: { a in
        .initializer(
          .lsuv(
            tolerance: try a.double("tolerance"), maxIterations: try a.int("max_iter"), batch: try a.int("batch"),
            base: try a.initRule("base"), data: try a.data("data")))
      }),
    KindSpec(
      .initializer, "ibp",
      "N(0, 2π/fan_in²), so interval bounds do not explode (certified training); last layer unchanged.",
      paper: "Shi et al., NeurIPS 2021", example: "ibp: {kind: ibp}", lower: rule(.ibp)),
    KindSpec(
      .initializer, "from_stage",
      "Copy every tensor from the final model of a stage (transfer): tensors `layers.i.…` read the source's "
        + "`layers.j.…` with j = mapping[i] (default i); tensors the source lacks are drawn by fallback.",
      main: "stage",
      example: "pretrained: {kind: from_stage, stage: pretrain}\nshared:\n  kind: from_stage\n  stage: small\n  "
        + "mapping: {2: 1}\n  fallback: kaiming_normal",
      arguments: [
        ArgumentSpec("stage", .reference(.stage), required: true, "The stage whose final model to start from."),
        ArgumentSpec(
          "mapping", .map(.int), min: 0,
          "Layer position → source layer position (`{2: 1}`: the tensors of layer 2 start as those of the source's "
            + "layer 1); unmapped layers read their own position."),
        ArgumentSpec(
          "fallback", .kind(.initializer), "How tensors the source model lacks start (without it they are an error)."),
      ],
      lower: { a in
        var mapping: [LayerMapping] = []
        if let m = a.optionalArgument("mapping"), case .map(let entries) = m.value {
          for e in entries {
            guard let layer = Int(e.key), layer >= 0, let source = e.value.intValue else {
              throw a.fail("mapping", "mapping keys and values are layer positions from 0, found '\(e.key)'")
            }
            mapping.append(LayerMapping(layer: layer, source: source))
          }
        }
        return .initializer(
          .fromStage(
            stage: try a.string("stage"), mapping: mapping.sorted { $0.layer < $1.layer },
            fallback: try a.optionalInitRule("fallback")))
      }),
  ]
}
