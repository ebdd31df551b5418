import Foundation
import SproutDiagnostics
import SproutFormats
import SproutSpec

/// What a dataset gives a model: the width of its inputs and the kind of its targets.
public struct DataShape: Hashable, Sendable, CustomStringConvertible {
  /// Input features per sample.
  public var features: Int
  /// The targets.
  public var target: TargetShape
  /// The dimensions of one sample when its file gives more than one (`[8, 8]` for an `(N, 8, 8)` array), which a
  /// shaped model input must agree with; nil for rows of plain features.
  public var sampleDimensions: [Int]?

  /// Creates a shape.
  public init(features: Int, target: TargetShape, sampleDimensions: [Int]? = nil) {
    self.features = features
    self.target = target
    self.sampleDimensions = sampleDimensions.flatMap { $0.count > 1 ? $0 : nil }
  }

  /// `16 features → 1 value`.
  public var description: String { "\(features) \(features == 1 ? "feature" : "features") → \(target)" }
}

/// The targets of a dataset.
public enum TargetShape: Hashable, Sendable, CustomStringConvertible {
  /// Real values, `width` per sample.
  case values(width: Int)
  /// Class labels; `count` classes when known (nil only for a CSV column naming more classes than lint counts).
  /// `oneHot`: given as one-hot vectors of width `count`.
  case classes(count: Int?, oneHot: Bool)
  /// One token id in `0..<vocab` per position of a `length`-token sequence (the token tasks).
  case tokens(length: Int, vocab: Int)

  /// `3 classes`, `1 value`.
  public var description: String {
    switch self {
    case .values(let w): "\(w) \(w == 1 ? "value" : "values")"
    case .classes(let n?, let oneHot): "\(n) classes\(oneHot ? " (one-hot)" : "")"
    case .classes(nil, let oneHot): "class labels\(oneHot ? " (one-hot)" : "")"
    case .tokens(let l, let v): "token ids [\(l)] of \(v)"
    }
  }

  /// The shape of a file's targets (``TargetRule``'s decision, with the classes counted).
  init(_ targets: FileTargets, oneHot: Bool) {
    switch targets {
    case .values(let width): self = .values(width: width)
    case .classes(let count): self = .classes(count: count, oneHot: oneHot)
    }
  }
}

/// A problem found while working out a dataset's shape, at the argument it concerns.
public struct DataShapeProblem: Hashable, Sendable {
  /// `graph.missing-file` or `graph.bad-file`.
  public var id: DiagnosticID
  /// What is wrong.
  public var message: String
  /// Where (the path argument's value).
  public var range: SourceRange
  /// The argument's key path.
  public var path: String
  /// A suggestion, if any.
  public var help: String?
}

/// Levenshtein distance, for suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var row = Array(0...y.count)
  for i in 1...x.count {
    var previous = row[0]
    row[0] = i
    for j in 1...y.count {
      let old = row[j]
      row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
      previous = old
    }
  }
  return row[y.count]
}
