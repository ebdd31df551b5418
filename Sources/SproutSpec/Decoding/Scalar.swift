import SproutSyntax

/// YAML 1.2 core-schema resolution of scalars: how a plain scalar becomes null, a boolean, an integer or a float.
/// Quoted and block scalars, and scalars tagged `!!str`, are always strings.
enum Scalar {
  /// Resolves plain scalar text.
  static func resolvePlain(_ s: String) -> Value {
    // Fast path for the common case, a name: only these first characters can start a non-string.
    guard let first = s.utf8.first else { return .null }
    if !"~nNtTfF.+-0123456789".utf8.contains(first) { return .string(s) }
    switch s {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
    case ".nan", ".NaN", ".NAN": return .float(.nan)
    default: break
    }
    if let i = integer(s) { return .int(i) }
    if isFloatSyntax(s), let d = Double(s) { return .float(d) }
    return .string(s)
  }

  /// Resolves a node's scalar (respecting style and explicit tags); `nil` for collections.
  static func resolve(_ node: Node) -> Value? {
    guard case .scalar(let s, let style) = node.content else { return nil }
    switch node.tag {
    case "!!str", "tag:yaml.org,2002:str": return .string(s)
    case "!!int", "tag:yaml.org,2002:int": return integer(s).map(Value.int) ?? .string(s)
    case "!!float", "tag:yaml.org,2002:float": return Double(s).map(Value.float) ?? .string(s)
    case "!!bool", "tag:yaml.org,2002:bool": return resolvePlain(s).boolValue.map(Value.bool) ?? .string(s)
    case "!!null", "tag:yaml.org,2002:null": return .null
    default: break
    }
    return style == .plain ? resolvePlain(s) : .string(s)
  }

  static func integer(_ s: String) -> Int? {
    var body = Substring(s)
    var negative = false
    if body.first == "-" || body.first == "+" {
      negative = body.first == "-"
      body = body.dropFirst()
    }
    guard !body.isEmpty else { return nil }
    if body.hasPrefix("0x"), !negative, s.first != "+" { return Int(body.dropFirst(2), radix: 16) }
    if body.hasPrefix("0o"), !negative, s.first != "+" { return Int(body.dropFirst(2), radix: 8) }
    guard body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(s.first == "+" ? String(body) : s)
  }

  static func isFloatSyntax(_ s: String) -> Bool {
    var chars = Substring(s)
    if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
    var sawDigit = false
    var i = chars.startIndex
    while i < chars.endIndex, chars[i].isASCII, chars[i].isNumber { sawDigit = true; i = chars.index(after: i) }
    if i < chars.endIndex, chars[i] == "." {
      i = chars.index(after: i)
      while i < chars.endIndex, chars[i].isASCII, chars[i].isNumber { sawDigit = true; i = chars.index(after: i) }
    }
    guard sawDigit else { return false }
    if i < chars.endIndex, chars[i] == "e" || chars[i] == "E" {
      i = chars.index(after: i)
      if i < chars.endIndex, chars[i] == "-" || chars[i] == "+" { i = chars.index(after: i) }
      var expDigit = false
      while i < chars.endIndex, chars[i].isASCII, chars[i].isNumber { expDigit = true; i = chars.index(after: i) }
      guard expDigit else { return false }
    }
    return i == chars.endIndex
  }
}
