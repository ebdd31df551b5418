import SproutConfig

/// A tensor of a stage's checkpoint, as `from_stage` reads it.
public struct StageTensor: Sendable, Hashable {
  /// Row-major shape.
  public var shape: [Int]
  /// The values.
  public var values: [Float]

  /// Creates a tensor.
  public init(shape: [Int], values: [Float]) {
    self.shape = shape
    self.values = values
  }
}

/// What data-dependent and transfer initializers need besides the parameters.
public struct InitContext {
  /// The dataset's targets, for WINNER's spectral centroid.
  public var target: TargetSignal?
  /// The pre-activation output of dense layer `denseIndex` (all elements) on a fixed data batch, computed with the
  /// parameters' current values — for LSUV. Inputs should have unit variance (as `ducha-aiki/LSUVinit`'s README
  /// advises; docs/initializers.md).
  public var forwardToLayer: ((Int) throws -> [Float])?
  /// Loaded checkpoints by stage name, tensor name → tensor, for `from_stage`.
  public var checkpoints: [String: [String: StageTensor]]
  /// The std of every Fourier-feature projection (role `.projection`) by parameter name: B ~ N(0, σ²).
  public var projectionStd: [String: Double]
  /// The kinds of the model's weight layers in order, for per-layer rules that select a kind (`rnn`); without them
  /// only index selectors resolve.
  public var weightKinds: [WeightLayerKind]?
  /// The weight layers inside transformer blocks (what a `transformer_block` selector picks besides its kind).
  public var weightLayersInBlocks: Set<Int> = []

  /// Creates a context.
  public init(
    target: TargetSignal? = nil, forwardToLayer: ((Int) throws -> [Float])? = nil,
    checkpoints: [String: [String: StageTensor]] = [:], projectionStd: [String: Double] = [:]
  ) {
    self.target = target
    self.forwardToLayer = forwardToLayer
    self.checkpoints = checkpoints
    self.projectionStd = projectionStd
  }
}

/// What `Initialization.apply` did beyond drawing: LSUV's per-layer outcome and WINNER's noise scales.
public struct InitReport: Sendable, Hashable {
  /// One LSUV layer: its final output variance and how many rescalings it took.
  public struct LSUVLayer: Sendable, Hashable {
    /// Dense index of the layer.
    public var denseIndex: Int
    /// Var of the layer's output after the last rescaling.
    public var variance: Double
    /// Rescalings applied.
    public var iterations: Int
    /// Whether |Var − 1| ≤ tolerance was reached (the official code moves on either way).
    public var converged: Bool
  }

  /// LSUV layers in forward order.
  public var lsuv: [LSUVLayer] = []
  /// WINNER's (s₀, s₁) before division by ω, when WINNER ran.
  public var winnerScales: WinnerScales?
}

