import SproutConfig
import SproutTensor

/// One planned layer of a `Network`: it owns its output buffer (sized for the network's `maxBatch`) and any
/// scratch it needs, so forward and backward allocate nothing.
///
/// Contract: `forward` remembers the input pointer it was given; the caller keeps that memory unchanged until
/// the matching `backward`. `backward` *accumulates* parameter gradients (`grad += ...`) and, when `dx` is
/// non-nil, *overwrites* `dx` (batch × inputWidth) with the input gradient. `dx` never aliases `dy`.
public protocol Layer: AnyObject {
  /// Features per input row.
  var inputWidth: Int { get }
  /// Features per output row.
  var outputWidth: Int { get }
  /// Trainable (or frozen) tensors, in a stable order.
  var parameters: [Parameter] { get }
  /// Non-trainable state saved with checkpoints (e.g. Dice running statistics).
  var buffers: [Parameter] { get }
  /// The output of the last forward, `maxBatch × outputWidth` (valid for the last batch's rows).
  var output: UnsafePointer<Float> { get }
  /// A short kind name for reports: `dense`, `relu`, `rational`, `residual`, ...
  var kind: String { get }

  /// Computes `output` for `batch` rows of `x`.
  func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool)
  /// Accumulates parameter gradients from `dy` and writes the input gradient into `dx` when asked.
  func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int)
}

/// Why a layer list cannot be planned.
public struct NetworkError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Dotted path of the offending layer, e.g. `layers.3.layers.1`.
  public let path: String
  /// What is wrong, in words a user can act on.
  public let message: String

  /// Creates an error for the layer at `path`.
  public init(path: String, message: String) {
    self.path = path
    self.message = message
  }

  /// `layers.3: message`.
  public var description: String { "\(path): \(message)" }
}

/// Assigns parameter names and weight-layer indices while a layer list is planned (nested blocks share one counter,
/// so weight layer 0 is the model's first layer with weights wherever it sits), and keeps the layer computing each.
final class LayerNaming {
  /// The kinds of the weight layers claimed so far, in model order.
  private(set) var weightKinds: [WeightLayerKind] = []
  /// The per-sample layer computing each weight layer (a position-wise layer's wrapper, not its inner layer).
  var weightLayerObjects: [Int: any Layer] = [:]
  /// The weight layers inside transformer blocks (what the selector `transformer_block` picks).
  var inBlock: Set<Int> = []

  /// The next weight layer's index in the whole model.
  var nextDense: Int { weightKinds.count }

  /// Claims the next weight-layer index for a layer of `kind`.
  func claim(_ kind: WeightLayerKind) -> Int {
    weightKinds.append(kind)
    return weightKinds.count - 1
  }

  /// A parameter of the layer at `path` (e.g. `layers.2`) named `path.suffix`.
  func parameter(
    _ path: String, _ suffix: String, role: Parameter.Role, topIndex: Int, dense: Int?, shape: [Int],
    trainable: Bool = true
  ) -> Parameter {
    Parameter(
      name: "\(path).\(suffix)", role: role, layerIndex: topIndex, denseIndex: dense, shape: shape,
      trainable: trainable)
  }
}

/// A layer that is one of the model's weight layers (``WeightLayerKind``), or runs one (a position-wise wrapper).
protocol WeightLayerComputing: Layer {
  /// Its index among the model's weight layers.
  var weightLayerIndex: Int { get }
}

extension DenseLayer: WeightLayerComputing {
  var weightLayerIndex: Int { denseIndex }
}

extension EmbeddingLayer: WeightLayerComputing {}

extension AttentionLayer: WeightLayerComputing {}

extension PositionwiseLayer: WeightLayerComputing {
  var weightLayerIndex: Int { (inner as? WeightLayerComputing)?.weightLayerIndex ?? -1 }
}
