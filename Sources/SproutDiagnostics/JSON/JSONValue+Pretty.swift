extension JSONValue {
  /// Indented text with sorted keys (two spaces per level), for files people read: plans, `--format json`, the
  /// JSON Schema. Scalars are written in canonical form.
  public func pretty(indent: Int = 0) -> String {
    var out = ""
    writePretty(to: &out, level: indent)
    return out
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
