/// A JSON value whose objects keep their keys in the order written, so rendered output is stable.
///
/// Foundation's `JSONSerialization` neither guarantees key order nor escapes the same way on every
/// platform; diagnostics output is compared byte for byte in tests and by users' tools, so it is written
/// by hand.
enum JSONOutput {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSONOutput])
  case object([(String, JSONOutput)])

  /// A string, or `null` when absent.
  static func optional(_ s: String?) -> JSONOutput { s.map(JSONOutput.string) ?? .null }

  /// The JSON text, indented by two spaces per level, with a trailing newline.
  func rendered() -> String {
    var out = ""
    write(to: &out, indent: 0)
    out += "\n"
    return out
  }

  private func write(to out: inout String, indent: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .string(let s): Self.writeString(s, to: &out)
    case .array(let items):
      guard !items.isEmpty else {
        out += "[]"
        return
      }
      out += "[\n"
      for (i, item) in items.enumerated() {
        out += String(repeating: "  ", count: indent + 1)
        item.write(to: &out, indent: indent + 1)
        out += i + 1 < items.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "]"
    case .object(let members):
      guard !members.isEmpty else {
        out += "{}"
        return
      }
      out += "{\n"
      for (i, (key, value)) in members.enumerated() {
        out += String(repeating: "  ", count: indent + 1)
        Self.writeString(key, to: &out)
        out += ": "
        value.write(to: &out, indent: indent + 1)
        out += i + 1 < members.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "}"
    }
  }

  private static func writeString(_ s: String, to out: inout String) { JSONString.write(s, to: &out) }
}
