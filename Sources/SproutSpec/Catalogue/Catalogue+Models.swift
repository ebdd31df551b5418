import SproutConfig
import SproutDiagnostics

extension Catalogue {
  /// The fields of a shaped model input (`input: {image: [1, 8, 8]}`); exactly one of `features`, `image`,
  /// `sequence`, `tokens` is written, and `vocab` goes with `tokens`. Their bounds (every dimension ≥ 1) are checked by
  /// `inputShape`, which names the dimension, rather than by the generic one-of decoding.
  static let inputShapeFields: [ArgumentSpec] = [
    ArgumentSpec("features", .int, "A vector of this many features (the same as `input: N`)."),
    ArgumentSpec("image", .list(.int), "An image `[channels, height, width]`."),
    ArgumentSpec("sequence", .list(.int), "A sequence `[length, features]`."),
    ArgumentSpec("tokens", .int, "A sequence of this many token ids (needs `vocab`)."),
    ArgumentSpec("vocab", .int, "The token ids' range `0..<vocab`."),
  ]

  /// A model's `input:`: a width, or a shape.
  public static let modelInput = ArgumentSpec(
    "input", .oneOf([.int, .record(inputShapeFields, main: nil)]), required: true, min: 1,
    "The input: a width (`16`), or a shape: `{image: [C, H, W]}`, `{sequence: [L, F]}`, `{tokens: L, vocab: V}`.")

  /// What is wrong with a shaped input, as a diagnostic id, a message and a suggestion.
  public struct InputShapeProblem: Error, Hashable, Sendable {
    /// `spec.conflicting-keys`, `spec.missing-required` or `spec.wrong-type`.
    public var id: DiagnosticID
    /// What is wrong.
    public var message: String
    /// What to write instead.
    public var help: String?
  }

  /// The shape a resolved `input:` value gives.
  public static func inputShape(_ value: Value) -> Result<TensorShape, InputShapeProblem> {
    let shape = shapeOfInput(value)
    if case .success(let s) = shape, let bad = (s.dimensions + [s.vocab ?? 1]).first(where: { $0 < 1 }) {
      return .failure(.init(id: "spec.out-of-range", message: "an input dimension must be ≥ 1, found \(bad)", help: nil))
    }
    return shape
  }

  private static func shapeOfInput(_ value: Value) -> Result<TensorShape, InputShapeProblem> {
    if let n = value.intValue { return .success(.vector(features: n)) }
    guard case .map(let entries) = value else {
      return .failure(.init(id: "spec.wrong-type", message: "the input is a width or a shape", help: nil))
    }
    let forms = entries.map(\.key).filter { ["features", "image", "sequence", "tokens"].contains($0) }
    guard forms.count == 1, let form = forms.first, let v = value[form] else {
      return .failure(
        forms.isEmpty
          ? .init(
            id: "spec.missing-required", message: "a shaped input needs one of features, image, sequence or tokens",
            help: "write e.g. {image: [1, 28, 28]}")
          : .init(
            id: "spec.conflicting-keys", message: "an input has one shape, but \(forms.joined(separator: " and ")) are written",
            help: "keep one of them"))
    }
    if form != "tokens", value["vocab"] != nil {
      return .failure(.init(id: "spec.conflicting-keys", message: "vocab goes with tokens, not with \(form)", help: "remove vocab"))
    }
    func dims(_ count: Int, _ names: String) -> Result<[Int], InputShapeProblem> {
      let ints = v.listValue?.compactMap(\.intValue) ?? []
      guard ints.count == count, v.listValue?.count == count else {
        return .failure(
          .init(id: "spec.wrong-type", message: "\(form) needs \(count) numbers \(names)", help: "write \(form): \(names)"))
      }
      return .success(ints)
    }
    switch form {
    case "features":
      guard let n = v.intValue else { return .failure(.init(id: "spec.wrong-type", message: "features is a width", help: nil)) }
      return .success(.vector(features: n))
    case "image":
      return dims(3, "[channels, height, width]").map { .image(channels: $0[0], height: $0[1], width: $0[2]) }
    case "sequence":
      return dims(2, "[length, features]").map { .sequence(length: $0[0], features: $0[1]) }
    default:
      guard let length = v.intValue else {
        return .failure(.init(id: "spec.wrong-type", message: "tokens is the sequence length", help: nil))
      }
      guard let vocab = value["vocab"]?.intValue else {
        return .failure(
          .init(
            id: "spec.missing-required", message: "token ids need their range: add vocab",
            help: "write {tokens: \(length), vocab: V}, ids in 0..<V"))
      }
      return .success(.tokens(length: length, vocab: vocab))
    }
  }
}
