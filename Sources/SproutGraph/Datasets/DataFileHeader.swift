import Foundation

/// Reading only the header of a data file, to learn its shape at lint time without loading it.
///
/// `.npy` (the header dict's `shape`), `.idx` (the dimension words) and CSV (the header row). The
/// loaders in SproutTrain read the whole file at run time and check every byte; this only needs
/// enough to check a model's input width against the data before anything runs.
public enum DataFileHeader {
  /// The shape and element type of an array file.
  public struct ArrayShape: Hashable, Sendable {
    /// Dimensions, outermost first (`[150, 4]`).
    public var shape: [Int]
    /// The element type as the file names it (`<f4`, `u1`).
    public var dtype: String
  }

  /// Why a header could not be read, naming the byte offset where it went wrong.
  public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file's path.
    public var path: String
    /// The byte offset of the problem, when known.
    public var offset: Int?
    /// What is wrong.
    public var message: String
    /// True when the file does not exist (as opposed to existing with a bad header).
    public var isMissing: Bool

    /// `path (byte N): message`.
    public var description: String {
      offset.map { "\(path) (byte \($0)): \(message)" } ?? "\(path): \(message)"
    }
  }

  /// The first `count` bytes of a file (fewer if it is shorter).
  static func prefix(of path: String, count: Int) throws(Problem) -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else {
      throw Problem(path: path, offset: nil, message: "no such file", isMissing: true)
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw Problem(path: path, offset: nil, message: "cannot be opened for reading", isMissing: false)
    }
    defer { try? handle.close() }
    let data = (try? handle.read(upToCount: count)) ?? Data()
    return [UInt8](data ?? Data())
  }

  /// The shape of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
  public static func npy(at path: String) throws(Problem) -> ArrayShape {
    let bytes = try prefix(of: path, count: 65_536 + 12)
    func fail(_ offset: Int, _ message: String) -> Problem {
      Problem(path: path, offset: offset, message: message, isMissing: false)
    }
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
      throw fail(0, "not a .npy file (the magic string \\x93NUMPY is missing)")
    }
    let major = bytes[6]
    let (length, start): (Int, Int)
    switch major {
    case 1: (length, start) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
    case 2, 3:
      guard bytes.count >= 12 else { throw fail(8, "the header length is truncated") }
      (length, start) = (Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24, 12)
    default: throw fail(6, "unsupported .npy format version \(major)")
    }
    guard start + length <= bytes.count else {
      throw fail(start, "the header is truncated (\(length) bytes announced)")
    }
    let header = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
    guard let descr = quotedValue(of: "descr", in: header) else { throw fail(start, "the header has no 'descr'") }
    guard let shapeKey = header.range(of: "'shape'"), let open = header[shapeKey.upperBound...].firstIndex(of: "("),
      let close = header[open...].firstIndex(of: ")")
    else { throw fail(start, "the header has no 'shape' tuple") }
    var shape: [Int] = []
    for part in header[header.index(after: open)..<close].split(separator: ",") {
      let t = part.trimmingCharacters(in: .whitespaces)
      if t.isEmpty { continue }
      guard let n = Int(t.hasSuffix("L") ? String(t.dropLast()) : t), n >= 0 else {
        throw fail(start, "the shape entry '\(t)' is not a dimension")
      }
      shape.append(n)
    }
    return ArrayShape(shape: shape, dtype: descr)
  }

  private static func quotedValue(of key: String, in header: String) -> String? {
    guard let k = header.range(of: "'\(key)'") else { return nil }
    let rest = header[k.upperBound...]
    guard let q1 = rest.firstIndex(where: { $0 == "'" || $0 == "\"" }) else { return nil }
    let after = rest[rest.index(after: q1)...]
    guard let q2 = after.firstIndex(of: rest[q1]) else { return nil }
    return String(after[..<q2])
  }

  /// The shape of an IDX file (the MNIST format: two zero bytes, a type code, the rank, big-endian dimensions).
  public static func idx(at path: String) throws(Problem) -> ArrayShape {
    let bytes = try prefix(of: path, count: 4 + 4 * 255)
    func fail(_ offset: Int, _ message: String) -> Problem {
      Problem(path: path, offset: offset, message: message, isMissing: false)
    }
    guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
      throw fail(0, "not an IDX file (the first two bytes must be zero)")
    }
    let types: [UInt8: String] = [0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"]
    guard let dtype = types[bytes[2]] else { throw fail(2, "unknown IDX type code 0x\(String(bytes[2], radix: 16))") }
    let rank = Int(bytes[3])
    guard rank >= 1, bytes.count >= 4 + 4 * rank else {
      throw fail(4, "the IDX header announces \(rank) dimensions but is truncated")
    }
    let shape = (0..<rank).map { i in
      (0..<4).reduce(0) { acc, j in acc << 8 | Int(bytes[4 + 4 * i + j]) }
    }
    return ArrayShape(shape: shape, dtype: dtype)
  }

  /// The column names in a CSV file's header row (RFC 4180 quoting; a BOM is ignored).
  public static func csvColumns(at path: String) throws(Problem) -> [String] {
    let bytes = try prefix(of: path, count: 1 << 20)
    var text = String(decoding: bytes, as: UTF8.self)
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    var columns: [String] = []
    var field = ""
    var quoted = false
    var iterator = text.makeIterator()
    var atFieldStart = true
    while let c = iterator.next() {
      if quoted {
        if c == "\"" {
          if let n = iterator.next() {
            if n == "\"" {
              field.append("\"")
            } else {
              quoted = false
              if n == "," { columns.append(field); field = ""; atFieldStart = true; continue }
              if n == "\n" || n == "\r\n" || n == "\r" { break }
              field.append(n)
            }
          } else {
            quoted = false
          }
        } else {
          field.append(c)
        }
        continue
      }
      if c == "\"" && atFieldStart { quoted = true; atFieldStart = false; continue }
      if c == "," { columns.append(field); field = ""; atFieldStart = true; continue }
      if c == "\n" || c == "\r\n" || c == "\r" { break }
      field.append(c)
      atFieldStart = false
    }
    if quoted {
      throw Problem(path: path, offset: 0, message: "the header row has an unterminated quoted field", isMissing: false)
    }
    columns.append(field)
    if columns == [""] {
      throw Problem(path: path, offset: 0, message: "the file is empty (no header row)", isMissing: false)
    }
    return columns.map { $0.trimmingCharacters(in: .whitespaces) }
  }
}

extension DataFileHeader {
  /// The channel count of a binary Netpbm image: 1 for PGM (`P5`), 3 for PPM (`P6`).
  public static func netpbmChannels(at path: String) throws(Problem) -> Int {
    let bytes = try prefix(of: path, count: 2)
    guard bytes.count == 2, bytes[0] == UInt8(ascii: "P") else {
      throw Problem(
        path: path, offset: 0, message: "not a binary PGM/PPM image (no 'P5' or 'P6' magic)", isMissing: false)
    }
    switch bytes[1] {
    case UInt8(ascii: "5"): return 1
    case UInt8(ascii: "6"): return 3
    default:
      throw Problem(
        path: path, offset: 1, message: "only binary PGM (P5) and PPM (P6) images are read", isMissing: false)
    }
  }
}
