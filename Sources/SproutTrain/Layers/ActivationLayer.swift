import SproutTensor

/// A stateless activation evaluated by the backend (`Backend.activationForward`/`activationBackward`).
public final class ActivationLayer: Layer {
  /// The function.
  public let function: Activation
  /// Width in = width out.
  public let inputWidth: Int
  let backend: any Backend
  /// `maxBatch × width`; the fused dense forward writes it too.
  let out: Tensor
  /// What the forward saves for the backward (sine: `cos(ω·x)`), when the function saves anything.
  let saved: Tensor?
  private var input: UnsafePointer<Float>?

  init(_ function: Activation, width: Int, backend: any Backend, maxBatch: Int) {
    self.function = function
    self.inputWidth = width
    self.backend = backend
    out = Tensor(zeros: [maxBatch, width])
    saved = function.savesForBackward ? Tensor(zeros: [maxBatch, width]) : nil
  }

  /// Same as the input width.
  public var outputWidth: Int { inputWidth }
  /// None.
  public var parameters: [Parameter] { [] }
  /// None.
  public var buffers: [Parameter] { [] }
  /// `maxBatch × width`.
  public var output: UnsafePointer<Float> { out.pointer }
  /// The language's name of the function (`relu`, `gelu`, `sine`, ...).
  public var kind: String { ActivationLayer.name(of: function) }

  /// `y = f(x)`.
  public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
    input = x
    backend.activationForward(
      function, x, out.mutablePointer, saved: saved?.mutablePointer, count: batch * inputWidth)
  }

  /// The input of the last forward, valid until the next forward.
  var lastInput: UnsafePointer<Float>? { input }

  /// Records a forward that the preceding dense layer computed in its product's epilogue: `x` is its output
  /// (this layer's input), and `output` (and `saved`) already hold `f(x)` (and what it saves).
  func forwardWasFused(input x: UnsafePointer<Float>) { input = x }

  /// `dx = f'(x)·dy`.
  public func backward(_ dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, batch: Int) {
    guard let dx else { return }
    guard let x = input else { preconditionFailure("ActivationLayer.backward before forward") }
    backend.activationBackward(
      function, x: x, y: out.pointer, saved: saved?.pointer, dy: dy, dx: dx, count: batch * inputWidth)
  }

  /// The snake_case name the language uses for a stateless activation.
  public static func name(of f: Activation) -> String {
    switch f {
    case .identity: return "identity"
    case .relu: return "relu"
    case .leakyRelu: return "leaky_relu"
    case .elu: return "elu"
    case .selu: return "selu"
    case .gelu: return "gelu"
    case .silu: return "silu"
    case .tanh: return "tanh"
    case .sigmoid: return "sigmoid"
    case .softplus: return "softplus"
    case .sine: return "sine"
    }
  }
}
