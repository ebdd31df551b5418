/// A 1-based position in a source file.
///
/// `column` counts Unicode scalars from the start of the line (as libyaml's marks do), plus one.
/// `offset` is the 0-based byte offset, kept so renderers can cut the exact source text.
public struct SourceLocation: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// 1-based line number.
  public var line: Int
  /// 1-based column number.
  public var column: Int
  /// 0-based byte offset into the file (`-1` when unknown).
  public var offset: Int

  /// Creates a location from 1-based line and column.
  public init(line: Int, column: Int, offset: Int = -1) {
    self.line = line
    self.column = column
    self.offset = offset
  }

  /// Orders by line, then column.
  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }

  /// `line:column`.
  public var description: String { "\(line):\(column)" }
}

/// A half-open range `[start, end)` of text in one file.
///
/// `end` is the position just after the last character, so a one-character token at 3:5 has
/// `end` 3:6. Renderers underline `start ..< end` (at least one column).
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
  /// The file name as the user gave it (a path, or a label such as `<command line>`).
  public var file: String
  /// First position covered.
  public var start: SourceLocation
  /// First position after the range.
  public var end: SourceLocation

  /// Creates a range.
  public init(file: String, start: SourceLocation, end: SourceLocation) {
    self.file = file
    self.start = start
    self.end = end
  }

  /// A zero-width range at one location.
  public init(file: String, at location: SourceLocation) {
    self.init(file: file, start: location, end: location)
  }

  /// The range at line 1, column 1 of `file`, for problems about a whole file.
  public static func wholeFile(_ file: String) -> SourceRange {
    SourceRange(file: file, at: SourceLocation(line: 1, column: 1, offset: 0))
  }

  /// A sub-range that starts `startColumn` columns and ends `endColumn` columns after this range's start,
  /// on the same line. Used to point inside a scalar, e.g. at a sub-expression of `${...}`.
  public func columns(_ startColumn: Int, _ endColumn: Int) -> SourceRange {
    SourceRange(
      file: file,
      start: SourceLocation(
        line: start.line, column: start.column + startColumn,
        offset: start.offset < 0 ? -1 : start.offset + startColumn),
      end: SourceLocation(
        line: start.line, column: start.column + endColumn,
        offset: start.offset < 0 ? -1 : start.offset + endColumn))
  }

  /// `file:line:column`.
  public var description: String { "\(file):\(start.line):\(start.column)" }
}
