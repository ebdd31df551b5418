import Foundation
/// A stable diagnostic identifier, `phase.kebab-name` (`syntax.duplicate-key`).
///
/// Every id is registered once in a phase catalogue (`DiagnosticCatalog`), with its default severity, a
/// summary and an example; docs/diagnostics.md is generated from the catalogues. Ids never change silently:
/// users write them in suppressions and CI filters.
public struct DiagnosticID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
  /// The full id, e.g. `spec.unknown-key`.
  public let rawValue: String

  /// Creates an id from its full text.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  /// Creates an id from a literal.
  public init(stringLiteral value: String) { self.rawValue = value }

  /// The phase domain: the part before the first dot (`spec`).
  public var domain: String { String(rawValue.prefix { $0 != "." }) }
  /// The registered entry, if any.
  public var entry: DiagnosticCatalog.Entry? { DiagnosticCatalog.entry(for: self) }
  /// The registered default severity (error when unregistered).
  public var defaultSeverity: Severity { entry?.severity ?? .error }
  /// The id text.
  public var description: String { rawValue }
  /// Orders by text.
  public static func < (lhs: DiagnosticID, rhs: DiagnosticID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The registry of every diagnostic id, filled by each phase's catalogue file.
///
/// Phases declare their entries as a static array (`SyntaxDiagnostics.catalog`) and register it with
/// `DiagnosticCatalog.register(_:)` from their entry point, or the driver registers all of them at once.
public enum DiagnosticCatalog {
  /// One documented diagnostic.
  public struct Entry: Hashable, Sendable {
    /// The id.
    public var id: DiagnosticID
    /// Default severity.
    public var severity: Severity
    /// What it means, one or two sentences.
    public var summary: String
    /// A short spec snippet that triggers it (YAML), for the docs.
    public var example: String

    /// Creates an entry.
    public init(_ id: DiagnosticID, _ severity: Severity, _ summary: String, example: String = "") {
      self.id = id
      self.severity = severity
      self.summary = summary
      self.example = example
    }
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var entries: [DiagnosticID: Entry] = [:]

  /// Adds entries to the registry (idempotent).
  public static func register(_ list: [Entry]) {
    lock.withLock { for e in list { entries[e.id] = e } }
  }

  /// Looks an id up.
  public static func entry(for id: DiagnosticID) -> Entry? {
    lock.withLock { entries[id] }
  }

  /// Every registered entry, sorted by id.
  public static var allEntries: [Entry] {
    lock.withLock { entries.values.sorted { $0.id < $1.id } }
  }
}
