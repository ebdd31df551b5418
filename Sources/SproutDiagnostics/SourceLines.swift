/// The lines of a source text, split the way libyaml counts them, with positions convertible both ways.
///
/// libyaml (and so every `SourceLocation` the Syntax phase makes) breaks lines at `\n`, `\r\n`, `\r`,
/// NEL (U+0085), LS (U+2028) and PS (U+2029), and counts columns in Unicode scalars. The renderer uses the
/// same rules to find the excerpt for a location, so a caret always lands under the character it means.
///
/// ```
///  bytes:  a : ␠ é \n b
///  offset: 0 1 2 3 5  6      line 1 = bytes 0..<5 (content), break 5..<6; line 2 starts at 6
/// ```
public struct SourceLines: Sendable {
  /// The UTF-8 bytes of the source.
  public let bytes: [UInt8]
  /// Byte offset where each line starts (line `i + 1` starts at `starts[i]`).
  public let starts: [Int]
  /// Byte offset where each line's content ends (before its line break).
  public let ends: [Int]

  /// Splits `text` into lines.
  public init(_ text: String) { self.init(bytes: Array(text.utf8)) }

  /// Splits UTF-8 `bytes` into lines (invalid sequences are kept as they are).
  public init(bytes: [UInt8]) {
    self.bytes = bytes
    var starts = [0]
    var ends: [Int] = []
    bytes.withUnsafeBufferPointer { bytes in
      var i = 0
      let n = bytes.count
      while i < n {
        let b = bytes[i]
        // Fast path: most bytes are neither line breaks nor the lead bytes of NEL, LS and PS.
        if b != 0x0A && b != 0x0D && b != 0xC2 && b != 0xE2 {
          i += 1
          continue
        }
        var breakLength = 0
        if b == 0x0A {
          breakLength = 1
        } else if b == 0x0D {
          breakLength = (i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1
        } else if b == 0xC2, i + 1 < n, bytes[i + 1] == 0x85 {
          breakLength = 2
        } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
          breakLength = 3
        }
        if breakLength > 0 {
          ends.append(i)
          starts.append(i + breakLength)
          i += breakLength
        } else {
          i += 1
        }
      }
      ends.append(n)
    }
    self.starts = starts
    self.ends = ends
  }

  /// Number of lines (a text ending in a line break has an empty last line).
  public var count: Int { starts.count }

  /// The content of 1-based line `line` (without its break), or `nil` when out of range.
  public func text(ofLine line: Int) -> String? {
    guard line >= 1, line <= starts.count else { return nil }
    return String(decoding: bytes[contentStart(line)..<ends[line - 1]], as: UTF8.self)
  }

  /// The byte offset where 1-based `line` starts, clamped to the text (libyaml may report the line after
  /// the last one at the end of the input).
  public func start(ofLine line: Int) -> Int { starts[max(0, min(line, starts.count) - 1)] }

  /// Where the text of 1-based `line` starts: after a UTF-8 byte-order mark on line 1.
  private func contentStart(_ line: Int) -> Int {
    line == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : starts[line - 1]
  }

  /// The 1-based location of byte `offset` (clamped to the text), which should start a character; the
  /// column counts the characters (lead and ASCII bytes) before it on its line.
  public func location(ofByte offset: Int) -> SourceLocation {
    let offset = max(0, min(offset, bytes.count))
    // Binary search for the last line starting at or before `offset`.
    var lo = 0
    var hi = starts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
    }
    var column = 1
    var i = starts[lo]
    // A UTF-8 byte-order mark is not text: libyaml does not count it as a column either.
    if offset >= contentStart(lo + 1) { i = contentStart(lo + 1) }
    while i < offset {
      if bytes[i] & 0xC0 != 0x80 { column += 1 }
      i += 1
    }
    return SourceLocation(line: lo + 1, column: column, offset: offset)
  }

  /// The byte offset of a 1-based line and column (columns past the line's end run on as if padded).
  public func byteOffset(line: Int, column: Int) -> Int {
    guard line >= 1, line <= starts.count else { return bytes.count }
    var i = contentStart(line)
    var remaining = column - 1
    let end = ends[line - 1]
    while remaining > 0 && i < end {
      i += 1
      while i < end && bytes[i] & 0xC0 == 0x80 { i += 1 }
      remaining -= 1
    }
    return i + remaining
  }
}
