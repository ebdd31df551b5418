/// The header of a `.npy` file: the preamble (magic, version, header length) and the header dictionary, a Python
/// literal `{'descr': ..., 'fortran_order': ..., 'shape': (...)}`.
///
/// Both the full reader and lint's header check parse a file's header with this type, so they accept the same
/// files and describe them the same way.
public struct NPYHeader: Sendable, Hashable {
  /// The element kinds Sprout reads.
  public enum Kind: Sendable, Hashable { case bool, signed, unsigned, float }

  /// The dtype as written (`<f4`, `|b1`).
  public var descr: String
  /// True when the data is stored column-major.
  public var fortranOrder: Bool
  /// Dimensions, outermost first.
  public var shape: [Int]
  /// The element kind.
  public var kind: Kind
  /// Bytes per element.
  public var itemSize: Int
  /// True for big-endian elements.
  public var bigEndian: Bool
  /// Where the array data starts.
  public var dataOffset: Int

  /// Elements in the array.
  public var count: Int { shape.reduce(1, *) }
  /// Rows (the leading dimension; 1 for a scalar).
  public var rows: Int { shape.first ?? 1 }
  /// Values per row (the product of the trailing dimensions).
  public var rowWidth: Int { shape.dropFirst().reduce(1, *) }
  /// True for integer and boolean elements.
  public var isIntegral: Bool { kind != .float }

  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

  /// Where the header dictionary starts and how long it is, from the first (at most 12) bytes of a file.
  static func preamble(_ bytes: [UInt8]) throws -> (major: UInt8, start: Int, length: Int) {
    guard bytes.count >= 6, Array(bytes[0..<6]) == magic else {
      throw DataError(
        code: "data.bad-magic", message: "not a .npy file: it does not start with \\x93NUMPY", byteOffset: 0,
        suggestion: "save the array with numpy.save")
    }
    guard bytes.count >= 10 else { throw DataError.truncated("header", at: 6, expected: 4, got: bytes.count - 6) }
    let major = bytes[6]
    switch major {
    case 1:
      return (major, 10, Int(bytes[8]) | Int(bytes[9]) << 8)
    case 2, 3:
      guard bytes.count >= 12 else { throw DataError.truncated("header", at: 8, expected: 4, got: bytes.count - 8) }
      return (major, 12, (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) })
    default:
      throw DataError(
        code: "data.unsupported", message: "format version \(major).\(bytes[7]) is not 1.0, 2.0 or 3.0",
        byteOffset: 6)
    }
  }

  /// Parses the header dictionary `bytes` (of a file with format version `major`) that starts at byte `offset`.
  init(dictionary bytes: ArraySlice<UInt8>, major: UInt8, offset: Int) throws {
    // Version 3 headers are UTF-8; versions 1 and 2 are Latin-1.
    let text =
      major == 3 ? String(decoding: bytes, as: UTF8.self) : String(bytes.map { Character(Unicode.Scalar($0)) })
    var parser = LiteralParser(chars: Array(text), offset: offset)
    let dict = try parser.dictionary()
    func missing(_ key: String) -> DataError {
      DataError(
        code: "data.bad-header", message: "the .npy header has no '\(key)' entry", byteOffset: offset, field: key)
    }
    guard case .string(let descr)? = dict["descr"] else { throw missing("descr") }
    guard case .bool(let fortran)? = dict["fortran_order"] else { throw missing("fortran_order") }
    guard case .tuple(let shape)? = dict["shape"] else { throw missing("shape") }
    if let extra = dict.keys.sorted().first(where: { !["descr", "fortran_order", "shape"].contains($0) }) {
      throw DataError(
        code: "data.bad-header", message: "unexpected .npy header key '\(extra)'", byteOffset: offset, field: extra)
    }
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw DataError(code: "data.bad-header", message: "negative dimension in shape \(shape)", field: "shape")
    }
    guard Self.fitsInMemory(shape) else {
      throw DataError(
        code: "data.bad-header", message: "shape \(shape) has more elements than any file can hold", field: "shape")
    }
    self.descr = descr
    self.fortranOrder = fortran
    self.shape = shape
    self.dataOffset = offset + bytes.count
    let chars = Array(descr)
    let supported = "b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8"
    guard chars.count >= 3, "<>|=".contains(chars[0]), let size = Int(String(chars[2...])),
      supported.split(separator: " ").contains(Substring(String(chars[1...])))
    else {
      throw DataError(
        code: "data.unsupported", message: "dtype '\(descr)' is not a numeric dtype Sprout reads (\(supported))",
        byteOffset: offset, field: "descr", suggestion: "convert the array with .astype(numpy.float32) first")
    }
    self.itemSize = size
    self.bigEndian = chars[0] == ">"
    switch chars[1] {
    case "b": self.kind = .bool
    case "i": self.kind = .signed
    case "u": self.kind = .unsigned
    default: self.kind = .float
    }
  }

  /// Parses the preamble and header of a file whose first bytes are `bytes` (all of the header must be there).
  init(prefix bytes: [UInt8]) throws {
    let (major, start, length) = try Self.preamble(bytes)
    guard bytes.count >= start + length else {
      throw DataError.truncated("header", at: start, expected: length, got: bytes.count - start)
    }
    try self.init(dictionary: bytes[start..<(start + length)], major: major, offset: start)
  }

  /// True when the element count of `shape`, times the largest element size, is a representable byte count.
  static func fitsInMemory(_ shape: [Int]) -> Bool {
    var product = 8
    for d in shape {
      let (p, overflow) = product.multipliedReportingOverflow(by: d)
      if overflow { return false }
      product = p
    }
    return true
  }

  /// Checks that the file (`fileBytes`) and its values as 32-bit floats fit `budget` (twice over for Fortran
  /// order, which is reordered into a second buffer).
  func checkBudget(_ budget: MemoryBudget, fileBytes: Int) throws {
    try budget.check(
      fileBytes: fileBytes, values: count, copies: fortranOrder ? 2 : 1, what: "an array of shape \(shape)")
  }

  /// Checks that `available` bytes after the header are exactly the array's data.
  func checkDataLength(_ available: Int) throws {
    let needed = count * itemSize
    guard available >= needed else {
      throw DataError.truncated("array data of shape \(shape)", at: dataOffset, expected: needed, got: available)
    }
    guard available == needed else {
      throw DataError(
        code: "data.trailing-data",
        message: "\(available - needed) bytes after the \(count) elements of shape \(shape)",
        byteOffset: dataOffset + needed)
    }
  }

  /// Element `i` (in storage order), stored at `bytes[at...]`, as a checked Float; errors name its row, column and
  /// byte in the file.
  func element(_ i: Int, in bytes: [UInt8], at: Int) throws -> Float {
    try decode(bytes, at: at) {
      // For the error's place, convert the stored (possibly Fortran) index to the C index.
      let c = fortranOrder ? NPYReader.fortranToC(i, shape: shape) : i
      let width = max(rowWidth, 1)
      return DataError(
        code: "", message: "", row: c / width + 1, column: c % width + 1, byteOffset: dataOffset + i * itemSize)
    }
  }

  /// The element at byte `at` as a checked Float.
  private func decode(_ bytes: [UInt8], at: Int, place: () -> DataError) throws -> Float {
    var raw: UInt64 = 0
    for k in 0..<itemSize {
      let b = UInt64(bytes[at + (bigEndian ? k : itemSize - 1 - k)])
      raw = raw << 8 | b
    }
    switch kind {
    case .bool:
      guard raw <= 1 else {
        var e = place()
        e.code = "data.out-of-range"
        e.message = "boolean byte \(raw) is neither 0 nor 1"
        throw e
      }
      return Float(raw)
    case .unsigned:
      return try ExactFloat.unsigned(raw, place: place)
    case .signed:
      let shift = UInt64(64 - 8 * itemSize)
      let value = Int64(bitPattern: raw << shift) >> Int64(shift)
      return try ExactFloat.integer(value, place: place)
    case .float:
      switch itemSize {
      case 2:
        let f = ExactFloat.half(UInt16(raw))
        return try ExactFloat.double(Double(f), place: place)
      case 4:
        return try ExactFloat.double(Double(Float(bitPattern: UInt32(raw))), place: place)
      default:
        return try ExactFloat.double(Double(bitPattern: raw), place: place)
      }
    }
  }
}

