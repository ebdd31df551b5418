import Foundation
import SproutConfig
import SproutTensor

/// A token embedding, PyTorch's `nn.Embedding(vocab, dim)`, plus a positional encoding: each sample's `L` token ids
/// (stored as floats) become `[L, dim]`,
///
///     y[p] = E[id_p] + PE[p]      E: [vocab, dim] ~ N(0, 1);  PE: nothing, a learned [L, dim] table (N(0, 1)), or
///                                 Vaswani et al.'s sinusoids PE[p, 2i] = sin(p/10000^(2i/dim)), PE[p, 2i+1] = cos(…)
///
/// Backward: `dE[id_p] += dy[p]` (and `dPE[p] += dy[p]` for a learned table); token ids have no gradient, so an
/// asked-for input gradient is zeros.
public final class EmbeddingLayer: Layer {
  /// Positions per sample.
  public let length: Int
  /// Rows of the table.
  public let vocab: Int
  /// Features per position.
  public let dim: Int
  /// `[vocab, dim]`.
  public let table: Parameter
  /// The learned positional table `[L, dim]`, when the encoding is learned.
  public let position: Parameter?
  /// The fixed sinusoids `[L, dim]`, when the encoding is sinusoidal.
  let sinusoids: [Float]?
  let backend: any Backend
  let out: Tensor
  private var input: UnsafePointer<Float>?
  /// Its index among the model's weight layers.
  let weightLayerIndex: Int

  init(
    length: Int, vocab: Int, dim: Int, positional: PositionalEncoding, backend: any Backend, maxBatch: Int,
    path: String, topIndex: Int, naming: LayerNaming
  ) {
    self.length = length
    self.vocab = vocab
    self.dim = dim
    self.backend = backend
    let index = naming.claim(.embedding)
    weightLayerIndex = index
    table = naming.parameter(path, "weight", role: .embedding, topIndex: topIndex, dense: index, shape: [vocab, dim])
    table.tensorWord = "token"
    position =
      positional == .learned
      ? naming.parameter(path, "position", role: .embedding, topIndex: topIndex, dense: index, shape: [length, dim])
      : nil
    sinusoids = positional == .sinusoidal ? Self.sinusoids(length: length, dim: dim) : nil
    out = Tensor(zeros: [maxBatch, length * dim])
  }

  /// Vaswani et al. (2017) §3.5, computed in Float64: `PE[p, 2i] = sin(p·ω_i)`, `PE[p, 2i+1] = cos(p·ω_i)`,
  /// `ω_i = 10000^(−2i/dim)`.
  static func sinusoids(length: Int, dim: Int) -> [Float] {
    var pe = [Float](repeating: 0, count: length * dim)
    for p in 0..<length {
      for j in 0..<dim {
        let i = j / 2
        let angle = Double(p) * Foundation.pow(10000, -Double(2 * i) / Double(dim))
        pe[p * dim + j] = Float(j % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle))
      }
    }
    return pe
  }

  /// `L` ids.
  public var inputWidth: Int { length }
  /// `L · dim`.
  public var outputWidth: Int { length * dim }
  /// The table, then the learned positions.
  public var parameters: [Parameter] { [table] + (position.map { [$0] } ?? []) }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × L·dim`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// `embedding`.
  public var kind: String { "embedding" }

  func id(_ x: UnsafePointer<Float>, _ i: Int) -> Int {
    let v = x[i]
    precondition(v >= 0 && v < Float(vocab) && v == v.rounded(), "token id \(v) outside 0..<\(vocab)")
    return Int(v)
  }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    let y = out.mutablePointer
    for r in 0..<(batch * length) {
      backend.copy(table.value.pointer + id(x, r) * dim, y + r * dim, count: dim)
    }
    let pe: UnsafePointer<Float>? = position?.value.pointer
    if let pe {
      for b in 0..<batch {
        backend.zip(.add, y + b * outputWidth, pe, y + b * outputWidth, count: outputWidth)
      }
    } else if let sinusoids {
      sinusoids.withUnsafeBufferPointer { s in
        guard let base = s.baseAddress else { return }
        for b in 0..<batch { backend.zip(.add, y + b * outputWidth, base, y + b * outputWidth, count: outputWidth) }
      }
    }
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let x = input else { preconditionFailure("EmbeddingLayer.backward before forward") }
    if table.trainable {
      for r in 0..<(batch * length) {
        backend.axpy(alpha: 1, dy + r * dim, table.grad.mutablePointer + id(x, r) * dim, count: dim)
      }
    }
    if let position, position.trainable {
      for b in 0..<batch {
        backend.axpy(alpha: 1, dy + b * outputWidth, position.grad.mutablePointer, count: outputWidth)
      }
    }
    if let dx { backend.fill(dx, value: 0, count: batch * length) }
  }
}
