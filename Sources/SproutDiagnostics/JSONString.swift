/// JSON string literals (RFC 8259 §7), shared by every module that writes JSON by hand: diagnostics output,
/// the schema generator, canonical hashing and safetensors headers. One escaping, so the same string has
/// the same bytes (and the same hash) everywhere.
public enum JSONString {
  /// `s` as a JSON string literal, quotes included: `"`, `\` and control characters escaped.
  public static func quoted(_ s: String) -> String {
    var out = ""
    write(s, to: &out)
    return out
  }

  /// Appends `s` as a JSON string literal to `out`.
  public static func write(_ s: String, to out: inout String) {
    out += "\""
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
