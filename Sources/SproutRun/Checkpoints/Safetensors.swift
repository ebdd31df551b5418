import SproutDiagnostics
import Foundation
import SproutTrain

/// One tensor of a safetensors file: float32 (weights, optimizer state) or float64 (exact metric references
/// such as the initial tangent kernel), stored as SproutTrain's `StateTensor`.
public struct NamedTensor: Hashable, Sendable {
  /// Its name, e.g. `layers.0.weight`.
  public var name: String
  /// Shape and values.
  public var storage: StateTensor

  /// A float32 tensor; the values must fill the shape.
  public init(name: String, shape: [Int], values: [Float]) {
    precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape) of \(name)")
    self.name = name
    self.storage = .float32(shape: shape, values: values)
  }

  /// A tensor of either precision.
  public init(name: String, storage: StateTensor) {
    precondition(storage.count == storage.shape.reduce(1, *), "values do not fill shape \(storage.shape) of \(name)")
    self.name = name
    self.storage = storage
  }

  /// Dimensions, outermost first.
  public var shape: [Int] { storage.shape }
  /// The safetensors dtype: `F32` or `F64`.
  public var dtype: String {
    if case .float64 = storage { return "F64" }
    return "F32"
  }
  /// Bytes per element.
  var elementSize: Int { dtype == "F64" ? 8 : 4 }
  /// The values as float32 (float64 tensors are rounded; use `storage` for them).
  public var values: [Float] {
    switch storage {
    case .float32(_, let v): return v
    case .float64(_, let v): return v.map { Float($0) }
    }
  }

  /// Bit-level equality (NaN payloads included), which is what "bit-identical" means for checkpoints.
  public func bitEqual(_ other: NamedTensor) -> Bool {
    guard name == other.name, shape == other.shape else { return false }
    switch (storage, other.storage) {
    case (.float32(_, let a), .float32(_, let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    case (.float64(_, let a), .float64(_, let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    default: return false
    }
  }

  /// The little-endian bytes of the values.
  func appendBytes(to out: inout [UInt8]) {
    // safetensors is little-endian; on a little-endian host the in-memory bytes are the file's bytes.
    #if _endian(little)
      switch storage {
      case .float32(_, let v): v.withUnsafeBytes { out.append(contentsOf: $0) }
      case .float64(_, let v): v.withUnsafeBytes { out.append(contentsOf: $0) }
      }
    #else
      switch storage {
      case .float32(_, let v):
        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
      case .float64(_, let v):
        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
      }
    #endif
  }
}

/// The safetensors file format (https://github.com/huggingface/safetensors), float32 and float64 tensors.
///
/// ```
///  0        8                 8+N                                 end
///  ┌────────┬─────────────────┬────────────────────────────────────┐
///  │ N (u64 │ JSON header,    │ raw little-endian tensor data,     │
///  │ little │ space-padded to │ tensors back to back in header     │
///  │ endian)│ 8-byte multiple │ order, offsets relative to 8+N     │
///  └────────┴─────────────────┴────────────────────────────────────┘
/// ```
/// The header maps each tensor name to `{"dtype":"F32"|"F64","shape":[…],"data_offsets":[begin,end]}` and
/// `__metadata__` to a string→string map. Sprout adds two checksums to the metadata: one of the data
/// section and one of the header's content, so a flipped bit anywhere is detected before anything is loaded.
public struct SafetensorsFile: Sendable, Equatable {
  /// Tensors in data order.
  public var tensors: [NamedTensor]
  /// Free-form metadata (the Sprout checksum keys are added by `encode` and removed by `decode`).
  public var metadata: [String: String]

  /// Metadata key of the data-section checksum.
  public static let dataChecksumKey = "sprout.data_checksum"
  /// Metadata key of the header-content checksum.
  public static let headerChecksumKey = "sprout.header_checksum"
  /// The largest header accepted (the reference implementation's limit).
  public static let maxHeaderLength = 100_000_000

  /// Creates a file's content.
  public init(tensors: [NamedTensor], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The tensor named `name`, if any.
  public subscript(name: String) -> NamedTensor? { tensors.first { $0.name == name } }

  /// The file's bytes, with both checksums in the metadata.
  ///
  /// The output is a pure function of the content: same tensors and metadata ⇒ same bytes.
  public func encode() -> [UInt8] {
    var data: [UInt8] = []
    data.reserveCapacity(tensors.reduce(0) { $0 + $1.storage.count * $1.elementSize })
    var entries: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
    for t in tensors {
      let begin = data.count
      t.appendBytes(to: &data)
      entries.append((t.name, t.dtype, t.shape, begin, data.count))
    }
    var meta = metadata
    meta[Self.dataChecksumKey] = Checksum.digest(data)
    meta.removeValue(forKey: Self.headerChecksumKey)
    meta[Self.headerChecksumKey] = Self.headerDigest(
      entries: entries.map { ($0.name, $0.dtype, $0.shape, $0.begin, $0.end) }, metadata: meta)

    var json = "{\"__metadata__\":{"
    json += meta.sorted { $0.key < $1.key }.map { "\(Self.quote($0.key)):\(Self.quote($0.value))" }
      .joined(separator: ",")
    json += "}"
    for e in entries {
      json +=
        ",\(Self.quote(e.name)):{\"dtype\":\"\(e.dtype)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],"
      json += "\"data_offsets\":[\(e.begin),\(e.end)]}"
    }
    json += "}"
    var header = Array(json.utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var out: [UInt8] = []
    out.reserveCapacity(8 + header.count + data.count)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: header)
    out.append(contentsOf: data)
    return out
  }

  /// The checksum of what the header says: tensor table and metadata (without the header checksum itself).
  static func headerDigest(entries: [(String, String, [Int], Int, Int)], metadata: [String: String]) -> String {
    var text = ""
    for (name, dtype, shape, begin, end) in entries {
      text +=
        "t\u{0}\(name)\u{0}\(dtype)\u{0}\(shape.map(String.init).joined(separator: ","))\u{0}\(begin)\u{0}\(end)\n"
    }
    for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where key != headerChecksumKey {
      text += "m\u{0}\(key)\u{0}\(value)\n"
    }
    return Checksum.digest(Array(text.utf8))
  }

  /// A JSON string literal.
  static func quote(_ s: String) -> String { JSONString.quoted(s) }
}
