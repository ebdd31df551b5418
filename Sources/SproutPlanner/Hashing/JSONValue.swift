/// A JSON value with one canonical text form, used for resolved definitions and content hashes.
///
/// The canonical form (``canonical``) has object keys sorted by their UTF-8 bytes, no whitespace,
/// integers as integers, other numbers in the shortest text that reads back to the same `Double`, and
/// strings with only the escapes JSON requires. Two definitions that mean the same thing therefore hash
/// the same, whatever order or spelling the spec used (cf. RFC 8785, JSON Canonicalization Scheme).
public enum JSONValue: Hashable, Sendable {
  /// `null`.
  case null
  /// `true` / `false`.
  case bool(Bool)
  /// An integer.
  case int(Int)
  /// A non-integral or explicitly floating number.
  case double(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object; key order is irrelevant to equality and to the canonical form.
  case object([String: JSONValue])

  /// The canonical text.
  public var canonical: String {
    var out = ""
    out.reserveCapacity(64)
    write(to: &out)
    return out
  }

  /// Appends the canonical text to `out`.
  public func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .double(let d): out += JSONValue.format(d)
    case .string(let s): JSONValue.writeString(s, to: &out)
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(to: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      var first = true
      for key in members.keys.sorted(by: JSONValue.keyOrder) {
        if !first { out += "," }
        first = false
        JSONValue.writeString(key, to: &out)
        out += ":"
        members[key]!.write(to: &out)
      }
      out += "}"
    }
  }

  /// Orders keys by their UTF-8 bytes, so the order does not depend on Unicode normalisation or locale.
  static func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

  /// The shortest round-trip text of a double, in a JSON-valid spelling.
  ///
  /// Swift's `description` already gives the shortest digits that read back exactly; this only
  /// normalises the spelling (`1e-05` → `1e-5`, `5.0` stays `5.0` so a float never reads as an int).
  /// JSON has no NaN or infinity; they are written as the strings `"nan"`, `"inf"`, `"-inf"`.
  public static func format(_ d: Double) -> String {
    if d.isNaN { return "\"nan\"" }
    if d.isInfinite { return d < 0 ? "\"-inf\"" : "\"inf\"" }
    if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
    var text = d.description
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      var mantissa = String(text[..<e])
      var exponent = String(text[text.index(after: e)...])
      let negative = exponent.hasPrefix("-")
      if exponent.hasPrefix("-") || exponent.hasPrefix("+") { exponent.removeFirst() }
      while exponent.count > 1 && exponent.hasPrefix("0") { exponent.removeFirst() }
      if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
      text = mantissa + "e" + (negative ? "-" : "") + exponent
    }
    return text
  }

  static func writeString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}

extension JSONValue {
  /// The member `key` of an object, or `nil`.
  public subscript(key: String) -> JSONValue? {
    if case .object(let m) = self { return m[key] }
    return nil
  }

  /// The string payload, if a string.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The integer payload (also of an integral double), if a number.
  public var intValue: Int? {
    switch self {
    case .int(let i): return i
    case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
    default: return nil
    }
  }

  /// The numeric payload, if a number.
  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  /// A short, readable rendering for messages: strings unquoted at top level, the rest canonical.
  public var display: String {
    if case .string(let s) = self { return s }
    return canonical
  }
}

extension JSONValue: Codable {
  /// Decodes native JSON. Note: through `JSONDecoder` an integral float (`5.0`) reads back as `.int(5)`;
  /// plan files therefore go through ``JSONValue/parse(_:)``, which keeps the distinction.
  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  /// Encodes as native JSON.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case .bool(let b): try c.encode(b)
    case .int(let i): try c.encode(i)
    case .double(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    }
  }
}