/// Runs an `InitConfig` over a model's parameters.
public enum Initialization {
  /// Initializes `parameters` in place. Each tensor draws from its own stream `path + [parameter.name]` under
  /// `seed`, so a tensor's values do not depend on the other tensors or their order. Dense weights get their
  /// layer's rule (the last per-layer rule whose layer set holds the layer's dense index, else the main rule), dense
  /// biases the bias rule, Fourier projections N(0, σ²) from `context.projectionStd`, embedding tables N(0, 1) and
  /// attention projections PyTorch's `nn.MultiheadAttention` defaults (xavier_uniform in, U(±1/√E) out); other roles
  /// keep their layer's own start values, except that a layer whose rule is `from_stage` copies every tensor it has.
  /// LSUV layers are rescaled last, in forward order.
  @discardableResult
  public static func apply(
    _ plan: InitConfig, to parameters: [Parameter], seed: UInt64, path: [String], context: InitContext = InitContext()
  ) throws -> InitReport {
    var report = InitReport()
    let denseWeights = parameters.filter { $0.role == .weight && $0.denseIndex != nil }
    let denseCount = (denseWeights.compactMap(\.denseIndex).max() ?? -1) + 1
    let lastDense = denseCount - 1
    // A bias belongs to the weight with the same prefix (`layers.3.layers.0.bias` ↔ `layers.3.layers.0.weight`).
    let weightByPrefix = Dictionary(
      denseWeights.map { (String($0.name.dropLast("weight".count)), $0) }, uniquingKeysWith: { first, _ in first })
    var selected: [[Int]] = []
    let tags = context.weightKinds.map { kinds in
      kinds.indices.map { WeightLayerTag(kinds[$0], inBlock: context.weightLayersInBlocks.contains($0)) }
    }
    for rule in plan.layerRules {
      switch tags.map({ rule.layers.resolve(tags: $0) }) ?? rule.layers.resolve(count: denseCount) {
      case .success(let indices): selected.append(indices)
      case .failure(let error):
        throw InitError(
          code: "init.bad-selector", message: "a per-layer rule selects \(error.description)",
          suggestion: "count dense layers from 0 (negative from the end)")
      }
    }

    /// The last per-layer rule selecting tensor `tensor` (`weight`; a recurrent layer's `input` or `recurrent`;
    /// attention's `query`, ...) of weight layer `index`, if any.
    func layerRule(forDense index: Int?, tensor: String) -> InitRule? {
      guard let index else { return nil }
      for (n, r) in plan.layerRules.enumerated().reversed()
      where selected[n].contains(index) && (r.tensor == nil || r.tensor == tensor) {
        return r.rule
      }
      return nil
    }
    /// The weight rule of the weight layer a parameter belongs to, for its tensor.
    func rule(forDense index: Int?, tensor: String) -> InitRule {
      layerRule(forDense: index, tensor: tensor) ?? plan.rule
    }
    func tensorWord(_ p: Parameter) -> String {
      if let word = p.tensorWord { return word }
      let suffix = String(p.name.split(separator: ".").last ?? "")
      return RecurrentLayer.tensorWords[suffix] ?? suffix
    }
    /// An embedding's or attention's rule: a per-layer rule's, else PyTorch's start (or the model's `from_stage`).
    func pyTorchStartRule(_ p: Parameter, _ tensor: String, default start: InitRule) throws -> InitRule {
      let selected = layerRule(forDense: p.denseIndex, tensor: tensor)
      if selected == nil, case .fromStage = plan.rule { return plan.rule }
      guard let rule = selected, rule != .pytorchDefault else { return start }
      switch rule {
      case .lsuv, .ibp, .siren, .sirenFirst, .winner:
        throw InitError.badArgument(
          p.name, rule.kind, "is defined for dense and convolutional layers, not \(p.role.rawValue) tensors")
      default: return rule
      }
    }

    var winnerNoise: (Double, Double)?
    var lsuvLayers: [(Parameter, Int, Double, Int)] = []
    for p in parameters {
      if p.role == .attentionInput {
        // Three matrices in one tensor: each block may have its own rule (`attention.query`).
        let rules = try AttentionLayer.projectionWords.map { try pyTorchStartRule(p, $0, default: .pytorchDefault) }
        try drawPackedProjections(p, rules: rules, seed: seed, path: path, context: context)
        continue
      }
      let weightRule: InitRule
      if p.role == .bias, p.denseIndex != nil, let w = weightByPrefix[String(p.name.dropLast("bias".count))] {
        weightRule = rule(forDense: w.denseIndex, tensor: tensorWord(w))
      } else {
        weightRule = rule(forDense: p.denseIndex, tensor: tensorWord(p))
      }
      var stream = RandomStream(seed: seed, path: path + [p.name])
      if case .fromStage(let stage, let mapping, let fallback) = weightRule {
        try copy(p, stage: stage, mapping: mapping, fallback: fallback, context: context, stream: &stream)
        continue
      }
      let rule: InitRule
      var site = DrawSite(
        name: p.name, shape: p.shape, fanIn: p.fanIn, fanOut: p.fanOut, denseIndex: p.denseIndex,
        isLastDense: p.denseIndex != nil && p.denseIndex == lastDense)
      site.defaultFanIn = p.defaultFanIn
      switch p.role {
      case .weight:
        rule = weightRule
      case .bias where p.denseIndex != nil:
        rule = plan.bias
        if let w = weightByPrefix[String(p.name.dropLast("bias".count))] {
          (site.fanIn, site.fanOut) = (w.fanIn, w.fanOut)
        }
      case .projection:
        guard let std = context.projectionStd[p.name] else {
          throw InitError.missingContext(p.name, "projection", "its standard deviation (InitContext.projectionStd)")
        }
        rule = .normal(mean: 0, std: std)
      case .embedding:
        // nn.Embedding's reset_parameters: N(0, 1); PyTorch's fans of a [vocab, dim] table are dim (in), vocab (out).
        rule = try pyTorchStartRule(p, tensorWord(p), default: .normal(mean: 0, std: 1))
      case .attentionOutput:
        // Its out_proj is an nn.Linear: U(±1/√E) (the projection biases stay 0, as there).
        rule = try pyTorchStartRule(p, tensorWord(p), default: .pytorchDefault)
      default:
        continue  // layer-norm gains and biases, activation coefficients: the layer's own start values
      }
      if case .winner(let options, _) = rule {
        if winnerNoise == nil, let target = context.target {
          let scales = options.scales(for: target)
          report.winnerScales = scales
          winnerNoise = (scales.s0 / options.omega, scales.s1 / options.omega)
        }
        site.winnerNoise = winnerNoise
      }
      let values: [Float]
      if case .lowRank(let rank, .fromStage(let stage, let mapping, let fallback), let matchNorm) = rule {
        // The rank-r truncation of the transferred weight.
        try copy(p, stage: stage, mapping: mapping, fallback: fallback, context: context, stream: &stream)
        guard p.shape.count == 2, rank >= 1, rank <= min(p.shape[0], p.shape[1]) else {
          throw InitError.badArgument(p.name, "low_rank", "rank \(rank) does not fit the \(p.shape) weight")
        }
        values = InitRule.truncate(p.value.array, rows: p.shape[0], cols: p.shape[1], rank: rank, matchNorm: matchNorm)
      } else {
        values = try rule.draw(site: site, stream: &stream)
      }
      write(values, into: p)
      if p.role == .weight, case .lsuv(let tol, let maxIter, _, _, _) = rule, let index = p.denseIndex {
        lsuvLayers.append((p, index, tol, maxIter))
      }
    }
    if !lsuvLayers.isEmpty {
      guard let forward = context.forwardToLayer else {
        throw InitError.missingContext(lsuvLayers[0].0.name, "lsuv", "a data batch (InitContext.forwardToLayer)")
      }
      for (p, index, tol, maxIter) in lsuvLayers.sorted(by: { $0.1 < $1.1 }) {
        report.lsuv.append(try lsuvScale(p, index: index, tolerance: tol, maxIterations: maxIter, forward: forward))
      }
    }
    return report
  }

