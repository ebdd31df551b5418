import Foundation
import SproutTensor

/// CRReLU (Sun et al. 2024, EAFO): `y = relu(x) + ε·x·exp(−x²/2)` with one scalar `ε` per layer.
///
///     dy/dx = [x > 0] + ε·(1 − x²)·exp(−x²/2)        dy/dε = x·exp(−x²/2)
///
/// `ε`'s gradient is a sum over the whole batch, accumulated in Float64 in a fixed order.
public final class CRReLULayer: Layer {
  /// Width in = width out.
  public let inputWidth: Int
  /// `epsilon`, shape `[1]`.
  public let epsilon: Parameter
  let out: Tensor
  private var input: UnsafePointer<Float>?

  init(
    width: Int, epsilon initial: Float, learnable: Bool, maxBatch: Int, path: String, topIndex: Int,
    naming: LayerNaming
  ) {
    inputWidth = width
    epsilon = naming.parameter(
      path, "epsilon", role: .activation, topIndex: topIndex, dense: nil, shape: [1], trainable: learnable)
    epsilon.value[0] = initial
    out = Tensor(zeros: [maxBatch, width])
  }

  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// `[epsilon]`.
  public var parameters: [Parameter] { [epsilon] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `crrelu`.
  public var kind: String { "crrelu" }

  /// `y = relu(x) + ε·x·exp(−x²/2)`.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    let eps = epsilon.value[0]
    let y = out.mutablePointer
    for i in 0..<(batch * inputWidth) {
      let v = x[i]
      y[i] = max(v, 0) + eps * v * Foundation.exp(-0.5 * v * v)
    }
  }

  /// Input gradient and `ε`'s gradient.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("CRReLULayer.backward before forward") }
    let eps = epsilon.value[0]
    var gradEps = 0.0
    for i in 0..<(batch * inputWidth) {
      let v = x[i]
      let g = Foundation.exp(-0.5 * v * v)
      gradEps += Double(dy[i] * v * g)
      if let dx { dx[i] = dy[i] * ((v > 0 ? 1 : 0) + eps * (1 - v * v) * g) }
    }
    if epsilon.trainable { epsilon.grad[0] += Float(gradEps) }
  }
}
