/// How one parameter tensor starts: the initializer rules of the language (docs/initializers.md gives each
/// formula and its paper). `fan_in`/`fan_out` are PyTorch's; a bias is drawn with its layer weight's fans.
public indirect enum InitRule: Hashable, Sendable, Codable {
  /// All zeros.
  case zeros
  /// All ones.
  case ones
  /// Every value equal to `value`.
  case constant(Double)
  /// U(low, high) (PyTorch `uniform_`).
  case uniform(low: Double, high: Double)
  /// N(mean, std²) (PyTorch `normal_`).
  case normal(mean: Double, std: Double)
  /// N(mean, std²) truncated to the absolute interval [a, b] (PyTorch `trunc_normal_`).
  case truncatedNormal(mean: Double, std: Double, a: Double, b: Double)
  /// U(−g·√(6/(fan_in+fan_out)), +…) (Glorot & Bengio 2010).
  case xavierUniform(gain: Double)
  /// N(0, (g·√(2/(fan_in+fan_out)))²) (Glorot & Bengio 2010).
  case xavierNormal(gain: Double)
  /// U(−g·√(3/fan_mode), +…), g from the nonlinearity (He et al. 2015).
  case kaimingUniform(mode: FanMode, nonlinearity: Nonlinearity)
  /// N(0, (g/√fan_mode)²), g from the nonlinearity (He et al. 2015).
  case kaimingNormal(mode: FanMode, nonlinearity: Nonlinearity)
  /// U(−√(3/fan_in), +…) (LeCun et al. 1998).
  case lecunUniform
  /// N(0, 1/fan_in) (LeCun et al. 1998).
  case lecunNormal
  /// PyTorch's `nn.Linear` default: U(±1/√fan_in).
  case pytorchDefault
  /// A Haar-random (semi-)orthogonal matrix times `gain` (Saxe et al. 2014).
  case orthogonal(gain: Double)
  /// Ones on the main diagonal times `gain` (PyTorch `eye_`).
  case identity(gain: Double)
  /// N(0, std²) with ⌈sparsity·rows⌉ zeros per column (Martens 2010).
  case sparse(sparsity: Double, std: Double)
  /// The rank-`rank` SVD truncation of a matrix drawn (or copied) by `base`, rescaled to the base matrix's
  /// Frobenius norm when `matchNorm` (Liu et al. 2024).
  case lowRank(rank: Int, base: InitRule, matchNorm: Bool)
  /// SIREN's hidden layers: U(−√(c/fan_in)/ω, +…) (Sitzmann et al. 2020).
  case siren(omega: Double, c: Double)
  /// SIREN's first layer: U(−1/fan_in, +1/fan_in).
  case sirenFirst
  /// WINNER / SIREN²: SIREN init plus Gaussian noise on the first two dense weights, scaled by the spectral
  /// centroid of `data`'s targets (Chandravamsi et al. 2025).
  case winner(WinnerOptions, data: DataSelection)
  /// LSUV: `base`, then each dense layer rescaled until its output variance on a batch of `data` is within
  /// `tolerance` of 1 (Mishkin & Matas 2016).
  case lsuv(tolerance: Double, maxIterations: Int, batch: Int, base: InitRule, data: DataSelection)
  /// IBP init: N(0, (√(2π)/fan_in)²) on every dense weight but the last (Shi et al. 2021).
  case ibp
  /// Copy the tensors of the final model of `stage`: tensors `layers.i.…` read the source's `layers.j.…` with
  /// `j = mapping[i] ?? i`; a tensor the source lacks is drawn by `fallback`, or is an error without one.
  case fromStage(stage: String, mapping: [LayerMapping], fallback: InitRule?)
}

/// One entry of `from_stage`'s `mapping`: a layer of the model (by position in its layer list) reads a layer of
/// the source model.
public struct LayerMapping: Hashable, Sendable, Codable {
  /// The layer's position in the model being initialised (from 0).
  public var layer: Int
  /// The position of the source model's layer it copies.
  public var source: Int

  /// Creates a mapping entry.
  public init(layer: Int, source: Int) {
    self.layer = layer
    self.source = source
  }
}

/// Which fan Kaiming init preserves.
public enum FanMode: String, Hashable, Sendable, Codable, CaseIterable {
  /// The forward pass variance (PyTorch's default).
  case fanIn = "fan_in"
  /// The backward pass variance.
  case fanOut = "fan_out"
}

/// A nonlinearity whose recommended gain the fan-based initializers use (PyTorch's `calculate_gain`, plus gelu
/// and silu).
public enum Nonlinearity: Hashable, Sendable, Codable {
  /// Gain 1.
  case linear
  /// Gain 1.
  case sigmoid
  /// Gain 5/3.
  case tanh
  /// Gain √2.
  case relu
  /// Gain √(2/(1+slope²)).
  case leakyRelu(slope: Double)
  /// Gain 3/4.
  case selu
  /// Gain 1/√E[gelu(z)²].
  case gelu
  /// Gain 1/√E[silu(z)²].
  case silu
}

/// WINNER's constants.
public struct WinnerOptions: Hashable, Sendable, Codable {
  /// The SIREN frequency ω (divisor of both noise stds).
  public var omega: Double
  /// s₀ = s0Max·(1 − exp(−a·z)).
  public var s0Max: Double
  /// Rate of s₀'s saturation.
  public var a: Double
  /// s₁ = b·z.
  public var b: Double
  /// An explicit s₀ (skips the centroid formula) when set.
  public var s0: Double?
  /// An explicit s₁ when set.
  public var s1: Double?
  /// SIREN's hidden-layer constant c.
  public var c: Double

