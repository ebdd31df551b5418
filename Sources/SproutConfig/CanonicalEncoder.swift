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
    return root.tree
  }

  /// The canonical bytes of `value`.
  public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let root = NodeBox()
    let encoder = TreeEncoder(box: root, codingPath: [])
    try value.encode(to: encoder)
    var out: [UInt8] = []
    out.reserveCapacity(256)
    root.write(to: &out)
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

/// A node of the encoded tree. A class whose containers grow in place: appending a member never copies the ones
/// before it (an enum holding the array would copy it on every append, quadratic in the members).
final class NodeBox {
  enum Shape { case scalar, array, object }
  var shape = Shape.scalar
  /// The value of a scalar node.
  var scalar = ConfigTree.null
  /// The items of an array node.
  var items: [NodeBox] = []
  /// The members of an object node, in the order they were written.
  var members: [(String, NodeBox)] = []

  init() {}

  init(_ scalar: ConfigTree) { self.scalar = scalar }

  /// Makes the node an object (keeping its members if it already is one).
  func becomeObject() {
    if shape != .object {
      shape = .object
      members = []
    }
  }

  /// Makes the node an array (keeping its items if it already is one).
  func becomeArray() {
    if shape != .array {
      shape = .array
      items = []
    }
  }

  /// Makes the node a scalar.
  func set(_ value: ConfigTree) {
    shape = .scalar
    scalar = value
    items = []
    members = []
  }

  /// Makes the node a copy of `other`'s contents.
  func assign(_ other: NodeBox) {
    shape = other.shape
    scalar = other.scalar
    items = other.items
    members = other.members
  }

  /// The immutable form.
  var tree: ConfigTree {
    switch shape {
    case .scalar: scalar
    case .array: .array(items.map(\.tree))
    case .object: .object(members.map { ConfigTree.Member(key: $0.0, value: $0.1.tree) })
    }
  }

  func write(to out: inout [UInt8]) {
    switch shape {
    case .scalar: Self.write(scalar, to: &out)
    case .array:
      out.append(UInt8(ascii: "a"))
      Self.int64(UInt64(items.count), to: &out)
      for i in items { i.write(to: &out) }
    case .object:
      out.append(UInt8(ascii: "o"))
      Self.int64(UInt64(members.count), to: &out)
      for (k, v) in members {
        Self.string(k, to: &out)
        v.write(to: &out)
      }
    }
  }

  private static func int64(_ v: UInt64, to out: inout [UInt8]) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
  }

  private static func string(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { bytes in
      int64(UInt64(bytes.count), to: &out)
      out.append(contentsOf: bytes)
    }
  }

  /// Scalars as the encoding writes them (containers in a scalar slot never occur: the encoder builds them as
  /// nodes).
  private static func write(_ tree: ConfigTree, to out: inout [UInt8]) {
    switch tree {
    case .null: out.append(UInt8(ascii: "n"))
    case .bool(let b):
      out.append(UInt8(ascii: "b"))
      out.append(b ? 1 : 0)
    case .int(let i):
      out.append(UInt8(ascii: "i"))
      int64(UInt64(bitPattern: i), to: &out)
    case .uint(let u):
      out.append(UInt8(ascii: "u"))
      int64(u, to: &out)
    case .double(let d):
      out.append(UInt8(ascii: "d"))
      int64(d.bitPattern, to: &out)
    case .string(let s):
      out.append(UInt8(ascii: "s"))
      string(s, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "a"))
      int64(UInt64(items.count), to: &out)
      for i in items { write(i, to: &out) }
    case .object(let members):
      out.append(UInt8(ascii: "o"))
      int64(UInt64(members.count), to: &out)
      for m in members {
        string(m.key, to: &out)
        write(m.value, to: &out)
      }
    }
  }
}

private struct TreeEncoder: Encoder {
  let box: NodeBox
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    box.becomeObject()
    return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    box.becomeArray()
    return UnkeyedContainer(box: box, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleContainer(box: box, codingPath: codingPath)
  }
}

/// The scalar of a primitive value, or nil for any other type. Compares metatypes instead of casting (a dynamic
/// cast per value was most of the encoder's time).
@inline(__always)
private func primitive<T>(_ value: T) -> ConfigTree? {
  if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
  if T.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
  if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
  if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
  if T.self == Int64.self { return .int(unsafeBitCast(value, to: Int64.self)) }
  if T.self == Int32.self { return .int(Int64(unsafeBitCast(value, to: Int32.self))) }
  if T.self == UInt64.self { return .uint(unsafeBitCast(value, to: UInt64.self)) }
  if T.self == UInt32.self { return .uint(UInt64(unsafeBitCast(value, to: UInt32.self))) }
  if T.self == UInt8.self { return .uint(UInt64(unsafeBitCast(value, to: UInt8.self))) }
  if T.self == Float.self { return .double(Double(unsafeBitCast(value, to: Float.self))) }
  return nil
}

/// Encodes one value into a fresh box. Codable paths are only built when a value is not a primitive (they are
/// never read: the encoder does not fail).
private func encodeValue<T: Encodable>(_ value: T, path: @autoclosure () -> [any CodingKey]) throws -> NodeBox {
  if let p = primitive(value) { return NodeBox(p) }
  let b = NodeBox()
  try value.encode(to: TreeEncoder(box: b, codingPath: path()))
  return b
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let box: NodeBox
  let codingPath: [any CodingKey]

  private func append(_ key: Key, _ child: NodeBox) {
    guard box.shape == .object else { return }
    box.members.append((key.stringValue, child))
  }

  mutating func encodeNil(forKey key: Key) throws { append(key, NodeBox()) }

  mutating func encode(_ value: String, forKey key: Key) throws { append(key, NodeBox(.string(value))) }
  mutating func encode(_ value: Int, forKey key: Key) throws { append(key, NodeBox(.int(Int64(value)))) }
  mutating func encode(_ value: Double, forKey key: Key) throws { append(key, NodeBox(.double(value))) }
  mutating func encode(_ value: Bool, forKey key: Key) throws { append(key, NodeBox(.bool(value))) }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    append(key, try encodeValue(value, path: codingPath + [key]))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let child = NodeBox()
    child.becomeObject()
    append(key, child)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [key]))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let child = NodeBox()
    child.becomeArray()
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

  var count: Int { box.shape == .array ? box.items.count : 0 }

  private func append(_ child: NodeBox) {
    guard box.shape == .array else { return }
    box.items.append(child)
  }

  mutating func encodeNil() throws { append(NodeBox()) }

  mutating func encode(_ value: String) throws { append(NodeBox(.string(value))) }
  mutating func encode(_ value: Int) throws { append(NodeBox(.int(Int64(value)))) }
  mutating func encode(_ value: Double) throws { append(NodeBox(.double(value))) }
  mutating func encode(_ value: Bool) throws { append(NodeBox(.bool(value))) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = codingPath
    let index = count
    append(try encodeValue(value, path: path + [IndexKey(index)]))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
    NestedKey
  > {
    let child = NodeBox()
    child.becomeObject()
    append(child)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: child, codingPath: codingPath + [IndexKey(count)]))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let child = NodeBox()
    child.becomeArray()
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

  mutating func encodeNil() throws { box.set(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    box.assign(try encodeValue(value, path: codingPath))
  }
}