/// Just enough of Python's literal syntax for a `.npy` header: a dict of string keys to strings, True/False and
/// tuples of integers.
struct LiteralParser {
  enum Value { case string(String), bool(Bool), tuple([Int]) }

  let chars: [Character]
  let offset: Int
  var i = 0

  init(chars: [Character], offset: Int) {
    self.chars = chars
    self.offset = offset
  }

  func error(_ message: String) -> DataError {
    DataError(code: "data.bad-header", message: "malformed .npy header: \(message)", byteOffset: offset + i)
  }

  mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

  mutating func expect(_ c: Character) throws {
    skipSpace()
    guard i < chars.count, chars[i] == c else { throw error("expected '\(c)'") }
    i += 1
  }

  mutating func peek() -> Character? {
    skipSpace()
    return i < chars.count ? chars[i] : nil
  }

  mutating func dictionary() throws -> [String: Value] {
    try expect("{")
    var out: [String: Value] = [:]
    while peek() != "}" {
      let key = try string()
      try expect(":")
      out[key] = try value()
      if peek() == "," { i += 1 } else { break }
    }
    try expect("}")
    skipSpace()
    guard i == chars.count else { throw error("text after the dictionary") }
    return out
  }

  mutating func string() throws -> String {
    skipSpace()
    guard i < chars.count, chars[i] == "'" || chars[i] == "\"" else { throw error("expected a quoted string") }
    let quote = chars[i]
    i += 1
    let start = i
    while i < chars.count, chars[i] != quote { i += 1 }
    guard i < chars.count else { throw error("unterminated string") }
    i += 1
    return String(chars[start..<(i - 1)])
  }

  mutating func value() throws -> Value {
    switch peek() {
    case "'", "\"": return .string(try string())
    case "(":
      i += 1
      var items: [Int] = []
      while peek() != ")" {
        let start = i
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
        guard let n = Int(String(chars[start..<i])) else { throw error("expected an integer in the shape") }
        // NumPy under Python 2 wrote longs as `3L`.
        if i < chars.count, chars[i] == "L" { i += 1 }
        items.append(n)
        if peek() == "," { i += 1 } else { break }
      }
      try expect(")")
      return .tuple(items)
    default:
      skipSpace()
      for (word, v) in [("True", true), ("False", false)] where chars[i...].starts(with: word) {
        i += word.count
        return .bool(v)
      }
      throw error("expected a string, True/False or a tuple")
    }
  }
}
