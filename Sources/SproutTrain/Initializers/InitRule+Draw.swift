import Foundation
import SproutConfig

/// Where a tensor sits in the model, for the rules that care (IBP spares the last layer, WINNER perturbs the first
/// two, a bias uses its weight's fans).
struct DrawSite {
  var name: String
  var shape: [Int]
  var fanIn: Int
  var fanOut: Int
  var denseIndex: Int?
  var isLastDense: Bool
  /// WINNER's noise stds (s₀/ω, s₁/ω) once computed from the target.
  var winnerNoise: (Double, Double)?
  /// The fan of the layer's own PyTorch default, when not `fanIn` (``Parameter/defaultFanIn``).
  var defaultFanIn: Int? = nil
}

extension InitRule {
  /// Draws a tensor of `shape` (row-major) under this rule from `stream`, with PyTorch's fans of a weight of that
  /// shape unless given. Rules that need the model or data (`winner`, `from_stage`) throw here; use
  /// `Initialization.apply`. `lsuv` draws its orthonormal pre-init; `ibp` draws the hidden-layer rule.
  public func draw(shape: [Int], fanIn: Int? = nil, fanOut: Int? = nil, stream: inout RandomStream) throws -> [Float] {
    let fi = fanIn ?? (shape.count >= 2 ? shape.dropFirst().reduce(1, *) : shape.first ?? 1)
    let fo = fanOut ?? (shape.count >= 2 ? shape[0] * shape.dropFirst(2).reduce(1, *) : shape.first ?? 1)
    let site = DrawSite(name: "tensor", shape: shape, fanIn: fi, fanOut: fo, denseIndex: nil, isLastDense: false)
    return try draw(site: site, stream: &stream)
  }

  func draw(site: DrawSite, stream: inout RandomStream) throws -> [Float] {
    let count = site.shape.reduce(1, *)
    var out = [Float](repeating: 0, count: count)
    let fanIn = Double(max(site.fanIn, 1))
    let fanOut = Double(max(site.fanOut, 1))
    func uniform(_ bound: Double) { stream.fillUniform(&out, count: count, low: Float(-bound), high: Float(bound)) }
    func normal(_ std: Double) { stream.fillNormal(&out, count: count, mean: 0, std: Float(std)) }

    switch self {
    case .zeros:
      break
    case .ones:
      out = [Float](repeating: 1, count: count)
    case .constant(let v):
      out = [Float](repeating: Float(v), count: count)
    case .uniform(let low, let high):
      stream.fillUniform(&out, count: count, low: Float(low), high: Float(high))
    case .normal(let mean, let std):
      stream.fillNormal(&out, count: count, mean: Float(mean), std: Float(std))
    case .truncatedNormal(let mean, let std, let a, let b):
      guard a < b else { throw InitError.badArgument(site.name, kind, "a (\(a)) must be below b (\(b))") }
      stream.fillTruncatedNormal(&out, count: count, mean: Float(mean), std: Float(std), a: Float(a), b: Float(b))
    case .xavierUniform(let gain):
      uniform(gain * (6.0 / (fanIn + fanOut)).squareRoot())
    case .xavierNormal(let gain):
      normal(gain * (2.0 / (fanIn + fanOut)).squareRoot())
    case .kaimingUniform(let mode, let nl):
      uniform(nl.gain * (3.0 / (mode == .fanIn ? fanIn : fanOut)).squareRoot())
    case .kaimingNormal(let mode, let nl):
      normal(nl.gain / (mode == .fanIn ? fanIn : fanOut).squareRoot())
    case .lecunUniform:
      uniform((3.0 / fanIn).squareRoot())
    case .lecunNormal:
      normal(1.0 / fanIn.squareRoot())
    case .pytorchDefault:
      uniform(1.0 / Double(max(site.defaultFanIn ?? site.fanIn, 1)).squareRoot())
    case .orthogonal(let gain):
      out = try Self.orthogonal(site: site, gain: gain, kind: kind, stream: &stream)
    case .identity(let gain):
      guard site.shape.count == 2 else {
        throw InitError.badArgument(site.name, kind, "needs a 2-D weight, got shape \(site.shape)")
      }
      for i in 0..<min(site.shape[0], site.shape[1]) { out[i * site.shape[1] + i] = Float(gain) }
    case .sparse(let sparsity, let std):
      out = try Self.sparse(site: site, sparsity: sparsity, std: std, kind: kind, stream: &stream)
    case .lowRank(let rank, let base, let matchNorm):
      out = try Self.lowRank(site: site, rank: rank, base: base, matchNorm: matchNorm, kind: kind, stream: &stream)
    case .siren(let omega, let c):
      uniform((c / fanIn).squareRoot() / omega)
    case .sirenFirst:
      uniform(1.0 / fanIn)
    case .winner(let options, _):
      guard let noise = site.winnerNoise else {
        throw InitError.missingContext(site.name, kind, "the dataset's targets (InitContext.target)")
      }
      let index = site.denseIndex ?? 1
      let base: InitRule = index == 0 ? .sirenFirst : .siren(omega: options.omega, c: options.c)
      out = try base.draw(site: site, stream: &stream)
      if index <= 1 {
        // A separate stream, so s₀ = s₁ = 0 gives exactly the plain SIREN draw.
        var noiseStream = stream.child("winner-noise")
        let std = index == 0 ? noise.0 : noise.1
        if std > 0 {
          var e = [Float](repeating: 0, count: count)
          noiseStream.fillNormal(&e, count: count, mean: 0, std: Float(std))
          for i in 0..<count { out[i] += e[i] }
        }
      }
    case .lsuv(_, _, _, let base, _):
      out = try base.draw(site: site, stream: &stream)
    case .ibp:
      if site.isLastDense {
        uniform(1.0 / fanIn.squareRoot())
      } else {
        normal((2 * Double.pi).squareRoot() / fanIn)
      }
    case .fromStage:
      throw InitError.missingContext(site.name, kind, "a checkpoint; use Initialization.apply")
    }
    return out
  }

