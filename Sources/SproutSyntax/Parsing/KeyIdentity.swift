/// When two mapping keys are the same key.
///
/// Sprout reads every key by its text, so scalar keys with the same text are one key however they are written:
/// `model`, `"model"`, `'model'` and `!!str model`. YAML compares keys by their resolved value, so two plain
/// scalars the core schema resolves to the same null, boolean, integer or float are one key as well: `~` and
/// `null`, `true` and `True`, `16` and `0x10`, `1.5` and `1.50`. An integer and a float are different values
/// (`1` and `1.0`), as YAML's tags make them. A collection key is compared by content, its scalars by text.
///
/// A key therefore has a `text` token and, for a plain scalar that is not a string, a `value` token; two keys
/// are the same when they share either.
struct KeyIdentity {
  /// What one key is compared by.
  enum Token: Hashable {
    /// A scalar key's text, whatever its style or tag.
    case text(String)
    /// A collection key, with every scalar inside reduced to its text.
    case collection(Node.Content)
    /// A plain null.
    case null
    /// A plain boolean.
    case bool(Bool)
    /// A plain integer.
    case int(Int)
    /// A plain float, by bit pattern (`-0.0` as `0.0`; every NaN as one).
    case float(UInt64)
  }

  /// The text (or collection) token; every key has one.
  let text: Token
  /// The resolved value of a plain scalar that is not a string.
  let value: Token?

  init(_ key: Node) {
    guard case .scalar(let s, let style) = key.content else {
      text = .collection(Self.textOnly(key).content)
      value = nil
      return
    }
    text = .text(s)
    guard style == .plain, key.tag == nil else {
      value = nil
      return
    }
    switch CoreScalar.resolvePlain(s) {
    case .string: value = nil
    case .null: value = .null
    case .bool(let b): value = .bool(b)
    case .int(let i): value = .int(i)
    case .float(let d): value = .float(d.isNaN ? Double.nan.bitPattern : (d == 0 ? 0 : d.bitPattern))
    }
  }

  /// The tokens to index this key under.
  var tokens: [Token] { value.map { [text, $0] } ?? [text] }

  /// True when both identities name the same key.
  func matches(_ other: KeyIdentity) -> Bool {
    text == other.text || (value != nil && value == other.value)
  }

  /// Why two keys written differently are one key, for the diagnostic; `nil` when they are written alike.
  static func sameness(_ key: Node, as first: Node) -> String? {
    guard let a = key.scalar, let b = first.scalar,
      key.scalarStyle != first.scalarStyle || a != b || key.tag != first.tag
    else { return nil }
    if a == b { return "a key means its text: '\(a)' is the same key however it is quoted or tagged" }
    let kind: String
    switch CoreScalar.resolvePlain(a) {
    case .null: kind = "null"
    case .bool: kind = "boolean"
    case .int: kind = "integer"
    default: kind = "number"
    }
    return "YAML reads '\(b)' and '\(a)' as the same \(kind)"
  }

  /// The node with every scalar turned into a plain, untagged scalar of the same text.
  private static func textOnly(_ node: Node) -> Node {
    var out = node
    out.tag = nil
    switch node.content {
    case .scalar(let s, _): out.content = .scalar(s, .plain)
    case .sequence(let items): out.content = .sequence(items.map(textOnly))
    case .mapping(let pairs):
      out.content = .mapping(pairs.map { Node.Pair(key: textOnly($0.key), value: textOnly($0.value)) })
    }
    return out
  }
}