  /// Creates options; nil scales are computed from the target.
  public init(
    omega: Double = 30, s0Max: Double, a: Double, b: Double, s0: Double? = nil, s1: Double? = nil, c: Double = 6
  ) {
    self.omega = omega
    self.s0Max = s0Max
    self.a = a
    self.b = b
    self.s0 = s0
    self.s1 = s1
    self.c = c
  }
}

/// Which layers with weights a per-layer rule, metric or adapter applies to. Indices count the model's weight layers
/// (``WeightLayerKind``: dense layers, and the layers of the kinds added since) from 0, in model order, residual bodies
/// included; negative indices count from the end. A kind selects every weight layer of that kind.
public enum LayerSet: Hashable, Sendable, Codable {
  /// Every one.
  case all
  /// The first.
  case first
  /// The last.
  case last
  /// These indices.
  case indices([Int])
  /// Every weight layer of this kind.
  case kind(WeightLayerKind)

  /// The selected positions among `count` layers, in increasing order, or the first index out of range. A kind
  /// selector needs the layers' kinds: use ``resolve(kinds:)``.
  public func resolve(count: Int) -> Result<[Int], LayerSetError> {
    switch self {
    case .all: return .success(Array(0..<count))
    case .first: return count > 0 ? .success([0]) : .failure(LayerSetError(index: 0, count: count))
    case .last: return count > 0 ? .success([count - 1]) : .failure(LayerSetError(index: -1, count: count))
    case .indices(let list):
      var out: [Int] = []
      for i in list {
        let k = i < 0 ? count + i : i
        guard (0..<count).contains(k) else { return .failure(LayerSetError(index: i, count: count)) }
        if !out.contains(k) { out.append(k) }
      }
      return .success(out.sorted())
    case .kind(let kind): return .failure(LayerSetError(kind: kind, count: count))
    }
  }

  /// The selected positions among weight layers of these kinds, in increasing order, or why none fits: an index out
  /// of range, or a kind the model has no layer of.
  public func resolve(kinds: [WeightLayerKind]) -> Result<[Int], LayerSetError> {
    resolve(tags: kinds.map { WeightLayerTag($0) })
  }

  /// The selected positions among weight layers with these tags (a `transformer_block` selector picks the layers
  /// inside blocks), in increasing order, or why none fits.
  public func resolve(tags: [WeightLayerTag]) -> Result<[Int], LayerSetError> {
    guard case .kind(let kind) = self else { return resolve(count: tags.count) }
    let matching = tags.indices.filter { tags[$0].isSelected(by: kind) }
    return matching.isEmpty ? .failure(LayerSetError(kind: kind, count: tags.count)) : .success(matching)
  }
}

/// A layer index outside the model, or a kind it has no layer of.
public struct LayerSetError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The index as written (0 for a kind).
  public var index: Int
  /// How many layers there are.
  public var count: Int
  /// The kind selected, when the selector is a kind.
  public var kind: WeightLayerKind?

  /// An index out of range.
  public init(index: Int, count: Int) {
    self.index = index
    self.count = count
    self.kind = nil
  }

  /// A kind the model lacks.
  public init(kind: WeightLayerKind, count: Int) {
    self.index = 0
    self.count = count
    self.kind = kind
  }

  /// `layer 5 is out of range: there are 3`, `the model has no conv2d layer`.
  public var description: String {
    if let kind { return "the model has no \(kind.rawValue) layer" }
    return "layer \(index) is out of range: there are \(count)"
  }
}

/// A whole model's initialization: the weight rule, per-layer overrides (later entries win) and the bias rule.
public struct InitConfig: Hashable, Sendable, Codable {
  /// The weight rule of every weight tensor no override selects.
  public var rule: InitRule
  /// Per-layer overrides, in written order.
  public var layerRules: [LayerRule]
  /// The bias rule.
  public var bias: InitRule

  /// One override.
  public struct LayerRule: Hashable, Sendable, Codable {
    /// The weight layers it applies to.
    public var layers: LayerSet
    /// Their weight rule.
    public var rule: InitRule
    /// The one weight tensor of those layers it applies to (`recurrent`, `query`, `token`, `linear1`), or nil for all
    /// of them.
    public var tensor: String?

    /// Creates an override.
    public init(_ layers: LayerSet, _ rule: InitRule, tensor: String? = nil) {
      self.layers = layers
      self.rule = rule
      self.tensor = tensor
    }
  }

  /// Creates an initialization.
  public init(rule: InitRule, layerRules: [LayerRule] = [], bias: InitRule = .zeros) {
    self.rule = rule
    self.layerRules = layerRules
    self.bias = bias
  }

  /// Every rule, the overrides' included, nested bases and fallbacks included.
  public var allRules: [InitRule] {
    var out: [InitRule] = []
    func visit(_ r: InitRule) {
      out.append(r)
      switch r {
      case .lowRank(_, let base, _), .lsuv(_, _, _, let base, _): visit(base)
      case .fromStage(_, _, let fallback?): visit(fallback)
      default: break
      }
    }
    for r in [rule, bias] + layerRules.map(\.rule) { visit(r) }
    return out
  }
}
