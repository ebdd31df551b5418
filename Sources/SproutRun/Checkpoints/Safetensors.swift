import Foundation

/// One float32 tensor of a safetensors file.
public struct NamedTensor: Hashable, Sendable {
  /// Its name, e.g. `layers.0.weight`.
  public var name: String
  /// Dimensions, outermost first.
  public var shape: [Int]
  /// Row-major values; `values.count == shape.product`.
  public var values: [Float]

  /// Creates a tensor; the values must fill the shape.
  public init(name: String, shape: [Int], values: [Float]) {
    precondition(values.count == shape.reduce(1, *), "\(values.count) values for shape \(shape) of \(name)")
    self.name = name
    self.shape = shape
    self.values = values
  }

  /// Bit-level equality (NaN payloads included), which is what "bit-identical" means for checkpoints.
  public func bitEqual(_ other: NamedTensor) -> Bool {
    name == other.name && shape == other.shape
      && values.count == other.values.count
      && zip(values, other.values).allSatisfy { $0.bitPattern == $1.bitPattern }
  }
}

/// The safetensors file format (https://github.com/huggingface/safetensors), float32 only.
///
/// ```
///  0        8                 8+N                                 end
///  ┌────────┬─────────────────┬────────────────────────────────────┐
///  │ N (u64 │ JSON header,    │ raw little-endian tensor data,     │
///  │ little │ space-padded to │ tensors back to back in header     │
///  │ endian)│ 8-byte multiple │ order, offsets relative to 8+N     │
///  └────────┴─────────────────┴────────────────────────────────────┘
/// ```
/// The header maps each tensor name to `{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}` and
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
    data.reserveCapacity(tensors.reduce(0) { $0 + $1.values.count * 4 })
    var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
    for t in tensors {
      let begin = data.count
      for v in t.values {
        let bits = v.bitPattern.littleEndian
        withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
      }
      entries.append((t.name, t.shape, begin, data.count))
    }
    var meta = metadata
    meta[Self.dataChecksumKey] = Checksum.digest(data)
    meta.removeValue(forKey: Self.headerChecksumKey)
    meta[Self.headerChecksumKey] = Self.headerDigest(
      entries: entries.map { ($0.name, "F32", $0.shape, $0.begin, $0.end) }, metadata: meta)

    var json = "{\"__metadata__\":{"
    json += meta.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(meta[$0]!))" }.joined(separator: ",")
    json += "}"
    for e in entries {
      json += ",\(Self.quote(e.name)):{\"dtype\":\"F32\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],"
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
      text += "t\u{0}\(name)\u{0}\(dtype)\u{0}\(shape.map(String.init).joined(separator: ","))\u{0}\(begin)\u{0}\(end)\n"
    }
    for key in metadata.keys.sorted() where key != headerChecksumKey {
      text += "m\u{0}\(key)\u{0}\(metadata[key]!)\n"
    }
    return Checksum.digest(Array(text.utf8))
  }

  /// A JSON string literal.
  static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