  /// Attention's packed `in_proj_weight` `[3E, E]` under the rules of its query, key and value blocks.
  ///
  /// With no rule of its own on any block it is PyTorch's `nn.MultiheadAttention._reset_parameters`: one
  /// `xavier_uniform_` over the packed tensor, whose fans are E (in) and 3E (out), so U(±√(6/(4E))) — drawn from the
  /// tensor's stream, or copied under a model-wide `from_stage`. Once a block has a rule, each block is drawn as the
  /// `[E, E]` matrix it is (fan_in = fan_out = E: what a separate `nn.Linear(E, E)` per projection, JAX/Flax's
  /// attention and timm's ViT init do), from its own stream `path + [name, "query"]`; a block without a rule keeps
  /// PyTorch's packed bound √(6/(4E)), and a block under `from_stage` copies its rows of the checkpoint's tensor.
  static func drawPackedProjections(
    _ p: Parameter, rules: [InitRule], seed: UInt64, path: [String], context: InitContext
  ) throws {
    let e = p.shape[1]
    let packed = DrawSite(
      name: p.name, shape: p.shape, fanIn: e, fanOut: 3 * e, denseIndex: p.denseIndex, isLastDense: false)
    if rules.allSatisfy({ $0 == .pytorchDefault }) {
      var stream = RandomStream(seed: seed, path: path + [p.name])
      write(try InitRule.xavierUniform(gain: 1).draw(site: packed, stream: &stream), into: p)
      return
    }
    if rules.allSatisfy({ if case .fromStage = $0 { true } else { false } }), Set(rules).count == 1,
      case .fromStage(let stage, let mapping, let fallback) = rules[0]
    {
      var stream = RandomStream(seed: seed, path: path + [p.name])
      try copy(p, stage: stage, mapping: mapping, fallback: fallback, context: context, stream: &stream)
      return
    }
    var values = [Float](repeating: 0, count: p.value.count)
    for (t, word) in AttentionLayer.projectionWords.enumerated() {
      var stream = RandomStream(seed: seed, path: path + [p.name, word])
      var site = DrawSite(
        name: "\(p.name) (\(word))", shape: [e, e], fanIn: e, fanOut: e, denseIndex: p.denseIndex, isLastDense: false)
      var block: [Float]
      switch rules[t] {
      case .pytorchDefault:
        site.fanOut = 3 * e  // PyTorch's packed fans
        block = try InitRule.xavierUniform(gain: 1).draw(site: site, stream: &stream)
      case .fromStage(let stage, let mapping, let fallback):
        if let rows = try copyRows(p, rows: (t * e)..<((t + 1) * e), stage: stage, mapping: mapping, context: context) {
          block = rows
        } else if let fallback {
          block = try fallback.draw(site: site, stream: &stream)
        } else {
          throw InitError.missingContext(p.name, "from_stage", "the checkpoint tensor '\(p.name)'")
        }
      case .lowRank(let rank, .fromStage(let stage, let mapping, _), let matchNorm):
        guard let rows = try copyRows(p, rows: (t * e)..<((t + 1) * e), stage: stage, mapping: mapping, context: context)
        else { throw InitError.missingContext(p.name, "low_rank", "a checkpoint tensor '\(p.name)'") }
        guard rank >= 1, rank <= e else {
          throw InitError.badArgument(p.name, "low_rank", "rank \(rank) does not fit the [\(e), \(e)] \(word) block")
        }
        block = InitRule.truncate(rows, rows: e, cols: e, rank: rank, matchNorm: matchNorm)
      default:
        block = try rules[t].draw(site: site, stream: &stream)
      }
      for i in 0..<(e * e) { values[t * e * e + i] = block[i] }
    }
    write(values, into: p)
  }

