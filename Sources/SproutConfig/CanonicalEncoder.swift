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
  ///
  /// Written straight into the output as `encode(to:)` produces them (``CanonicalStream``): no tree of nodes, no
  /// coding paths. A value whose encoding does not write its containers strictly one after another (never the case
  /// for synthesized conformances) is encoded again through the tree, which accepts any order.
  public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let stream = CanonicalStream()
    try stream.value(value)
    if !stream.broken { return stream.bytes }
    return try treeBytes(value)
  }

  /// The canonical bytes of `value` through the tree of nodes (what ``encode(_:)`` falls back to; tests compare
  /// the two).
  public func treeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
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

// MARK: - Streaming

/// The canonical bytes of a value written as its `encode(to:)` runs. Each open container is a frame whose member
/// count is a placeholder patched when the container closes: a container closes when the value that opened it
/// returns, or when a container outside it is written to again. Writing to a container that has closed (which the
/// tree accepts, but synthesized conformances never do) marks the stream `broken`, and the caller re-encodes
/// through the tree.
final class CanonicalStream {
  struct Frame {
    var id: Int
    /// Where the 8-byte count goes.
    var countAt: Int
    var count: UInt64
    /// The encoder that opened it (0 for a nested container, which no encoder owns).
    var owner: Int
    var isObject: Bool
  }

  var bytes: [UInt8] = []
  var frames: [Frame] = []
  private var lastID = 0
  /// Set when the value wrote its containers out of order: the bytes are then not the canonical ones.
  var broken = false

  init() { bytes.reserveCapacity(512) }

  func newID() -> Int {
    lastID += 1
    return lastID
  }

  /// Opens a container (`o` or `a`) and returns its frame id.
  func open(object: Bool, owner: Int) -> Int {
    bytes.append(object ? UInt8(ascii: "o") : UInt8(ascii: "a"))
    let at = bytes.count
    bytes.append(contentsOf: repeatElement(0, count: 8))
    let id = newID()
    frames.append(Frame(id: id, countAt: at, count: 0, owner: owner, isObject: object))
    return id
  }

  /// Closes the innermost open container, writing its count.
  func close() {
    let f = frames.removeLast()
    withUnsafeBytes(of: f.count.littleEndian) { raw in
      for i in 0..<8 { bytes[f.countAt + i] = raw[i] }
    }
  }

  /// Makes container `id` the innermost open one (closing those opened inside it) and counts one more member in
  /// it; false (and `broken`) when it has already closed.
  func member(of id: Int) -> Bool {
    guard let i = frames.lastIndex(where: { $0.id == id }) else {
      broken = true
      return false
    }
    while frames.count > i + 1 { close() }
    frames[i].count += 1
    return true
  }

  /// Writes a scalar.
  func scalar(_ tree: ConfigTree) {
    switch tree {
    case .null: bytes.append(UInt8(ascii: "n"))
    case .bool(let b):
      bytes.append(UInt8(ascii: "b"))
      bytes.append(b ? 1 : 0)
    case .int(let i):
      bytes.append(UInt8(ascii: "i"))
      int64(UInt64(bitPattern: i))
    case .uint(let u):
      bytes.append(UInt8(ascii: "u"))
      int64(u)
    case .double(let d):
      bytes.append(UInt8(ascii: "d"))
      int64(d.bitPattern)
    case .string(let s):
      bytes.append(UInt8(ascii: "s"))
      string(s)
    case .array, .object:
      // Primitives are never containers; should one appear, the tree writes it.
      broken = true
    }
  }

  func int64(_ v: UInt64) {
    withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
  }

  /// A length-prefixed string (an object key, or a string scalar after its tag).
  func string(_ s: String) {
    var s = s
    s.withUTF8 { utf8 in
      int64(UInt64(utf8.count))
      bytes.append(contentsOf: utf8)
    }
  }

  /// Writes one value: a primitive directly, anything else through its `encode(to:)`; a value that wrote nothing
  /// is null (as in the tree).
  func value<T: Encodable>(_ value: T) throws {
    if let p = primitive(value) {
      scalar(p)
      return
    }
    let start = bytes.count
    let depth = frames.count
    try value.encode(to: StreamEncoder(stream: self, owner: newID(), start: start))
    while frames.count > depth { close() }
    if frames.count < depth { broken = true }
    if bytes.count == start { bytes.append(UInt8(ascii: "n")) }
  }
}

