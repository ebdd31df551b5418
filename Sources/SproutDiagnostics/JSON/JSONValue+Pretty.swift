extension JSONValue {
  /// Indented text with sorted keys (two spaces per level), for files people read: plans, `--format json`, the
  /// JSON Schema. Scalars are written in canonical form.
  public func pretty(indent: Int = 0) -> String {
    var out = ""
    writePretty(to: &out, level: indent)
    return out
  }

  /// Appends ``pretty(indent:)``'s text as UTF-8 bytes (the same bytes, without building a `String`).
  public func writePretty(to out: inout [UInt8], level: Int) {
    switch self {
    case .array(let items) where !items.isEmpty:
      if items.allSatisfy({ !$0.isContainer }) {
        // Arrays of scalars stay on one line when it is short: `["a", "b"]`.
        let start = out.count
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
          if i > 0 {
            out.append(UInt8(ascii: ","))
            out.append(UInt8(ascii: " "))
          }
          item.write(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if out.count - start + 2 * level <= 100 { return }
        out.removeSubrange(start...)
      }
      out += "[\n".utf8
      for (i, item) in items.enumerated() {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * (level + 1)))
        item.writePretty(to: &out, level: level + 1)
        if i + 1 < items.count { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\n"))
      }
      out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
      out.append(UInt8(ascii: "]"))
    case .object(let members) where !members.isEmpty:
      out += "{\n".utf8
      let keys = members.sorted(by: { JSONValue.keyOrder($0.key, $1.key) })
      for (i, (key, value)) in keys.enumerated() {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * (level + 1)))
        JSONValue.writeString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        value.writePretty(to: &out, level: level + 1)
        if i + 1 < keys.count { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\n"))
      }
      out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
      out.append(UInt8(ascii: "}"))
    default:
      write(to: &out)
    }
  }

  private func writePretty(to out: inout String, level: Int) {
    let pad = String(repeating: "  ", count: level + 1), close = String(repeating: "  ", count: level)
    switch self {
    case .array(let items) where !items.isEmpty:
      if items.allSatisfy({ !$0.isContainer }) {
        // Arrays of scalars stay on one line when it is short: `["a", "b"]`.
        var line = "["
        for (i, item) in items.enumerated() {
          if i > 0 { line += ", " }
          item.write(to: &line)
        }
        line += "]"
        if line.utf8.count + 2 * level <= 100 {
          out += line
          return
        }
      }
      out += "[\n"
      for (i, item) in items.enumerated() {
        out += pad
        item.writePretty(to: &out, level: level + 1)
        out += i + 1 < items.count ? ",\n" : "\n"
      }
      out += close + "]"
    case .object(let members) where !members.isEmpty:
      out += "{\n"
      let keys = members.sorted(by: { JSONValue.keyOrder($0.key, $1.key) })
      for (i, (key, value)) in keys.enumerated() {
        out += pad
        JSONValue.writeString(key, to: &out)
        out += ": "
        value.writePretty(to: &out, level: level + 1)
        out += i + 1 < keys.count ? ",\n" : "\n"
      }
      out += close + "}"
    default:
      write(to: &out)
    }
  }

  private var isContainer: Bool {
    switch self {
    case .array, .object: true
    default: false
    }
  }
}