  /// Rows `rows` of the checkpoint tensor `from_stage` gives `p`, or nil when the checkpoint lacks it.
  static func copyRows(
    _ p: Parameter, rows: Range<Int>, stage: String, mapping: [LayerMapping], context: InitContext
  ) throws -> [Float]? {
    guard let checkpoint = context.checkpoints[stage] else {
      throw InitError.missingContext(p.name, "from_stage", "the checkpoint of stage '\(stage)'")
    }
    let source = sourceName(p.name, layerIndex: p.layerIndex, mapping: mapping)
    guard let tensor = checkpoint[source] else { return nil }
    guard tensor.shape == p.shape, tensor.values.count == p.value.count else {
      throw InitError.shapeMismatch(p.name, source: source, stage: stage, model: p.shape, checkpoint: tensor.shape)
    }
    let cols = p.shape[1]
    return Array(tensor.values[(rows.lowerBound * cols)..<(rows.upperBound * cols)])
  }

  static func write(_ values: [Float], into p: Parameter) {
    precondition(values.count == p.value.count, "drew \(values.count) values for \(p.name) \(p.shape)")
    for i in 0..<values.count { p.value[i] = values[i] }
  }

  /// LSUV's loop (official `lsuv_init.py`): while |Var − 1| > tol and fewer than `maxIterations` rescalings,
  /// W ← W/√Var and forward again. Biases are not touched.
  static func lsuvScale(
    _ p: Parameter, index: Int, tolerance: Double, maxIterations: Int, forward: (Int) throws -> [Float]
  ) throws -> InitReport.LSUVLayer {
    var variance = populationVariance(try forward(index))
    var iterations = 0
    while abs(variance - 1) > tolerance && iterations < maxIterations {
      guard variance > 0, variance.isFinite else {
        throw InitError(
          code: "init.lsuv-degenerate", message: "lsuv on '\(p.name)': the layer's output variance is \(variance)",
          parameter: p.name, suggestion: "check that the data batch is not constant and has unit variance")
      }
      let scale = Float(1 / variance.squareRoot())
      for i in 0..<p.value.count { p.value[i] *= scale }
      variance = populationVariance(try forward(index))
      iterations += 1
    }
    return .init(
      denseIndex: index, variance: variance, iterations: iterations,
      converged: abs(variance - 1) <= tolerance)
  }

  /// Var over all elements (NumPy's `var`, ddof 0), accumulated in Double.
  static func populationVariance(_ x: [Float]) -> Double {
    guard !x.isEmpty else { return 0 }
    let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
    return x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count)
  }

  /// `from_stage`: layer `i`'s tensors come from source layer `mapping[i] ?? i` (`layers.<i>.` renamed).
  static func copy(
    _ p: Parameter, stage: String, mapping: [LayerMapping], fallback: InitRule?, context: InitContext,
    stream: inout RandomStream
  ) throws {
    guard let checkpoint = context.checkpoints[stage] else {
      throw InitError.missingContext(p.name, "from_stage", "the checkpoint of stage '\(stage)'")
    }
    let source = sourceName(p.name, layerIndex: p.layerIndex, mapping: mapping)
    guard let tensor = checkpoint[source] else {
      if let fallback {
        let site = DrawSite(
          name: p.name, shape: p.shape, fanIn: p.fanIn, fanOut: p.fanOut, denseIndex: p.denseIndex,
          isLastDense: false)
        write(try fallback.draw(site: site, stream: &stream), into: p)
        return
      }
      let near = checkpoint.keys.sorted().prefix(8).joined(separator: ", ")
      throw InitError(
        code: "init.missing-tensor",
        message: "from_stage '\(stage)': the checkpoint has no tensor '\(source)' for '\(p.name)' (it has: \(near))",
        parameter: p.name, suggestion: "add a layer mapping, a fallback rule, or a per-layer rule for this layer")
    }
    guard tensor.shape == p.shape, tensor.values.count == p.value.count else {
      throw InitError.shapeMismatch(p.name, source: source, stage: stage, model: p.shape, checkpoint: tensor.shape)
    }
    write(tensor.values, into: p)
  }

  static func sourceName(_ name: String, layerIndex: Int, mapping: [LayerMapping]) -> String {
    guard let target = mapping.last(where: { $0.layer == layerIndex })?.source else { return name }
    let prefix = "layers.\(layerIndex)."
    guard name.hasPrefix(prefix) else { return name }
    return "layers.\(target)." + name.dropFirst(prefix.count)
  }
}
