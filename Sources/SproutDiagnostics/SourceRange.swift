import Foundation
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
///
/// A range is plain data (the file is an interned ``SourceFileID``), so the millions of copies the front end
/// makes of node and argument ranges cost no reference counting.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
  /// The file, interned.
  public var fileID: SourceFileID
  /// First position covered.
  public var start: SourceLocation
  /// First position after the range.
  public var end: SourceLocation

  /// The file name as the user gave it (a path, or a label such as `<command line>`).
  public var file: String {
    get { fileID.name }
    set { fileID = SourceFileID(newValue) }
  }

  /// Creates a range.
  public init(file: String, start: SourceLocation, end: SourceLocation) {
    self.init(fileID: SourceFileID(file), start: start, end: end)
  }

  /// Creates a range in an interned file.
  public init(fileID: SourceFileID, start: SourceLocation, end: SourceLocation) {
    self.fileID = fileID
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
      fileID: fileID,
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

/// A file name interned for the life of the process: equal names get equal ids, and `name` gives the text back.
/// The table only grows; a process sees a handful of file names (specs, `<command line>`, `<stdin>`).
public struct SourceFileID: Hashable, Sendable {
  private let index: UInt32

  /// The id of `name`, interning it on first use.
  public init(_ name: String) { index = SourceFileTable.shared.intern(name) }

  /// The file name.
  public var name: String { SourceFileTable.shared.name(index) }
}

/// The process-wide table behind ``SourceFileID``.
private final class SourceFileTable: @unchecked Sendable {
  // @unchecked Sendable: `names` and `indices` are read and written under `lock`.
  static let shared = SourceFileTable()
  private let lock = NSLock()
  private var names: [String] = []
  private var indices: [String: UInt32] = [:]

  func intern(_ name: String) -> UInt32 {
    lock.withLock {
      if let i = indices[name] { return i }
      let i = UInt32(names.count)
      names.append(name)
      indices[name] = i
      return i
    }
  }

  func name(_ index: UInt32) -> String { lock.withLock { names[Int(index)] } }
}