private struct StreamEncoder: Encoder {
  let stream: CanonicalStream
  /// This encoder's id, recorded on the container it opens.
  let owner: Int
  /// Where its value starts in the output.
  let start: Int
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  /// The container this encoder's value is: opened on the first request, the same one on a later request of the
  /// same shape while it is still the innermost open one (the tree merges such requests too).
  private func frame(object: Bool) -> Int {
    if stream.bytes.count == start { return stream.open(object: object, owner: owner) }
    if let top = stream.frames.last, top.owner == owner, top.isObject == object { return top.id }
    stream.broken = true
    return -1
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    KeyedEncodingContainer(StreamKeyed<Key>(stream: stream, id: frame(object: true)))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    StreamUnkeyed(stream: stream, id: frame(object: false))
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    StreamSingle(stream: stream, start: start)
  }
}

private struct StreamKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let stream: CanonicalStream
  let id: Int
  var codingPath: [any CodingKey] { [] }

  /// Starts a member: the key, after making this container the innermost one.
  private func key(_ key: Key) -> Bool {
    guard stream.member(of: id) else { return false }
    stream.string(key.stringValue)
    return true
  }

  mutating func encodeNil(forKey key: Key) throws { if self.key(key) { stream.scalar(.null) } }
  mutating func encode(_ value: String, forKey key: Key) throws { if self.key(key) { stream.scalar(.string(value)) } }
  mutating func encode(_ value: Int, forKey key: Key) throws { if self.key(key) { stream.scalar(.int(Int64(value))) } }
  mutating func encode(_ value: Double, forKey key: Key) throws { if self.key(key) { stream.scalar(.double(value)) } }
  mutating func encode(_ value: Bool, forKey key: Key) throws { if self.key(key) { stream.scalar(.bool(value)) } }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    if self.key(key) { try stream.value(value) }
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let id = self.key(key) ? stream.open(object: true, owner: 0) : -1
    return KeyedEncodingContainer(StreamKeyed<NestedKey>(stream: stream, id: id))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    StreamUnkeyed(stream: stream, id: self.key(key) ? stream.open(object: false, owner: 0) : -1)
  }

  mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    // Never used by the configurations; the tree handles it.
    stream.broken = true
    return StreamEncoder(stream: stream, owner: stream.newID(), start: -1)
  }
}

private struct StreamUnkeyed: UnkeyedEncodingContainer {
  let stream: CanonicalStream
  let id: Int
  var codingPath: [any CodingKey] { [] }

  var count: Int { stream.frames.last { $0.id == id }.map { Int($0.count) } ?? 0 }

  mutating func encodeNil() throws { if stream.member(of: id) { stream.scalar(.null) } }
  mutating func encode(_ value: String) throws { if stream.member(of: id) { stream.scalar(.string(value)) } }
  mutating func encode(_ value: Int) throws { if stream.member(of: id) { stream.scalar(.int(Int64(value))) } }
  mutating func encode(_ value: Double) throws { if stream.member(of: id) { stream.scalar(.double(value)) } }
  mutating func encode(_ value: Bool) throws { if stream.member(of: id) { stream.scalar(.bool(value)) } }

  mutating func encode<T: Encodable>(_ value: T) throws {
    if stream.member(of: id) { try stream.value(value) }
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
    NestedKey
  > {
    let nested = stream.member(of: id) ? stream.open(object: true, owner: 0) : -1
    return KeyedEncodingContainer(StreamKeyed<NestedKey>(stream: stream, id: nested))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    StreamUnkeyed(stream: stream, id: stream.member(of: id) ? stream.open(object: false, owner: 0) : -1)
  }

  mutating func superEncoder() -> any Encoder {
    stream.broken = true
    return StreamEncoder(stream: stream, owner: stream.newID(), start: -1)
  }
}

private struct StreamSingle: SingleValueEncodingContainer {
  let stream: CanonicalStream
  /// Where the encoder's value starts: a single value is written once, into an empty slot.
  let start: Int
  var codingPath: [any CodingKey] { [] }

  private func empty() -> Bool {
    if stream.bytes.count == start { return true }
    // A second value for the same slot replaces the first in the tree.
    stream.broken = true
    return false
  }

  mutating func encodeNil() throws { if empty() { stream.scalar(.null) } }

  mutating func encode<T: Encodable>(_ value: T) throws {
    if empty() { try stream.value(value) }
  }
}
