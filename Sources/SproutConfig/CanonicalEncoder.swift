/// Encodes a configuration value into canonical bytes: the same value always gives the same bytes, and two
/// different values never do. Task hashes are SHA-256 of these bytes (Plan's task hashing), so nothing a task
/// executes can change without its hash changing.
///
/// The encoding is a tree serialised in the order `encode(to:)` writes it (declaration order for synthesized
/// conformances), with a type tag per node and length-prefixed strings:
/// ```
///   n            nil          b 0|1        bool
///   i <8 bytes>  integer      d <8 bytes>  double (IEEE-754 bits, little-endian)
///   s <len> utf8 string       a <count> …  array       o <count> (<key> …)*  object
/// ```
/// Types whose synthesized encoding would not be deterministic (dictionaries, sets) must not appear in a
/// configuration; ``TaskConfig`` uses arrays of pairs instead.
public struct CanonicalEncoder {
  /// Creates an encoder.
  public init() {}

  /// The tree `value` encodes to (what ``encode(_:)`` serialises), for other renderings such as JSON.
  public func tree<T: Encodable>(_ value: T) throws -> ConfigTree {
    let root = NodeBox()
    try value.encode(to: TreeEncoder(box: root, codingPath: []))
    return root.node.tree
  }

  /// The canonical bytes of `value`.
  public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let root = NodeBox()
    let encoder = TreeEncoder(box: root, codingPath: [])
    try value.encode(to: encoder)
    var out: [UInt8] = []
    out.reserveCapacity(256)
    root.node.write(to: &out)
    return out
  }
}

/// An encoded configuration value: scalars, arrays and objects whose members keep the order they were written in.
public indirect enum ConfigTree: Hashable, Sendable {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case array([ConfigTree])
  case object([Member])

  /// One member of an object.
  public struct Member: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: ConfigTree
  }
}

/// A node of the encoded tree.
indirect enum CanonicalNode {
  case null
  case bool(Bool)
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case string(String)
  case array([NodeBox])
  case object([(String, NodeBox)])

  /// The immutable form.
  var tree: ConfigTree {
    switch self {
    case .null: .null
    case .bool(let b): .bool(b)
    case .int(let i): .int(i)
    case .uint(let u): .uint(u)
    case .double(let d): .double(d)
    case .string(let s): .string(s)
    case .array(let items): .array(items.map(\.node.tree))
    case .object(let members): .object(members.map { ConfigTree.Member(key: $0.0, value: $0.1.node.tree) })
    }
  }

  func write(to out: inout [UInt8]) {
    func int64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func string(_ s: String) {
      let bytes = Array(s.utf8)
      int64(UInt64(bytes.count))
      out.append(contentsOf: bytes)
    }
    switch self {
    case .null: out.append(UInt8(ascii: "n"))
    case .bool(let b):
      out.append(UInt8(ascii: "b"))
      out.append(b ? 1 : 0)
    case .int(let i):
      out.append(UInt8(ascii: "i"))
      int64(UInt64(bitPattern: i))
    case .uint(let u):
      out.append(UInt8(ascii: "u"))
      int64(u)
    case .double(let d):
      out.append(UInt8(ascii: "d"))
      int64(d.bitPattern)
    case .string(let s):
      out.append(UInt8(ascii: "s"))
      string(s)
    case .array(let items):
      out.append(UInt8(ascii: "a"))
      int64(UInt64(items.count))
      for i in items { i.node.write(to: &out) }
    case .object(let members):
      out.append(UInt8(ascii: "o"))
      int64(UInt64(members.count))
      for (k, v) in members {
        string(k)
        v.node.write(to: &out)
      }
    }
  }
}

/// A mutable slot for a node: containers hand out boxes that are filled in later.
final class NodeBox {
  var node: CanonicalNode = .null
}

private struct TreeEncoder: Encoder {
  let box: NodeBox
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = box.node {} else { box.node = .object([]) }
    return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array = box.node {} else { box.node = .array([]) }
    return UnkeyedContainer(box: box, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleContainer(box: box, codingPath: codingPath)
  }
}

/// Encodes one value into a fresh box.
private func encodeValue<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> NodeBox {
  let b = NodeBox()
  switch value {
  case let v as Bool: b.node = .bool(v)
  case let v as Int: b.node = .int(Int64(v))
  case let v as Int64: b.node = .int(v)
  case let v as Int32: b.node = .int(Int64(v))
  case let v as UInt64: b.node = .uint(v)
  case let v as UInt32: b.node = .uint(UInt64(v))
  case let v as UInt8: b.node = .uint(UInt64(v))
  case let v as Double: b.node = .double(v)
  case let v as Float: b.node = .double(Double(v))
  case let v as String: b.node = .string(v)
  default: try value.encode(to: TreeEncoder(box: b, codingPath: path))
  }
  return b
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let box: NodeBox
  let codingPath: [any CodingKey]

  private func append(_ key: Key, _ child: NodeBox) {
    guard case .object(var members) = box.node else { return }
    members.append((key.stringValue, child))
    box.node = .object(members)
  }

  mutating func encodeNil(forKey key: Key) throws { append(key, NodeBox()) }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    append(key, try encodeValue(value, path: codingPath + [key]))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let child = NodeBox()
    child.node = .object([])
    append(key, child)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let child = NodeBox()
    child.node = .array([])
    append(key, child)
    return UnkeyedContainer(box: child, codingPath: codingPath + [key])
  }

  mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    let child = NodeBox()
    append(key, child)
    return TreeEncoder(box: child, codingPath: codingPath + [key])
  }
}

private struct IndexKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(_ i: Int) {
    stringValue = String(i)
    intValue = i
  }
  init?(stringValue: String) { nil }
  init?(intValue: Int) { self.init(intValue) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let box: NodeBox
  let codingPath: [any CodingKey]

  var count: Int {
    if case .array(let items) = box.node { return items.count }
    return 0
  }

  private func append(_ child: NodeBox) {
    guard case .array(var items) = box.node else { return }
    items.append(child)
    box.node = .array(items)
  }

  mutating func encodeNil() throws { append(NodeBox()) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    append(try encodeValue(value, path: codingPath + [IndexKey(count)]))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
    NestedKey
  > {
    let child = NodeBox()
    child.node = .object([])
    append(child)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [IndexKey(count)]))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let child = NodeBox()
    child.node = .array([])
    append(child)
    return UnkeyedContainer(box: child, codingPath: codingPath + [IndexKey(count)])
  }

  mutating func superEncoder() -> any Encoder {
    let child = NodeBox()
    append(child)
    return TreeEncoder(box: child, codingPath: codingPath + [IndexKey(count)])
  }
}

private struct SingleContainer: SingleValueEncodingContainer {
  let box: NodeBox
  let codingPath: [any CodingKey]

  mutating func encodeNil() throws { box.node = .null }

  mutating func encode<T: Encodable>(_ value: T) throws {
    box.node = try encodeValue(value, path: codingPath).node
  }
}
