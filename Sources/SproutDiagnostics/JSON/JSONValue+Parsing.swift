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
    var text = text
    return try text.withUTF8 { try parse(utf8: $0, omitting: []) }
  }

  /// Parses JSON text given as UTF-8 bytes (a file's contents), without copying them into a `String` first.
  /// Invalid UTF-8 inside strings reads as U+FFFD, as `String(decoding:as:)` would.
  ///
  /// Members at a key path in `omitting` are checked to be well-formed JSON but not built: a reader of a run
  /// manifest that needs its trials and task statuses skips the plan's tasks (most of its bytes) with
  /// `["plan.tasks"]`. A path names object keys from the root, joined by `.`; arrays along it are passed
  /// through (`"plan.tasks.config"` is the `config` of every element of `plan.tasks`).
  public static func parse<Bytes: Collection<UInt8>>(bytes: Bytes, omitting: Set<String> = []) throws -> JSONValue {
    if let value = try bytes.withContiguousStorageIfAvailable({ try parse(utf8: $0, omitting: omitting) }) {
      return value
    }
    return try Array(bytes).withUnsafeBufferPointer { try parse(utf8: $0, omitting: omitting) }
  }

  private static func parse(utf8: UnsafeBufferPointer<UInt8>, omitting: Set<String>) throws -> JSONValue {
    var parser = Parser(bytes: utf8)
    parser.skipSpace()
    let value = try parser.value(depth: 0, omit: omitting.isEmpty ? nil : OmittedPaths(omitting))
    parser.skipSpace()
    guard parser.at == parser.bytes.count else { throw parser.error("unexpected text after the value") }
    return value
  }

  /// A recursive-descent reader over the bytes. Hot paths (plan files and manifests of 10,000s of tasks) are
  /// byte loops: strings without escapes are decoded in one step, integers are accumulated without making text.
  private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    func error(_ message: String) -> ParseError { ParseError(offset: at, message: message) }

    @inline(__always) mutating func skipSpace() {
      while at < bytes.count {
        let c = bytes[at]
        guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
        at += 1
      }
    }

    mutating func expect(_ literal: StaticString, _ value: JSONValue) throws -> JSONValue {
      let n = literal.utf8CodeUnitCount
      guard at + n <= bytes.count else { throw error("expected '\(literal)'") }
      let l = literal.utf8Start
      for k in 0..<n where bytes[at + k] != l[k] { throw error("expected '\(literal)'") }
      at += n
      return value
    }

    /// Reads one value; `omit` is the node of the omitted paths at this value (nil: nothing below is omitted).
    mutating func value(depth: Int, omit: OmittedPaths? = nil) throws -> JSONValue {
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
          items.append(try value(depth: depth + 1, omit: omit))
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
          let below = omit?.children[key]
          if let below, below.isEnd {
            try skipValue(depth: depth + 1)
          } else {
            members[key] = try value(depth: depth + 1, omit: below)
          }
          skipSpace()
          guard at < bytes.count else { throw error("unterminated object") }
          if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
          if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
          throw error("expected ',' or '}'")
        }
      default: return try number()
      }
    }

    /// Reads past one value, checking its structure as ``value(depth:)`` would, without building it.
    mutating func skipValue(depth: Int) throws {
      guard depth < 512 else { throw error("nesting too deep") }
      guard at < bytes.count else { throw error("unexpected end of text") }
      switch bytes[at] {
      case UInt8(ascii: "\""):
        at += 1
        while at < bytes.count {
          let c = bytes[at]
          if c == UInt8(ascii: "\"") { at += 1; return }
          at += c == UInt8(ascii: "\\") ? 2 : 1
        }
        throw error("unterminated string")
      case UInt8(ascii: "["), UInt8(ascii: "{"):
        let isObject = bytes[at] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        at += 1
        skipSpace()
        if at < bytes.count, bytes[at] == close {
          at += 1
          return
        }
        while true {
          skipSpace()
          if isObject {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw error("expected a key string") }
            try skipValue(depth: depth + 1)
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw error("expected ':'") }
            at += 1
            skipSpace()
          }
          try skipValue(depth: depth + 1)
          skipSpace()
          guard at < bytes.count else { throw error(isObject ? "unterminated object" : "unterminated array") }
          if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
          if bytes[at] == close { at += 1; return }
          throw error(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
        }
      default: _ = try value(depth: depth)
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
      // Short plain integers (the common case: steps, counts, indices) without making text.
      if isInteger, at > start, at - start <= 18 {
        var k = start
        let negative = bytes[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        if k < at {
          var v = 0
          var plain = true
          while k < at {
            let c = bytes[k]
            guard c >= 0x30 && c <= 0x39 else { plain = false; break }
            v = v &* 10 &+ Int(c &- 0x30)
            k += 1
          }
          if plain { return .int(negative ? -v : v) }
        }
      }
      let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
      if isInteger, let i = Int(text) { return .int(i) }
      if let d = Double(text), !text.isEmpty { return .double(d) }
      at = start
      throw error("expected a value")
    }

    mutating func string() throws -> String {
      at += 1
      let start = at
      // Fast path: no escape before the closing quote.
      while at < bytes.count {
        let c = bytes[at]
        if c == UInt8(ascii: "\"") {
          let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
          at += 1
          return s
        }
        if c == UInt8(ascii: "\\") { break }
        at += 1
      }
      guard at < bytes.count else { throw error("unterminated string") }
      return try escapedString(from: start)
    }

    /// The rest of a string with escapes, from its first byte `start` (`at` is at the first backslash).
    mutating func escapedString(from start: Int) throws -> String {
      var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<at]))
      func append(_ scalar: Unicode.Scalar) { out.append(contentsOf: String(scalar).utf8) }
      while at < bytes.count {
        let c = bytes[at]
        if c == UInt8(ascii: "\"") {
          at += 1
          return String(decoding: out, as: UTF8.self)
        }
        if c == UInt8(ascii: "\\") {
          at += 1
          guard at < bytes.count else { break }
          let e = bytes[at]
          at += 1
          switch e {
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
              bytes[at + 1] == UInt8(ascii: "u")
            {
              at += 2
              let low = try hex4()
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            append(Unicode.Scalar(code) ?? "\u{FFFD}")
          default: append(Unicode.Scalar(e))
          }
          continue
        }
        out.append(c)
        at += 1
      }
      throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
      guard at + 4 <= bytes.count else { throw error("expected four hex digits") }
      var v: UInt32 = 0
      for k in at..<(at + 4) {
        let c = bytes[k]
        let d: UInt8
        switch c {
        case 0x30...0x39: d = c - 0x30
        case 0x41...0x46: d = c - 0x41 + 10
        case 0x61...0x66: d = c - 0x61 + 10
        default: throw error("expected four hex digits")
        }
        v = v << 4 | UInt32(d)
      }
      at += 4
      return v
    }
  }
}

/// Key paths a parse skips, as a tree of keys: `["plan.tasks", "a.b"]` is plan → tasks (end), a → b (end).
private final class OmittedPaths {
  var children: [String: OmittedPaths] = [:]
  var isEnd = false

  init() {}

  convenience init(_ paths: Set<String>) {
    self.init()
    for path in paths {
      var node = self
      for key in path.split(separator: ".", omittingEmptySubsequences: false) {
        let next = node.children[String(key)] ?? OmittedPaths()
        node.children[String(key)] = next
        node = next
      }
      node.isEnd = true
    }
  }
}
