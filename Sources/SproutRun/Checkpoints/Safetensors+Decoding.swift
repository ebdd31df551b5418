import Foundation

extension SafetensorsFile {
  /// Reads a file's bytes, validating everything before returning any tensor.
  ///
  /// Checks, in order: the 8-byte length prefix and its bounds, the header's JSON and shape, each tensor's
  /// dtype (F32 or F64), shape (non-negative, `4 · Π shape` bytes), offsets (inside the data section, back to back,
  /// covering it exactly), the metadata (strings only), and — when `requireChecksums` — both Sprout checksums.
  /// Any failure is a `RunError` with code `.corruptCheckpoint` naming `path` and the byte offset; nothing traps.
  public static func decode(
    _ bytes: [UInt8], path: String = "<memory>", requireChecksums: Bool = true
  ) throws
    -> SafetensorsFile
  {
    func corrupt(_ what: String, at offset: Int? = nil, cause: (any Error)? = nil) -> RunError {
      let position = offset.map { " at byte \($0)" } ?? ""
      return RunError(
        .corruptCheckpoint, "checkpoint '\(path)' is corrupt: \(what)\(position)", cause: cause, path: path)
    }
    guard bytes.count >= 8 else {
      throw corrupt("file is \(bytes.count) bytes, shorter than the 8-byte header length", at: 0)
    }
    var length: UInt64 = 0
    for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard length <= UInt64(maxHeaderLength) else {
      throw corrupt("header length \(length) exceeds the limit of \(maxHeaderLength) bytes", at: 0)
    }
    let headerEnd = 8 + Int(length)
    guard headerEnd <= bytes.count else {
      throw corrupt("header length \(length) runs past the end of the \(bytes.count)-byte file (truncated?)", at: 0)
    }
    guard length >= 2, bytes[8] == UInt8(ascii: "{") else {
      throw corrupt("header does not start with '{'", at: 8)
    }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]), options: [])
    } catch {
      throw corrupt("header is not valid JSON", at: 8, cause: error)
    }
    guard let header = object as? [String: Any] else { throw corrupt("header is not a JSON object", at: 8) }

    var metadata: [String: String] = [:]
    if let raw = header["__metadata__"] {
      guard let map = raw as? [String: Any] else { throw corrupt("__metadata__ is not an object", at: 8) }
      for (key, value) in map {
        guard let s = value as? String else { throw corrupt("__metadata__.\(key) is not a string", at: 8) }
        metadata[key] = s
      }
    }

    let dataStart = headerEnd
    let dataCount = bytes.count - dataStart
    var entries: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
    for (name, raw) in header where name != "__metadata__" {
      guard let info = raw as? [String: Any] else { throw corrupt("entry '\(name)' is not an object", at: 8) }
      guard let dtype = info["dtype"] as? String else { throw corrupt("tensor '\(name)' has no dtype", at: 8) }
      guard dtype == "F32" || dtype == "F64" else {
        throw corrupt("tensor '\(name)' has dtype \(dtype); Sprout reads F32 and F64", at: 8)
      }
      let size = dtype == "F64" ? 8 : 4
      guard let shapeRaw = info["shape"] as? [Any], let shape = integers(shapeRaw), shape.allSatisfy({ $0 >= 0 })
      else { throw corrupt("tensor '\(name)' has an invalid shape", at: 8) }
      guard let offsetsRaw = info["data_offsets"] as? [Any], let offsets = integers(offsetsRaw), offsets.count == 2,
        offsets[0] >= 0, offsets[0] <= offsets[1]
      else { throw corrupt("tensor '\(name)' has invalid data_offsets", at: 8) }
      var elements = 1
      for d in shape {
        let (product, overflow) = elements.multipliedReportingOverflow(by: d)
        guard !overflow, product <= Int.max / 8 else {
          throw corrupt("tensor '\(name)' shape \(shape) overflows", at: 8)
        }
        elements = product
      }
      guard offsets[1] - offsets[0] == elements * size else {
        throw corrupt(
          "tensor '\(name)' of shape \(shape) needs \(elements * size) bytes but its offsets span \(offsets[1] - offsets[0])",
          at: 8)
      }
      guard offsets[1] <= dataCount else {
        throw corrupt(
          "tensor '\(name)' ends at data byte \(offsets[1]) but the data section has \(dataCount) bytes (truncated?)",
          at: dataStart + min(offsets[0], dataCount))
      }
      entries.append((name, dtype, shape, offsets[0], offsets[1]))
    }
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var expected = 0
    for e in entries {
      guard e.begin == expected else {
        throw corrupt(
          e.begin < expected
            ? "tensor '\(e.name)' overlaps the previous tensor" : "gap before tensor '\(e.name)' in the data section",
          at: dataStart + e.begin)
      }
      expected = e.end
    }
    guard expected == dataCount else {
      throw corrupt("data section has \(dataCount) bytes but the tensors cover \(expected)", at: dataStart + expected)
    }

    if requireChecksums {
      guard let dataSum = metadata[dataChecksumKey], let headerSum = metadata[headerChecksumKey] else {
        throw corrupt("metadata has no Sprout checksums", at: 8)
      }
      let actualHeader = headerDigest(
        entries: entries.map { ($0.name, $0.dtype, $0.shape, $0.begin, $0.end) },
        metadata: metadata)
      guard actualHeader == headerSum else { throw corrupt("header checksum mismatch", at: 8) }
      let actualData = bytes.withUnsafeBytes { Checksum.digest(UnsafeRawBufferPointer(rebasing: $0[dataStart...])) }
      guard actualData == dataSum else { throw corrupt("data checksum mismatch", at: dataStart) }
    }
    metadata.removeValue(forKey: dataChecksumKey)
    metadata.removeValue(forKey: headerChecksumKey)

    let tensors = entries.map { e -> NamedTensor in
      let range = (dataStart + e.begin)..<(dataStart + e.end)
      if e.dtype == "F64" {
        return NamedTensor(name: e.name, storage: .float64(shape: e.shape, values: littleEndian(bytes[range])))
      }
      return NamedTensor(name: e.name, shape: e.shape, values: littleEndian(bytes[range]))
    }
    return SafetensorsFile(tensors: tensors, metadata: metadata)
  }

  /// Little-endian bytes → values (a copy; alignment of the source does not matter).
  private static func littleEndian<T: BinaryFloatingPoint>(_ bytes: ArraySlice<UInt8>) -> [T] {
    let n = bytes.count / MemoryLayout<T>.size
    var values = [T](repeating: 0, count: n)
    values.withUnsafeMutableBytes { out in bytes.withUnsafeBytes { out.copyMemory(from: $0) } }
    #if _endian(big)
      values = values.map { v in
        if let f = v as? Float { return T(Float(bitPattern: f.bitPattern.byteSwapped)) }
        if let d = v as? Double { return T(Double(bitPattern: d.bitPattern.byteSwapped)) }
        return v
      }
    #endif
    return values
  }

  /// JSON numbers that are exact integers (no fractions, no overflow); nil otherwise.
  private static func integers(_ values: [Any]) -> [Int]? {
    var out: [Int] = []
    for v in values {
      guard let n = v as? NSNumber else { return nil }
      let d = n.doubleValue
      guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
      out.append(n.intValue)
    }
    return out
  }
}
