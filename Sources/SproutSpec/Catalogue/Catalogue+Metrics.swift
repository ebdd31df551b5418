import SproutConfig

extension Catalogue {
  static let layersArgument = ArgumentSpec(
    "layers", .layerSelector, default: .string("all"), "Which layers with parameters (one value per layer).")

  static let metrics: [KindSpec] = [
    KindSpec(
      .metric, "loss",
      "The stage's loss on its data; for train stages the mean loss of the step's batch, and at the last step the loss "
        + "over the whole training data.",
      example: "record: [loss]", lower: { _ in .metric(.loss) }),
    KindSpec(
      .metric, "accuracy", "Fraction of samples whose argmax output is the label.", example: "record: [accuracy]",
      lower: { _ in .metric(.accuracy) }),
    KindSpec(
      .metric, "psnr", "Peak signal-to-noise ratio in dB: 10 log₁₀(peak² / MSE).", main: "peak",
      example: "record: [{psnr: 1.0}]",
      arguments: [ArgumentSpec("peak", .float, default: .float(1), min: 0, exclusiveMin: true, "Peak signal value.")],
      lower: { a in .metric(.psnr(peak: try a.double("peak"))) }),
    KindSpec(
      .metric, "weight_norm", "Frobenius norm of each weight matrix.", main: "layers",
      example: "record: [weight_norm]", arguments: [layersArgument],
      lower: { a in .metric(.weightNorm(layers: try a.layerSet("layers"))) }),
    KindSpec(
      .metric, "weight_change",
      "‖W_t − W_0‖_F / ‖W_0‖_F per layer: how far training moved the weights, relative to where they began (larger = richer).",
      paper: "Liu et al., ICLR 2024", main: "layers", example: "record: [{weight_change: {relative: false}}]",
      arguments: [
        layersArgument,
        ArgumentSpec("relative", .bool, default: .bool(true), "Divide by ‖W_0‖_F (false: the absolute ‖W_t − W_0‖_F)."),
      ],
      lower: { a in .metric(.weightChange(layers: try a.layerSet("layers"), relative: try a.bool("relative"))) }),
    KindSpec(
      .metric, "effective_rank", "Effective rank of each weight: exp of the entropy of normalised singular values.",
      paper: "Roy & Vetterli 2007; Liu et al., ICLR 2024", main: "layers",
      example: "record: [{effective_rank: {definition: participation_ratio}}]",
      arguments: [
        layersArgument,
        ArgumentSpec(
          "definition", .enumeration(["entropy", "participation_ratio"]), default: .string("entropy"),
          "entropy: exp(−Σ pᵢ log pᵢ), pᵢ = σᵢ/Σσ; participation_ratio: (Σσᵢ²)² / Σσᵢ⁴."),
      ],
      lower: { a in
        .metric(
          .effectiveRank(layers: try a.layerSet("layers"), definition: try a.choice("definition", RankDefinition.self)))
      }),
    KindSpec(
      .metric, "stable_rank", "‖W‖_F² / ‖W‖₂² per layer.", main: "layers", example: "record: [stable_rank]",
      arguments: [layersArgument], lower: { a in .metric(.stableRank(layers: try a.layerSet("layers"))) }),
    KindSpec(
      .metric, "kernel_alignment",
      "Cosine similarity of the empirical tangent kernel at init and now, w.r.t. the selected weights (lower = "
        + "richer).",
      paper: "Liu et al., ICLR 2024", main: "layers", example: "record: [{kernel_alignment: {samples: 64}}]",
      arguments: [
        layersArgument,
        ArgumentSpec("samples", .int, default: .int(64), min: 1, max: 1024, "Fixed samples the kernel is computed on."),
      ],
      lower: { a in .metric(.kernelAlignment(layers: try a.layerSet("layers"), samples: try a.int("samples"))) }),
    KindSpec(
      .metric, "activation_stats", "Statistics of each layer's outputs on a batch.",
      paper: "Gallego-Feliciano et al. 2025 (massive_ratio)", main: "stats",
      example: "record: [{activation_stats: [std, massive_ratio]}]",
      arguments: [
        ArgumentSpec(
          "stats", .list(.enumeration(["mean", "std", "max_abs", "massive_ratio"])),
          default: .list([.string("mean"), .string("std"), .string("max_abs"), .string("massive_ratio")]),
          "Which: mean, std, max_abs, massive_ratio (max|a| / median|a| over the batch, also logged averaged per "
            + "input as massive_ratio_per_input)."),
        ArgumentSpec(
          "layers", .layerSelector, default: .string("all"),
          "Which activation layers: indices count the layers reported (activations and residual blocks, in model "
            + "order, 0 = the first), not dense layers; first, last and negative indices work the same way."),
        ArgumentSpec("samples", .int, default: .int(256), min: 1, "Rows of the stage's data the statistics are taken on."),
      ],
      lower: { a in
        .metric(
          .activationStats(
            stats: try a.choices("stats", ActivationStatistic.self), layers: try a.layerSet("layers"),
            samples: try a.int("samples")))
      }),
    KindSpec(
      .metric, "grad_norm", "Global L2 norm of the gradient (before clipping).", example: "record: [grad_norm]",
      lower: { _ in .metric(.gradNorm) }),
    KindSpec(.metric, "lr", "The learning rate of the step.", example: "record: [lr]", lower: { _ in .metric(.lr) }),
    KindSpec(
      .metric, "interval_bounds",
      "Interval bound propagation of the box [x − eps, x + eps] around each probe input (evaluation mode): per "
        + "dense or conv2d layer, the mean radius of its output interval and its growth over the previous one's.",
      paper: "Shi et al., NeurIPS 2021 (IBP init); Gowal et al. 2018 (IBP)", main: "eps",
      example: "record: [{interval_bounds: {eps: 0.01, samples: 64}}]",
      arguments: [
        ArgumentSpec("eps", .float, default: .float(0.01), min: 0, exclusiveMin: true, "Radius of the input box (ℓ∞)."),
        layersArgument,
        ArgumentSpec("samples", .int, default: .int(32), min: 1, "Probe inputs (the first rows of the stage's data)."),
      ],
      lower: { a in
        .metric(
          .intervalBounds(eps: try a.double("eps"), layers: try a.layerSet("layers"), samples: try a.int("samples")))
      }),
    KindSpec(
      .metric, "output_spectrum",
      "Magnitude spectrum of the network's output over the dataset's coordinate grid (DC dropped), binned.",
      paper: "Kania et al., ICLR 2025 (FreSh)", main: "bins", example: "record: [{output_spectrum: 64}]",
      arguments: [ArgumentSpec("bins", .int, default: .int(64), min: 1, "Number of frequency bins kept.")],
      lower: { a in .metric(.outputSpectrum(bins: try a.int("bins"))) }),
  ]
}
