/// Reading JSON text back into a ``JSONValue``.
///
/// The parser keeps the distinction the canonical form makes: a number written without a fraction or
/// exponent is an `.int`, any other number a `.double`, so `parse(v.canonical) == v` for every value.
extension JSONValue {
  /// An error in JSON text, with the byte offset where reading stopped.
  public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 0-based byte offset.
    public var offset: Int
    /// What was expected.
    public var message: String
    /// `offset N: message`.
    public var description: String { "offset \(offset): \(message)" }
  }

  /// Parses JSON text (RFC 8259, with the strings `"nan"`/`"inf"` left as strings).
  public static func parse(_ text: String) throws -> JSONValue {
    var parser = Parser(bytes: Array(text.utf8))
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.at == parser.bytes.count else { throw parser.error("unexpected text after the value") }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    var at = 0

    func error(_ message: String) -> ParseError { ParseError(offset: at, message: message) }

    mutating func skipSpace() {
      while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
    }

    mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
      let l = Array(literal.utf8)
      guard at + l.count <= bytes.count, Array(bytes[at..<(at + l.count)]) == l else {
        throw error("expected '\(literal)'")
      }
      at += l.count
      return value
    }

    mutating func value(depth: Int) throws -> JSONValue {
      guard depth < 512 else { throw error("nesting too deep") }
      guard at < bytes.count else { throw error("unexpected end of text") }
      switch bytes[at] {
      case UInt8(ascii: "n"): return try expect("null", .null)
      case UInt8(ascii: "t"): return try expect("true", .bool(true))
      case UInt8(ascii: "f"): return try expect("false", .bool(false))
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "["):
        at += 1
        var items: [JSONValue] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
          at += 1
          return .array(items)
        }
        while true {
          skipSpace()
          items.append(try value(depth: depth + 1))
          skipSpace()
          guard at < bytes.count else { throw error("unterminated array") }
          if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
          if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
          throw error("expected ',' or ']'")
        }
      case UInt8(ascii: "{"):
        at += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
          at += 1
          return .object(members)
        }
        while true {
          skipSpace()
          guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a key string") }
          let key = try string()
          skipSpace()
          guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':'") }
          at += 1
          skipSpace()
          members[key] = try value(depth: depth + 1)
          skipSpace()
          guard at < bytes.count else { throw error("unterminated object") }
          if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
          if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
          throw error("expected ',' or '}'")
        }
      default: return try number()
      }
    }

    mutating func number() throws -> JSONValue {
      let start = at
      var isInteger = true
      while at < bytes.count {
        let c = bytes[at]
        if (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
          at += 1
        } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
          isInteger = false
          at += 1
        } else {
          break
        }
      }
      let text = String(decoding: bytes[start..<at], as: UTF8.self)
      if isInteger, let i = Int(text) { return .int(i) }
      if let d = Double(text), !text.isEmpty { return .double(d) }
      at = start
      throw error("expected a value")
    }

    mutating func string() throws -> String {
      at += 1
      var scalars = String.UnicodeScalarView()
      var run = at
      func flush(_ end: Int) {
        scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
      }
      while at < bytes.count {
        let c = bytes[at]
        if c == UInt8(ascii: "\"") {
          flush(at)
          at += 1
          return String(scalars)
        }
        if c == UInt8(ascii: "\\") {
          flush(at)
          at += 1
          guard at < bytes.count else { break }
          let e = bytes[at]
          at += 1
          switch e {
          case UInt8(ascii: "n"): scalars.append("\n")
          case UInt8(ascii: "r"): scalars.append("\r")
          case UInt8(ascii: "t"): scalars.append("\t")
          case UInt8(ascii: "b"): scalars.append("\u{08}")
          case UInt8(ascii: "f"): scalars.append("\u{0C}")
          case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
              bytes[at + 1] == UInt8(ascii: "u")
            {
              at += 2
              let low = try hex4()
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
          default: scalars.append(Unicode.Scalar(e))
          }
          run = at
          continue
        }
        at += 1
      }
      throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
      guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16)
      else { throw error("expected four hex digits") }
      at += 4
      return v
    }
  }
}
