import Foundation
import SproutTensor

/// Random Fourier features (Tancik et al. 2020): `y = [cos(2π x Bᵀ), sin(2π x Bᵀ), x]`, the last block only
/// with `includeInput`. `B` (`projection`, `[features, in]`, role `.projection`) is drawn from N(0, sigma²) when
/// the network is planned, from `RandomStream(seed: network seed, path: ["fourier_features", "layers.<i>"])`
/// (initializers leave non-weight roles to their layer), and is frozen unless its `trainable` flag is set; a
/// checkpoint stores it like any parameter.
///
/// Backward, with z = 2π x Bᵀ: `dz = cos(z)·d_sin − sin(z)·d_cos`, `dx = 2π dz B (+ d_x)`, `dB += 2π dzᵀ x`.
public final class FourierFeaturesLayer: Layer {
  /// Input features.
  public let inputWidth: Int
  /// Number of frequencies (rows of B).
  public let features: Int
  /// Standard deviation B is drawn with.
  public let sigma: Float
  /// Whether the raw input is appended to the output.
  public let includeInput: Bool
  /// `B`, `[features, in]`.
  public let projection: Parameter
  let backend: any Backend
  let out: Tensor
  private let phase: Tensor  // z, maxBatch × features
  private let phaseGrad: Tensor  // dz
  private var input: UnsafePointer<Float>?
  private static let twoPi = Float(2 * Double.pi)

  init(
    inputWidth: Int, features: Int, sigma: Float, includeInput: Bool, trainable: Bool = false, backend: any Backend,
    maxBatch: Int, seed: UInt64, path: String, topIndex: Int, naming: LayerNaming
  ) {
    self.inputWidth = inputWidth
    self.features = features
    self.sigma = sigma
    self.includeInput = includeInput
    self.backend = backend
    projection = naming.parameter(
      path, "projection", role: .projection, topIndex: topIndex, dense: nil, shape: [features, inputWidth],
      trainable: trainable)
    var stream = RandomStream(seed: seed, path: ["fourier_features", path])
    stream.fillNormal(projection.value.mutablePointer, count: projection.value.count, mean: 0, std: sigma)
    out = Tensor(zeros: [maxBatch, 2 * features + (includeInput ? inputWidth : 0)])
    phase = Tensor(zeros: [maxBatch, features])
    phaseGrad = Tensor(zeros: [maxBatch, features])
  }

  /// `2·features (+ in)`.
  public var outputWidth: Int { 2 * features + (includeInput ? inputWidth : 0) }
  /// `[projection]`.
  public var parameters: [Parameter] { [projection] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × outputWidth`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `fourier_features`.
  public var kind: String { "fourier_features" }

  /// `[cos z, sin z, x]`.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    let m = features, w = outputWidth
    backend.gemm(
      transA: false, transB: true, m: batch, n: m, k: inputWidth, alpha: Self.twoPi, a: x, lda: inputWidth,
      b: projection.value.pointer, ldb: inputWidth, beta: 0, c: phase.mutablePointer, ldc: m)
    let y = out.mutablePointer, z = phase.pointer
    for r in 0..<batch {
      for j in 0..<m {
        y[r * w + j] = Foundation.cos(z[r * m + j])
        y[r * w + m + j] = Foundation.sin(z[r * m + j])
      }
      if includeInput {
        for j in 0..<inputWidth { y[r * w + 2 * m + j] = x[r * inputWidth + j] }
      }
    }
  }

  /// Input gradient, and the projection's gradient when it is trainable.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("FourierFeaturesLayer.backward before forward") }
    let m = features, w = outputWidth
    let z = phase.pointer, dz = phaseGrad.mutablePointer
    for r in 0..<batch {
      for j in 0..<m {
        let v = z[r * m + j]
        dz[r * m + j] = Foundation.cos(v) * dy[r * w + m + j] - Foundation.sin(v) * dy[r * w + j]
      }
    }
    if projection.trainable {
      backend.gemm(
        transA: true, transB: false, m: m, n: inputWidth, k: batch, alpha: Self.twoPi, a: dz, lda: m, b: x,
        ldb: inputWidth, beta: 1, c: projection.grad.mutablePointer, ldc: inputWidth)
    }
    guard let dx else { return }
    backend.gemm(
      transA: false, transB: false, m: batch, n: inputWidth, k: m, alpha: Self.twoPi, a: dz, lda: m,
      b: projection.value.pointer, ldb: inputWidth, beta: 0, c: dx, ldc: inputWidth)
    if includeInput {
      for r in 0..<batch {
        for j in 0..<inputWidth { dx[r * inputWidth + j] += dy[r * w + 2 * m + j] }
      }
    }
  }
}
