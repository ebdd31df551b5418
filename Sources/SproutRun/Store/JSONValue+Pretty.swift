import SproutPlanner

extension JSONValue {
  /// The canonical form laid out on lines with two-space indentation, for files people open
  /// (manifest.json, outputs.json); keys sorted as in the canonical form, scalars spelled the same.
  var pretty: String {
    var out = ""
    writePretty(to: &out, indent: "")
    return out + "\n"
  }

  private func writePretty(to out: inout String, indent: String) {
    switch self {
    case .array(let items) where !items.isEmpty:
      if items.allSatisfy({ $0.isScalar }) {
        write(to: &out)
        return
      }
      out += "[\n"
      for (i, item) in items.enumerated() {
        out += indent + "  "
        item.writePretty(to: &out, indent: indent + "  ")
        out += i + 1 < items.count ? ",\n" : "\n"
      }
      out += indent + "]"
    case .object(let members) where !members.isEmpty:
      out += "{\n"
      let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      for (i, key) in keys.enumerated() {
        out += indent + "  "
        JSONValue.string(key).write(to: &out)
        out += ": "
        members[key]!.writePretty(to: &out, indent: indent + "  ")
        out += i + 1 < keys.count ? ",\n" : "\n"
      }
      out += indent + "}"
    default:
      write(to: &out)
    }
  }

  private var isScalar: Bool {
    switch self {
    case .array, .object: false
    default: true
    }
  }

  /// The array payload, if an array.
  var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// The object payload, if an object.
  var objectValue: [String: JSONValue]? {
    if case .object(let o) = self { return o }
    return nil
  }
}