  /// PyTorch `orthogonal_`: rows = shape[0], cols = numel/rows, G ~ N(0,1) rows×cols (transposed when rows < cols),
  /// G = QR, Q's columns times sign(diag R), transposed back, times gain (Saxe et al. 2014; Mezzadri 2007).
  static func orthogonal(site: DrawSite, gain: Double, kind: String, stream: inout RandomStream) throws -> [Float] {
    guard site.shape.count >= 2 else {
      throw InitError.badArgument(site.name, kind, "needs a weight with at least 2 dimensions, got \(site.shape)")
    }
    let rows = site.shape[0]
    let cols = site.shape.dropFirst().reduce(1, *)
    var g = [Float](repeating: 0, count: rows * cols)
    stream.fillNormal(&g, count: g.count, mean: 0, std: 1)
    var flat = DenseMatrix(rows: rows, cols: cols, values: g.map(Double.init))
    if rows < cols { flat = flat.transposed }
    var q = flat.qr().signCorrectedQ
    if rows < cols { q = q.transposed }
    return q.values.map { Float($0 * gain) }
  }

  /// PyTorch `sparse_`: N(0, std²), then in every column the rows of the first ⌈sparsity·rows⌉ entries of a random
  /// permutation are zeroed.
  static func sparse(
    site: DrawSite, sparsity: Double, std: Double, kind: String, stream: inout RandomStream
  ) throws
    -> [Float]
  {
    guard site.shape.count == 2 else {
      throw InitError.badArgument(site.name, kind, "needs a 2-D weight, got shape \(site.shape)")
    }
    guard (0...1).contains(sparsity) else {
      throw InitError.badArgument(site.name, kind, "sparsity must be in [0, 1], got \(sparsity)")
    }
    let (rows, cols) = (site.shape[0], site.shape[1])
    var out = [Float](repeating: 0, count: rows * cols)
    stream.fillNormal(&out, count: out.count, mean: 0, std: Float(std))
    let zeros = Int((sparsity * Double(rows)).rounded(.up))
    for c in 0..<cols {
      let perm = stream.permutation(rows)
      for r in perm.prefix(zeros) { out[r * cols + c] = 0 }
    }
    return out
  }

  /// Low-rank init (Liu et al., ICLR 2024): draw W₀ with `base`, keep the top-`rank` SVD triplets, rescale to ‖W₀‖_F
  /// (unless `matchNorm` is false: then the plain truncation).
  /// W₀ comes from the same stream as `base` alone would use, so a sweep over ranks shares its W₀.
  static func lowRank(
    site: DrawSite, rank: Int, base: InitRule, matchNorm: Bool, kind: String, stream: inout RandomStream
  ) throws -> [Float] {
    guard site.shape.count >= 2 else {
      throw InitError.badArgument(site.name, kind, "needs a weight with at least 2 dimensions, got \(site.shape)")
    }
    let rows = site.shape[0]
    let cols = site.shape.dropFirst().reduce(1, *)
    guard rank >= 1 && rank <= min(rows, cols) else {
      throw InitError.badArgument(
        site.name, kind, "rank \(rank) must be between 1 and min(fan_out, fan_in) = \(min(rows, cols))")
    }
    return truncate(try base.draw(site: site, stream: &stream), rows: rows, cols: cols, rank: rank, matchNorm: matchNorm)
  }

  /// The top-`rank` SVD truncation of a `rows × cols` matrix, rescaled to its Frobenius norm when `matchNorm`.
  static func truncate(_ w0: [Float], rows: Int, cols: Int, rank: Int, matchNorm: Bool) -> [Float] {
    let m = DenseMatrix(rows: rows, cols: cols, values: w0.map(Double.init))
    let target = m.frobeniusNorm
    let wr = m.svd().reconstruct(rank: rank)
    let norm = wr.frobeniusNorm
    let scale = matchNorm ? (norm > 0 ? target / norm : 0) : 1
    return wr.values.map { Float($0 * scale) }
  }
}
