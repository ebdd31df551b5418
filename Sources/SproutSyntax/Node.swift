import SproutDiagnostics

/// A YAML node with its source span: the output of the Syntax phase.
///
/// Aliases are already resolved (an alias yields a copy of its anchor's node, with the alias's own range
/// in `aliasRange`), and merge keys (`<<`) are already applied. Ranges are 1-based and are left out of
/// `==` and hashing, so two documents with the same content compare equal wherever they were written.
public struct Node: Sendable, CustomStringConvertible {
  /// The node's content.
  public enum Content: Sendable, Equatable, Hashable {
    /// A scalar, its text as written (after YAML unescaping) and its style.
    case scalar(String, ScalarStyle)
    /// A sequence.
    case sequence([Node])
    /// A mapping, with keys in document order.
    case mapping([Pair])
  }

  /// How a scalar was written: plain scalars are the only ones resolved to numbers, booleans and null.
  public enum ScalarStyle: String, Sendable, Hashable {
    /// Unquoted.
    case plain
    /// `'...'`
    case singleQuoted
    /// `"..."`
    case doubleQuoted
    /// `|`
    case literal
    /// `>`
    case folded
  }

  /// A key/value pair of a mapping.
  public struct Pair: Sendable, Equatable, Hashable {
    /// The key node (almost always a scalar).
    public var key: Node
    /// The value node.
    public var value: Node

    /// Creates a pair.
    public init(key: Node, value: Node) {
      self.key = key
      self.value = value
    }
  }

  /// The content.
  public var content: Content
  /// An explicit tag (`!!str`, `!custom`), if one was written; `nil` for the default tags.
  public var tag: String?
  /// Where the node is in the source (start of its first token to the end of its last).
  public var range: SourceRange
  /// When this node came from an alias (`*name`), the alias's range; `nil` otherwise.
  public var aliasRange: SourceRange?

  /// Creates a node.
  public init(_ content: Content, tag: String? = nil, range: SourceRange, aliasRange: SourceRange? = nil) {
    self.content = content
    self.tag = tag
    self.range = range
    self.aliasRange = aliasRange
  }

  /// The scalar text, if this is a scalar.
  public var scalar: String? {
    if case .scalar(let s, _) = content { return s }
    return nil
  }

  /// The scalar style, if this is a scalar.
  public var scalarStyle: ScalarStyle? {
    if case .scalar(_, let style) = content { return style }
    return nil
  }

  /// The items, if this is a sequence.
  public var sequence: [Node]? {
    if case .sequence(let items) = content { return items }
    return nil
  }

  /// The pairs, if this is a mapping.
  public var mapping: [Pair]? {
    if case .mapping(let pairs) = content { return pairs }
    return nil
  }

  /// The value for a scalar key in a mapping (first match).
  public subscript(key: String) -> Node? {
    mapping?.first { $0.key.scalar == key }?.value
  }

  /// True for a plain scalar that YAML 1.2's core schema reads as null (`~`, `null`, empty).
  public var isNull: Bool {
    guard case .scalar(let s, .plain) = content, tag == nil else { return tag == "!!null" }
    return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
  }

  /// A short human name of the node's type, for messages ("a mapping", "the string 'abc'").
  public var kindDescription: String {
    switch content {
    case .scalar(let s, let style):
      if style == .plain && tag == nil {
        if isNull { return "null" }
        if Int(s) != nil { return "the integer \(s)" }
        if Double(s) != nil { return "the number \(s)" }
        if ["true", "false", "True", "False", "TRUE", "FALSE"].contains(s) { return "the boolean \(s)" }
      }
      let shown = s.count > 40 ? String(s.prefix(37)) + "..." : s
      return "the string '\(shown)'"
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    }
  }

  /// A compact YAML-flow rendering, for debugging and tests.
  public var description: String {
    switch content {
    case .scalar(let s, _): return s.contains(where: { ",:[]{}".contains($0) }) ? "\"\(s)\"" : s
    case .sequence(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .mapping(let pairs):
      return "{" + pairs.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
    }
  }
}

extension Node: Equatable, Hashable {
  /// Content and tag only; ranges are ignored.
  public static func == (lhs: Node, rhs: Node) -> Bool { lhs.content == rhs.content && lhs.tag == rhs.tag }
  /// Content and tag only; ranges are ignored.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(content)
    hasher.combine(tag)
  }
}
