import SproutDiagnostics

/// A parsed spec file: its text (for rendering source excerpts) and its root node.
public struct Document: Sendable {
  /// The file name used in diagnostics.
  public var file: String
  /// The full source text.
  public var text: String
  /// The root node; `nil` when the file could not be parsed into one mapping (a YAML error, a limit, an
  /// empty file, a top level that is not a mapping). With several documents, the first one's root.
  public var root: Node?

  /// Creates a document.
  public init(file: String, text: String, root: Node?) {
    self.file = file
    self.text = text
    self.root = root
  }
}

/// Limits that keep hostile or broken input from exhausting time or memory.
public struct ParseLimits: Sendable, Hashable {
  /// Largest accepted file, in bytes.
  public var maxBytes: Int = 16 << 20
  /// Deepest nesting of collections.
  public var maxDepth: Int = 256
  /// Most nodes produced after alias expansion (a "billion laughs" guard). Later phases walk the expanded
  /// tree, so this bounds their work too; a large real spec has a few tens of thousands of nodes.
  public var maxNodes: Int = 250_000

  /// The defaults.
  public init() {}
}
