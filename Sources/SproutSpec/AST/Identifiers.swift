import SproutDiagnostics

/// The name of a dataset definition (`datasets.teacher`).
public struct DatasetID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  /// The name as written.
  public let name: String
  /// Wraps a name.
  public init(_ name: String) { self.name = name }
  /// Wraps a literal name.
  public init(stringLiteral value: String) { self.name = value }
  /// The name.
  public var description: String { name }
  /// Orders by name.
  public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
}

/// The name of a model definition (`models.net`).
public struct ModelID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  /// The name as written.
  public let name: String
  /// Wraps a name.
  public init(_ name: String) { self.name = name }
  /// Wraps a literal name.
  public init(stringLiteral value: String) { self.name = value }
  /// The name.
  public var description: String { name }
  /// Orders by name.
  public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
}

/// The name of an initializer definition (`initializers.lowrank`).
public struct InitializerID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  /// The name as written.
  public let name: String
  /// Wraps a name.
  public init(_ name: String) { self.name = name }
  /// Wraps a literal name.
  public init(stringLiteral value: String) { self.name = value }
  /// The name.
  public var description: String { name }
  /// Orders by name.
  public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
}

/// The name of a stage definition (`stages.train`).
public struct StageID: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  /// The name as written.
  public let name: String
  /// Wraps a name.
  public init(_ name: String) { self.name = name }
  /// Wraps a literal name.
  public init(stringLiteral value: String) { self.name = value }
  /// The name.
  public var description: String { name }
  /// Orders by name.
  public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
}

/// A reference to data: a dataset, optionally one of its splits (`teacher.train`).
public struct DataReference: Hashable, Sendable, CustomStringConvertible {
  /// The dataset.
  public var dataset: DatasetID
  /// The split name, or `nil` for the whole dataset.
  public var split: String?

  /// Creates a reference.
  public init(dataset: DatasetID, split: String? = nil) {
    self.dataset = dataset
    self.split = split
  }

  /// Parses `name` or `name.split`; `nil` when the text is empty or has more than one dot.
  public init?(parsing text: String) {
    // One pass over the bytes (a `split` into an array of strings cost ~6 k instructions per reference, and lint
    // parses every stage's data reference several times).
    let utf8 = text.utf8
    guard let dot = utf8.firstIndex(of: UInt8(ascii: ".")) else {
      guard !utf8.isEmpty else { return nil }
      self.init(dataset: DatasetID(text), split: nil)
      return
    }
    let rest = utf8.index(after: dot)
    guard dot != utf8.startIndex, rest != utf8.endIndex, !utf8[rest...].contains(UInt8(ascii: ".")) else { return nil }
    self.init(dataset: DatasetID(String(text[..<dot])), split: String(text[rest...]))
  }

  /// `dataset` or `dataset.split`.
  public var description: String { split.map { "\(dataset.name).\($0)" } ?? dataset.name }
}

/// The four sections whose entries can be referenced by name.
public enum DefinitionSort: String, Sendable, Hashable, CaseIterable, Comparable {
  /// `datasets:`
  case dataset
  /// `models:`
  case model
  /// `initializers:`
  case initializer
  /// `stages:`
  case stage

  /// The top-level key of the section (`datasets`).
  public var section: String { rawValue + "s" }
  /// "a dataset", "an initializer".
  public var withArticle: String { self == .initializer ? "an initializer" : "a \(rawValue)" }
  /// Orders by declaration order in a spec.
  public static func < (a: Self, b: Self) -> Bool {
    (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
  }
}
