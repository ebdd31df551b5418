import SproutDiagnostics

/// Looks at the raw text around a libyaml error to recognise what the user meant.
enum SourceScan {
  /// The byte range of an unquoted `${...}` that sits inside a flow collection, searching from `start`
  /// (the start of the enclosing construct) to the end of the line holding `mark`.
  ///
  /// Quotes are tracked (`'it''s'`, `"a\"b"`) so a correctly quoted `"${x}"` never matches. When several
  /// match, the last one starting at or before `mark` is the one libyaml tripped over.
  static func unquotedFlowExpression(
    in bytes: [UInt8], from start: Int, through mark: Int, contextIsFlow: Bool
  )
    -> Range<Int>?
  {
    var lineEnd = max(start, min(mark, bytes.count))
    while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
    var i = max(0, start)
    var quote: UInt8? = nil
    var flowDepth = 0
    var best: Range<Int>? = nil
    while i < lineEnd {
      let b = bytes[i]
      if let q = quote {
        if q == UInt8(ascii: "\"") && b == UInt8(ascii: "\\") {
          i += 2
          continue
        }
        if b == q {
          if q == UInt8(ascii: "'"), i + 1 < lineEnd, bytes[i + 1] == q {
            i += 2
            continue
          }
          quote = nil
        }
        i += 1
        continue
      }
      switch b {
      case UInt8(ascii: "'"), UInt8(ascii: "\""):
        quote = b
      case UInt8(ascii: "#") where i > 0 && (bytes[i - 1] == 0x20 || bytes[i - 1] == 0x09):
        // A comment runs to the end of the line.
        while i < lineEnd && bytes[i] != 0x0A { i += 1 }
        continue
      case UInt8(ascii: "["), UInt8(ascii: "{"):
        flowDepth += 1
      case UInt8(ascii: "$") where i + 1 < lineEnd && bytes[i + 1] == UInt8(ascii: "{"):
        let end = closingBrace(in: bytes, openingAt: i + 1, limit: lineEnd)
        if flowDepth > 0 || contextIsFlow, best == nil || i <= mark {
          best = i..<end
        }
        i = end
        continue
      case UInt8(ascii: "]"), UInt8(ascii: "}"):
        flowDepth = max(0, flowDepth - 1)
      default:
        break
      }
      i += 1
    }
    return best
  }

  /// The offset just after the `}` matching the `{` at `open` (or `limit` when unbalanced).
  private static func closingBrace(in bytes: [UInt8], openingAt open: Int, limit: Int) -> Int {
    var depth = 0
    var i = open
    while i < limit {
      if bytes[i] == UInt8(ascii: "{") { depth += 1 }
      if bytes[i] == UInt8(ascii: "}") {
        depth -= 1
        if depth == 0 { return i + 1 }
      }
      i += 1
    }
    return limit
  }

  /// When only whitespace follows `offset`, the offset just after the last non-whitespace byte before it;
  /// `nil` when text follows or nothing precedes.
  static func endOfContent(in bytes: [UInt8], atOrAfter offset: Int) -> Int? {
    let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    guard offset >= 0, bytes[min(offset, bytes.count)...].allSatisfy(isSpace) else { return nil }
    var end = min(offset, bytes.count)
    while end > 0, isSpace(bytes[end - 1]) { end -= 1 }
    return end > 0 && end < offset ? end : nil
  }

  /// The byte offset of a tab in the leading whitespace of 1-based `line`, if there is one.
  static func indentationTab(in lines: SourceLines, line: Int) -> Int? {
    guard line >= 1, line <= lines.count else { return nil }
    var i = lines.starts[line - 1]
    let end = lines.ends[line - 1]
    while i < end, lines.bytes[i] == 0x20 || lines.bytes[i] == 0x09 {
      if lines.bytes[i] == 0x09 { return i }
      i += 1
    }
    return nil
  }
}
