/// The shape of one sample as it flows through a model, batch dimension left out (PyTorch's order within a sample):
///
///     vector    [features]                 dense stacks
///     image     [channels, height, width]  convolutions, pooling
///     sequence  [length, features]         attention, recurrence; dense and layernorm act per position
///     tokens    [length], ids in 0..<vocab  what an embedding reads
///
/// Every shape is stored row-major in one row of `elementCount` floats per sample (a token id as a float), so the
/// layers of a model exchange flat rows and read them with the shape the model's `input:` and its layers give.
public enum TensorShape: Hashable, Sendable, Codable, CustomStringConvertible {
  /// `[features]`.
  case vector(features: Int)
  /// `[channels, height, width]`.
  case image(channels: Int, height: Int, width: Int)
  /// `[length, features]`.
  case sequence(length: Int, features: Int)
  /// `[length]` token ids in `0..<vocab`.
  case tokens(length: Int, vocab: Int)

  /// Floats per sample.
  public var elementCount: Int {
    switch self {
    case .vector(let n): n
    case .image(let c, let h, let w): c * h * w
    case .sequence(let l, let f): l * f
    case .tokens(let l, _): l
    }
  }

  /// The dimensions, outermost first (`[1, 8, 8]`).
  public var dimensions: [Int] {
    switch self {
    case .vector(let n): [n]
    case .image(let c, let h, let w): [c, h, w]
    case .sequence(let l, let f): [l, f]
    case .tokens(let l, _): [l]
    }
  }

  /// True for `[features]`.
  public var isVector: Bool {
    if case .vector = self { return true }
    return false
  }

  /// The token ids' range, for token sequences.
  public var vocab: Int? {
    if case .tokens(_, let v) = self { return v }
    return nil
  }

  /// Rows a position-wise layer (dense, layernorm) sees per sample: the sequence length, else 1.
  public var positions: Int {
    if case .sequence(let l, _) = self { return l }
    return 1
  }

  /// The features a position-wise layer sees: the last dimension of a sequence, else every element.
  public var featuresPerPosition: Int {
    if case .sequence(_, let f) = self { return f }
    return elementCount
  }

  /// `[1, 8, 8] image`, `[32, 64] sequence`, `[32] tokens of 16`, `[64]`.
  public var description: String {
    let dims = "[" + dimensions.map(String.init).joined(separator: ", ") + "]"
    switch self {
    case .vector: return dims
    case .image: return "\(dims) image"
    case .sequence: return "\(dims) sequence"
    case .tokens(_, let v): return "\(dims) tokens of \(v)"
    }
  }

  /// The shape with its kind, in words: `an image [1, 8, 8]`, `a sequence [32, 64]`, `token ids [32] of 16`,
  /// `a vector [64]`.
  public var phrase: String {
    let dims = "[" + dimensions.map(String.init).joined(separator: ", ") + "]"
    if case .tokens(_, let v) = self { return "token ids \(dims) of \(v)" }
    return "\(noun) \(dims)"
  }

  /// What kind of shape it is, in words (`an image`).
  public var noun: String {
    switch self {
    case .vector: "a vector"
    case .image: "an image"
    case .sequence: "a sequence"
    case .tokens: "token ids"
    }
  }
}
