import SproutConfig
import SproutTensor

/// A transformer encoder block (`nn.TransformerEncoderLayer` without dropout, `batch_first=True`), run as the layer
/// list `LayerConfig.transformerBlockLayers` gives: residual attention and residual MLP, each with a layer norm
/// before (`pre`, PyTorch's `norm_first=True`) or after the sum (`post`). Its output is the residual stream after the
/// block, what `activation_stats` and the massive-activation ratio read.
public final class TransformerBlockLayer: Layer {
  let stack: LayerStack
  /// Width in = width out (`L · E`).
  public let inputWidth: Int

  init(
    _ configs: [LayerConfig], input: TensorShape, path: String, topIndex: Int, backend: any Backend, maxBatch: Int,
    seed: UInt64, clock: TrainingClock, naming: LayerNaming
  ) throws {
    inputWidth = input.elementCount
    let first = naming.nextDense
    stack = try LayerStack(
      configs, input: input, pathPrefix: "\(path).layers", topIndex: topIndex, backend: backend, maxBatch: maxBatch,
      seed: seed, clock: clock, naming: naming)
    naming.inBlock.formUnion(first..<naming.nextDense)
    // The MLP's weights are named as nn.TransformerEncoderLayer's, linear1 then linear2.
    let mlp = stack.layers.flatMap { $0.parameters }.filter { $0.role == .weight }
    for (k, p) in mlp.enumerated() { p.tensorWord = "linear\(k + 1)" }
  }

  /// The block's layers (residual blocks and layer norms), in order.
  public var layers: [any Layer] { stack.layers }
  /// The block's attention layer.
  public var attention: AttentionLayer? {
    for layer in stack.layers {
      if let a = layer as? AttentionLayer { return a }
      if let r = layer as? ResidualLayer, let a = r.layers.lazy.compactMap({ $0 as? AttentionLayer }).first { return a }
    }
    return nil
  }
  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// Every inner parameter, in order.
  public var parameters: [Parameter] { stack.layers.flatMap { $0.parameters } }
  /// Every inner buffer, in order.
  public var buffers: [Parameter] { stack.layers.flatMap { $0.buffers } }
  /// The residual stream after the block, `maxBatch × L·E`.
  public var output: UnsafePointer<Float> { stack.layers[stack.layers.count - 1].output }
  /// `transformer_block`.
  public var kind: String { "transformer_block" }

  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    _ = stack.forward(x, batch: batch, training: training)
  }

  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    stack.backward(dy, dx: dx, batch: batch)
  }
}
