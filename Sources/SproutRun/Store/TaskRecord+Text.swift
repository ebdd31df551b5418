import SproutDiagnostics
import SproutPlanner

extension Store {
  /// The text of a task record (task.json, and the key record that is its second name): exactly the bytes
  /// ``encodeJSON(_:)`` writes for it — Foundation's `JSONEncoder` with sorted keys, two-space indentation,
  /// `"key" : value` and slashes unescaped — written straight from the record's values.
  ///
  /// Every task of a sweep writes one, and the encoder's generic containers made it 2–3% of a 200-step tiny task's
  /// CPU (bench/RESULTS.md). The bytes are the encoder's, so stores written before and after read the same, and
  /// `plan --explain` compares the same decoded definitions. A value the encoder refuses (a non-finite number: it
  /// throws) goes through the encoder, which reports it as before.
  static func recordText(_ record: TaskRecord) throws -> String {
    let value = JSONValue.object([
      "backend": .string(record.backend), "definition": record.definition, "hash": .string(record.hash),
      "inputHashes": .object(record.inputHashes.mapValues { .string($0) }), "seed": .int(record.seed),
    ])
    var out: [UInt8] = []
    out.reserveCapacity(4096)
    guard EncoderText.write(value, level: 0, to: &out) else { return try encodeJSON(record) }
    out.append(UInt8(ascii: "\n"))
    return String(decoding: out, as: UTF8.self)
  }
}

/// JSON text in the layout of Foundation's `JSONEncoder` with `[.sortedKeys, .prettyPrinted,
/// .withoutEscapingSlashes]` (swift-foundation's `JSONWriter`):
///
/// ```
/// {                          objects and arrays open, then one member per line, indented two spaces a level;
///   "a" : [                  a key, " : ", its value; members joined by ",\n"; keys in UTF-8 byte order;
///     1,                     an empty container is "{\n\n}" / "[\n\n]" (the closing bracket indented);
///     0.5                    numbers as the encoder prints them: integers in decimal, a Double's `description`
///   ],                       without a trailing ".0" (1.0 → 1, 1e-05 stays);
///   "b" : "x/y"              strings escape only `"`, `\` and control characters (\b \f \n \r \t, else \u00XX)
/// }
/// ```
/// A `JSONValue`'s `Encodable` conformance encodes each case as the matching single value, so this is the text the
/// encoder gives for any `JSONValue` tree of finite numbers (tested against it: StoreTests).
enum EncoderText {
  /// Appends `value`'s text at nesting `level`; false (with `out` partly written) for a non-finite number, which the
  /// encoder refuses.
  static func write(_ value: JSONValue, level: Int, to out: inout [UInt8]) -> Bool {
    switch value {
    case .null: out += "null".utf8
    case .bool(let b): out += (b ? "true" : "false").utf8
    case .int(let i): out += String(i).utf8
    case .double(let d):
      guard d.isFinite else { return false }
      var text = d.description
      if text.hasSuffix(".0") { text.removeLast(2) }
      out += text.utf8
    case .string(let s): writeString(s, to: &out)
    case .array(let items):
      out += "[\n".utf8
      for (i, item) in items.enumerated() {
        if i > 0 { out += ",\n".utf8 }
        indent(level + 1, &out)
        guard write(item, level: level + 1, to: &out) else { return false }
      }
      out.append(UInt8(ascii: "\n"))
      indent(level, &out)
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out += "{\n".utf8
      let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
      for (i, member) in sorted.enumerated() {
        if i > 0 { out += ",\n".utf8 }
        indent(level + 1, &out)
        writeString(member.key, to: &out)
        out += " : ".utf8
        guard write(member.value, level: level + 1, to: &out) else { return false }
      }
      out.append(UInt8(ascii: "\n"))
      indent(level, &out)
      out.append(UInt8(ascii: "}"))
    }
    return true
  }

  private static func indent(_ level: Int, _ out: inout [UInt8]) {
    for _ in 0..<level { out += "  ".utf8 }
  }

  /// A string literal as the encoder escapes it (slashes and non-ASCII text as they are).
  static func writeString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out += "\\\"".utf8
      case UInt8(ascii: "\\"): out += "\\\\".utf8
      case 0x08: out += "\\b".utf8
      case 0x0C: out += "\\f".utf8
      case 0x0A: out += "\\n".utf8
      case 0x0D: out += "\\r".utf8
      case 0x09: out += "\\t".utf8
      case 0x00..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out += "\\u00".utf8
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0xF)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
