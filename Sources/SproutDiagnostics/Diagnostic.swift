/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
  /// Informational remark.
  case note
  /// Something probably wrong that does not stop the run (unused definitions, ...).
  case warning
  /// The spec cannot run as written.
  case error

  private var rank: Int {
    switch self {
    case .note: 0
    case .warning: 1
    case .error: 2
    }
  }

  /// Orders note < warning < error.
  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A secondary message attached to a diagnostic, optionally pointing somewhere else
/// (e.g. "first defined here").
public struct DiagnosticNote: Hashable, Sendable {
  /// The note's text.
  public var message: String
  /// Where it points, if anywhere.
  public var range: SourceRange?

  /// Creates a note.
  public init(_ message: String, at range: SourceRange? = nil) {
    self.message = message
    self.range = range
  }
}

/// A suggested edit: replace the text in `range` by `replacement`.
public struct FixIt: Hashable, Sendable {
  /// What the fix does, in words ("rename to 'weight_decay'").
  public var message: String
  /// The text to replace.
  public var range: SourceRange
  /// Its replacement.
  public var replacement: String

  /// Creates a fix-it.
  public init(_ message: String, range: SourceRange, replacement: String) {
    self.message = message
    self.range = range
    self.replacement = replacement
  }
}

/// One problem found in a spec by any phase.
///
/// Diagnostics are values: phases append them to a `Diagnostics` collection and keep going;
/// the driver renders them (text, JSON, SARIF). No phase prints.
public struct Diagnostic: Hashable, Sendable {
  /// Stable kebab-case identifier within a phase domain (`spec.unknown-key`).
  public var id: DiagnosticID
  /// Severity; defaults to the catalogue's severity for `id`.
  public var severity: Severity
  /// Where the problem is.
  public var range: SourceRange
  /// The key path in the spec (`stages.train.optimizer.lr`), empty when not applicable.
  public var path: String
  /// One sentence saying what is wrong.
  public var message: String
  /// Further context.
  public var notes: [DiagnosticNote]
  /// A `help:` suggestion in words, if any ("did you mean 'kaiming_normal'?").
  public var help: String?
  /// Machine-applicable edits.
  public var fixIts: [FixIt]

  /// Creates a diagnostic; `severity` defaults to the one registered for `id`.
  public init(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, path: String = "",
    severity: Severity? = nil, notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = []
  ) {
    self.id = id
    self.severity = severity ?? id.defaultSeverity
    self.range = range
    self.path = path
    self.message = message
    self.notes = notes
    self.help = help
    self.fixIts = fixIts
  }
}

/// A growing list of diagnostics, passed by `inout` to every phase.
public struct Diagnostics: Sendable, Sequence {
  /// All diagnostics in the order they were reported.
  public private(set) var all: [Diagnostic] = []

  /// An empty collection.
  public init() {}

  /// Appends one diagnostic.
  public mutating func append(_ diagnostic: Diagnostic) { all.append(diagnostic) }

  /// Appends several diagnostics.
  public mutating func append(contentsOf other: some Sequence<Diagnostic>) { all.append(contentsOf: other) }

  /// Reports a diagnostic built in place.
  public mutating func report(
    _ id: DiagnosticID, _ message: String, at range: SourceRange, path: String = "",
    severity: Severity? = nil, notes: [DiagnosticNote] = [], help: String? = nil, fixIts: [FixIt] = []
  ) {
    all.append(
      Diagnostic(id, message, at: range, path: path, severity: severity, notes: notes, help: help, fixIts: fixIts))
  }

  /// True when any diagnostic is an error.
  public var hasErrors: Bool { all.contains { $0.severity == .error } }
  /// Number of errors.
  public var errorCount: Int { all.count { $0.severity == .error } }
  /// Number of warnings.
  public var warningCount: Int { all.count { $0.severity == .warning } }
  /// True when empty.
  public var isEmpty: Bool { all.isEmpty }

  /// Diagnostics sorted by file, position, then id: the order users read them in.
  public var sorted: [Diagnostic] {
    all.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if x.range.fileID != y.range.fileID { return x.range.file < y.range.file }
      if x.range.start != y.range.start { return x.range.start < y.range.start }
      return a.offset < b.offset
    }.map(\.element)
  }

  /// Iterates in report order.
  public func makeIterator() -> IndexingIterator<[Diagnostic]> { all.makeIterator() }
}
