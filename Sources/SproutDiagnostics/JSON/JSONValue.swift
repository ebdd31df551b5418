/// A JSON value with one canonical text form: resolved definitions and content hashes (planner), plan files and
/// the store's records (run), the JSON Schema of the language (spec).
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
  public var canonical: String { String(decoding: canonicalBytes, as: UTF8.self) }

  /// The canonical text as UTF-8 bytes (what content hashes are computed over).
  public var canonicalBytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(to: &out)
    return out
  }

  /// Appends the canonical text to `out`.
  public func write(to out: inout String) { out += canonical }

  /// Appends the canonical UTF-8 bytes to `out`.
  public func write(to out: inout [UInt8]) {
    switch self {
    case .null: out += JSONValue.nullBytes
    case .bool(let b): out += b ? JSONValue.trueBytes : JSONValue.falseBytes
    case .int(let i): out += String(i).utf8
    case .double(let d): out += JSONValue.format(d).utf8
    case .string(let s): JSONValue.writeString(s, to: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        item.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      var first = true
      for (key, value) in members.sorted(by: { JSONValue.keyOrder($0.key, $1.key) }) {
        if !first { out.append(UInt8(ascii: ",")) }
        first = false
        JSONValue.writeString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  private static let nullBytes = Array("null".utf8)
  private static let trueBytes = Array("true".utf8)
  private static let falseBytes = Array("false".utf8)

  /// Orders keys by their UTF-8 bytes, so the order does not depend on Unicode normalisation or locale.
  public static func keyOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

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

  public static func writeString(_ s: String, to out: inout String) { JSONString.write(s, to: &out) }

  /// A JSON string literal; strings needing no escape (the common case) are copied as bytes.
  public static func writeString(_ s: String, to out: inout [UInt8]) {
    let utf8 = s.utf8
    if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      out.append(UInt8(ascii: "\""))
      out += utf8
      out.append(UInt8(ascii: "\""))
      return
    }
    out += JSONString.quoted(s).utf8
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
    // Probing the value's type: each failed `try?` is "not this type", and the last branch throws if none fits.
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

// Note: ExpressibleByDictionaryLiteral gives JSONValue the member types `Key` and `Value`; an extension of
// JSONValue that means SproutSpec's `Value` must write `SproutSpec.Value`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral
{
  /// A string literal.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An array literal.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// A boolean literal.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// A dictionary literal (a repeated key keeps its last value).
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
  }
  /// An integer literal.
  public init(integerLiteral value: Int) { self = .int(value) }
}
