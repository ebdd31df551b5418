import Foundation
import SproutSyntax

/// A JSON value, for comparing parsed YAML with the test suite's `in.json`.
enum JSONValue: Equatable, CustomStringConvertible {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  var description: String {
    switch self {
    case .null: "null"
    case .bool(let b): "\(b)"
    case .number(let d): "\(d)"
    case .string(let s): "\"\(s)\""
    case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
    case .object(let o):
      "{" + o.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
  }

  /// Parses a stream of JSON values separated by whitespace (the suite's multi-document `in.json`).
  static func parseStream(_ text: String) throws -> [JSONValue] {
    let data = Array(text.utf8)
    var values: [JSONValue] = []
    var i = 0
    while true {
      while i < data.count, [0x20, 0x0A, 0x0D, 0x09].contains(data[i]) { i += 1 }
      if i >= data.count { return values }
      // Find the extent of one value, then let JSONSerialization read it.
      let start = i
      var depth = 0
      var inString = false
      let isSpace = { (b: UInt8) in b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
      scan: while i < data.count {
        let b = data[i]
        i += 1
        if inString {
          if b == UInt8(ascii: "\\") {
            i += 1
          } else if b == UInt8(ascii: "\"") {
            inString = false
            if depth == 0 { break scan }
          }
        } else if b == UInt8(ascii: "\"") {
          inString = true
        } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
          depth += 1
        } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
          depth -= 1
          if depth == 0 { break scan }
        } else if depth == 0 && isSpace(b) {
          i -= 1
          break scan
        }
      }
      let object = try JSONSerialization.jsonObject(with: Data(data[start..<i]), options: [.fragmentsAllowed])
      values.append(JSONValue(any: object))
    }
  }

  init(any: Any) {
    switch any {
    case is NSNull: self = .null
    case let n as NSNumber:
      self = String(cString: n.objCType) == "c" ? .bool(n.boolValue) : .number(n.doubleValue)
    case let s as String: self = .string(s)
    case let a as [Any]: self = .array(a.map(JSONValue.init(any:)))
    case let o as [String: Any]: self = .object(o.mapValues(JSONValue.init(any:)))
    default: self = .string("\(any)")
    }
  }

  /// The JSON value of a YAML node, resolving plain scalars with the YAML 1.2 core schema.
  init(node: Node) {
    switch node.content {
    case .sequence(let items): self = .array(items.map(JSONValue.init(node:)))
    case .mapping(let pairs):
      var object: [String: JSONValue] = [:]
      for pair in pairs { object[pair.key.scalar ?? pair.key.description] = JSONValue(node: pair.value) }
      self = .object(object)
    case .scalar(let text, let style):
      switch node.tag {
      case "!!str": self = .string(text)
      case "!!null": self = .null
      case "!!bool": self = .bool(text.lowercased() == "true")
      case "!!int", "!!float": self = JSONValue.coreSchema(text) ?? .string(text)
      case nil where style == .plain: self = JSONValue.coreSchema(text) ?? .string(text)
      default: self = .string(text)
      }
    }
  }

  /// YAML 1.2 core schema resolution of a plain scalar; `nil` means "a string".
  static func coreSchema(_ s: String) -> JSONValue? {
    if ["", "~", "null", "Null", "NULL"].contains(s) { return .null }
    if ["true", "True", "TRUE"].contains(s) { return .bool(true) }
    if ["false", "False", "FALSE"].contains(s) { return .bool(false) }
    if s.wholeMatch(of: #/[-+]?[0-9]+/#) != nil { return Double(s).map(JSONValue.number) }
    if s.wholeMatch(of: #/0o[0-7]+/#) != nil { return Int(s.dropFirst(2), radix: 8).map { .number(Double($0)) } }
    if s.wholeMatch(of: #/0x[0-9a-fA-F]+/#) != nil { return Int(s.dropFirst(2), radix: 16).map { .number(Double($0)) } }
    if s.wholeMatch(of: #/[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/#) != nil {
      return Double(s).map(JSONValue.number)
    }
    return nil
  }
}
