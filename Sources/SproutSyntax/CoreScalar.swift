/// A scalar as YAML 1.2's core schema reads it: a plain scalar becomes null, a boolean, an integer or a float
/// when its text has that form; quoted and block scalars, and scalars tagged `!!str`, are strings.
///
/// Resolution lives in the Syntax phase because the phase needs it itself (two plain keys that resolve to the
/// same value are one key); the Spec phase builds its values from it.
public enum CoreScalar: Hashable, Sendable {
  /// `~`, `null`, `Null`, `NULL` or an empty plain scalar.
  case null
  /// `true`/`True`/`TRUE`, `false`/`False`/`FALSE`.
  case bool(Bool)
  /// `[-+]?[0-9]+`, `0x[0-9a-fA-F]+` or `0o[0-7]+`, when it fits in an `Int`.
  case int(Int)
  /// A decimal float, `.inf`, `-.inf` or `.nan` (and an integer too large for an `Int`).
  case float(Double)
  /// Anything else.
  case string(String)

  /// Resolves plain scalar text.
  public static func resolvePlain(_ s: String) -> CoreScalar {
    // Fast path for the common case, a name: only these first characters can start a non-string.
    guard let first = s.utf8.first else { return .null }
    switch first {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
      break
    case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
      UInt8(ascii: "f"), UInt8(ascii: "F"):
      // Only the words below start with these; anything longer than `false` is a string.
      if s.utf8.count > 5 { return .string(s) }
    default:
      return .string(s)
    }
    switch s {
    case "~", "null", "Null", "NULL": return .null
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

  /// True when `resolvePlain(s)` is certainly `.string`; false when it may be anything else (text starting with
  /// a digit, a sign or a dot is not looked at further). Reads only the first bytes: the parser asks it for
  /// every mapping key.
  static func isPlainString(_ s: String) -> Bool {
    let utf8 = s.utf8
    guard let first = utf8.first else { return false }
    switch first {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
      return false
    case UInt8(ascii: "~"):
      return utf8.count != 1
    case UInt8(ascii: "n"), UInt8(ascii: "N"):
      return utf8.count != 4 || !(s == "null" || s == "Null" || s == "NULL")
    case UInt8(ascii: "t"), UInt8(ascii: "T"):
      return utf8.count != 4 || !(s == "true" || s == "True" || s == "TRUE")
    case UInt8(ascii: "f"), UInt8(ascii: "F"):
      return utf8.count != 5 || !(s == "false" || s == "False" || s == "FALSE")
    default:
      return true
    }
  }

  /// Resolves a node's scalar (respecting its style and an explicit tag); `nil` for collections.
  public init?(_ node: Node) {
    guard case .scalar(let s, let style) = node.content else { return nil }
    switch node.tag {
    case nil: break
    case "!!str", "tag:yaml.org,2002:str":
      self = .string(s)
      return
    case "!!int", "tag:yaml.org,2002:int":
      self = Self.integer(s).map(CoreScalar.int) ?? .string(s)
      return
    case "!!float", "tag:yaml.org,2002:float":
      switch Self.resolvePlain(s) {
      case .float(let d): self = .float(d)
      case .int(let i): self = .float(Double(i))
      default: self = Double(s).map(CoreScalar.float) ?? .string(s)
      }
      return
    case "!!bool", "tag:yaml.org,2002:bool":
      if case .bool(let b) = Self.resolvePlain(s) { self = .bool(b) } else { self = .string(s) }
      return
    case "!!null", "tag:yaml.org,2002:null":
      self = .null
      return
    default: break
    }
    self = style == .plain ? Self.resolvePlain(s) : .string(s)
  }

  /// A YAML 1.2 core-schema integer: `[-+]?[0-9]+`, `0x[0-9a-fA-F]+` or `0o[0-7]+`; `nil` when the text is not
  /// one or does not fit in an `Int`.
  public static func integer(_ s: String) -> Int? {
    var s = s
    return s.withUTF8 { integer(bytes: $0) }
  }

  private static func integer(bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    var negative = false
    if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
      negative = sign == UInt8(ascii: "-")
      i = 1
    }
    guard i < bytes.count else { return nil }
    var radix = 10
    if i == 0, bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
      if bytes[1] == UInt8(ascii: "x") { radix = 16; i = 2 }
      if bytes[1] == UInt8(ascii: "o") { radix = 8; i = 2 }
    }
    var value = 0
    while i < bytes.count {
      let b = bytes[i]
      let digit: Int
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(b - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = Int(b - UInt8(ascii: "a")) + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = Int(b - UInt8(ascii: "A")) + 10
      default: return nil
      }
      guard digit < radix else { return nil }
      let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
      let (next, o2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      guard !o1, !o2 else { return nil }
      value = next
      i += 1
    }
    return value
  }

  /// `[-+]?(digits)?(.digits)?([eE][-+]?digits)?` with at least one mantissa digit.
  public static func isFloatSyntax(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { isFloatSyntax(bytes: $0) }
  }

  private static func isFloatSyntax(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
    var i = 0
    if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
    var sawDigit = false
    while isDigit(i) { sawDigit = true; i += 1 }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      while isDigit(i) { sawDigit = true; i += 1 }
    }
    guard sawDigit else { return false }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
      var expDigit = false
      while isDigit(i) { expDigit = true; i += 1 }
      guard expDigit else { return false }
    }
    return i == bytes.count
  }
}
