/// The header dictionary of a `.npy` file: a Python literal `{'descr': ..., 'fortran_order': ..., 'shape': (...)}`.
struct NPYHeader {
  enum Kind { case bool, signed, unsigned, float }

  var descr: String
  var fortranOrder: Bool
  var shape: [Int]
  var kind: Kind
  var itemSize: Int
  var bigEndian: Bool

  init(_ text: String, offset: Int) throws {
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
    self.descr = descr
    self.fortranOrder = fortran
    self.shape = shape
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

  /// The element at byte `at` as a checked Float.
  func decode(_ bytes: [UInt8], at: Int, place: () -> DataError) throws -> Float {
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
