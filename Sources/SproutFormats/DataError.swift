import Foundation

/// Why a data file or generator could not produce a dataset, naming the file and the place.
///
/// The same values come from lint (which reads headers and label columns) and from the trainer (which reads
/// everything), so a bad file is reported with the same code and place by both. Every reader reports the first
/// problem it meets — truncated data, a wrong magic number, a ragged CSV row, a non-numeric cell, NaN or
/// infinity, a shape that does not fit — instead of dropping or coercing values.
public struct DataError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Stable code, e.g. `data.truncated`, `data.bad-magic`, `data.ragged-row`, `data.not-a-number`.
  public var code: String
  /// What went wrong.
  public var message: String
  /// The file, when the data came from one.
  public var file: String?
  /// 1-based row (CSV line of the record, or the array's leading index + 1).
  public var row: Int?
  /// 1-based column.
  public var column: Int?
  /// Byte offset into the file where the problem starts.
  public var byteOffset: Int?
  /// The header field (CSV column name, NPY header key) concerned.
  public var field: String?
  /// What to do about it.
  public var suggestion: String?

  /// Creates an error.
  public init(
    code: String, message: String, file: String? = nil, row: Int? = nil, column: Int? = nil, byteOffset: Int? = nil,
    field: String? = nil, suggestion: String? = nil
  ) {
    self.code = code
    self.message = message
    self.file = file
    self.row = row
    self.column = column
    self.byteOffset = byteOffset
    self.field = field
    self.suggestion = suggestion
  }

  /// `row 3, column 2, field 'b', byte 14`: where in the file, or nil when the error has no place.
  public var place: String? {
    var parts: [String] = []
    if let row { parts.append("row \(row)") }
    if let column { parts.append("column \(column)") }
    if let field { parts.append("field '\(field)'") }
    if let byteOffset { parts.append("byte \(byteOffset)") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  /// `file (row 3, column 2, field 'f', byte N): message [code]; suggestion`.
  public var description: String {
    var text = file ?? "<data>"
    if let place { text += " (\(place))" }
    text += ": \(message) [\(code)]"
    if let suggestion { text += "; \(suggestion)" }
    return text
  }

  /// A copy that names `file` (loaders parse bytes, then the file-reading entry point adds the name).
  func inFile(_ file: String) -> DataError {
    var copy = self
    copy.file = file
    return copy
  }

  static func truncated(_ what: String, at offset: Int, expected: Int, got: Int) -> DataError {
    DataError(
      code: "data.truncated", message: "\(what) is truncated: expected \(expected) bytes, found \(got)",
      byteOffset: offset, suggestion: "the file was cut short; re-export or re-download it")
  }

  static func notFinite(_ value: Float, row: Int?, column: Int?, offset: Int?, field: String? = nil) -> DataError {
    DataError(
      code: "data.not-finite", message: "value \(value) is not finite", row: row, column: column, byteOffset: offset,
      field: field, suggestion: "remove or impute NaN/infinite values before loading")
  }

  static func io(_ file: String, _ error: Error) -> DataError {
    DataError(code: "data.unreadable", message: "cannot read the file: \(error.localizedDescription)", file: file)
  }
}
