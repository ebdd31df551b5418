import Foundation

/// A CSV file split into records per RFC 4180: comma-separated fields, fields in double quotes may contain commas,
/// line breaks and doubled quotes (`""`); LF or CRLF line ends; a UTF-8 byte-order mark is skipped.
public struct CSVTable: Sendable, Hashable {
  /// The header's field names, when the file has a header.
  public var header: [String]?
  /// The data records.
  public var rows: [[String]]
  /// 1-based line where each data record starts.
  public var lines: [Int]
  /// Byte offset where each field of each data record starts.
  public var offsets: [[Int]]
}

/// How a CSV file becomes a dataset.
public struct CSVOptions: Sendable, Hashable {
  /// Whether the first record is a header. Without one, columns are named by their 0-based index ("0", "1", ...);
  /// with one, a column is selected by its name or, when no header field has that name, by its 0-based index.
  public var header: Bool
  /// Feature columns; nil for every column that is not the label or a target.
  public var columns: [String]?
  /// A class-label column: non-negative integers are class indices, anything else names classes (sorted).
  public var label: String?
  /// Regression target columns (when there is no label).
  public var targets: [String]

  /// Creates options.
  public init(header: Bool = true, columns: [String]? = nil, label: String? = nil, targets: [String] = []) {
    self.header = header
    self.columns = columns
    self.label = label
    self.targets = targets
  }
}

/// Reads CSV files into tables and datasets.
public enum CSVReader {
  /// Reads `file` as a dataset; errors name the file, row, column, field and byte offset.
  public static func read(file: String, options: CSVOptions) throws -> Dataset {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw DataError.io(file, error) }
    do {
      return try dataset(try table([UInt8](data), header: options.header), options: options)
    } catch let e as DataError {
      throw e.inFile(file)
    }
  }

  /// Splits bytes into records; every record must have as many fields as the first.
  public static func table(_ bytes: [UInt8], header: Bool) throws -> CSVTable {
    var records: [[String]] = []
    var lines: [Int] = []
    var offsets: [[Int]] = []
    var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var line = 1
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    while i < bytes.count {
      var fields: [String] = []
      var starts: [Int] = []
      let recordLine = line
      while true {
        starts.append(i)
        var field: [UInt8] = []
        if i < bytes.count, bytes[i] == quote {
          let open = i
          let openLine = line
          i += 1
          while true {
            guard i < bytes.count else {
              throw DataError(
                code: "data.bad-quote", message: "a quoted field is never closed", row: openLine,
                column: fields.count + 1, byteOffset: open, suggestion: "close the field with a double quote")
            }
            if bytes[i] == quote {
              if i + 1 < bytes.count, bytes[i + 1] == quote {
                field.append(quote)
                i += 2
                continue
              }
              i += 1
              break
            }
            if bytes[i] == lf { line += 1 }
            field.append(bytes[i])
            i += 1
          }
          guard i == bytes.count || bytes[i] == comma || bytes[i] == lf || bytes[i] == cr else {
            throw DataError(
              code: "data.bad-quote", message: "text after the closing quote of a field", row: line,
              column: fields.count + 1, byteOffset: i, suggestion: "double any quote inside a quoted field (\"\")")
          }
        } else {
          while i < bytes.count, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr {
            if bytes[i] == quote {
              throw DataError(
                code: "data.bad-quote", message: "a double quote inside an unquoted field", row: line,
                column: fields.count + 1, byteOffset: i, suggestion: "quote the whole field and double the quote")
            }
            field.append(bytes[i])
            i += 1
          }
        }
        fields.append(String(decoding: field, as: UTF8.self))
        if i < bytes.count, bytes[i] == comma {
          i += 1
          continue
        }
        if i < bytes.count, bytes[i] == cr { i += 1 }
        if i < bytes.count, bytes[i] == lf { i += 1 }
        line += 1
        break
      }
      if let width = records.first?.count, fields.count != width {
        let what = fields == [""] ? "an empty line" : "a record of \(fields.count) fields"
        throw DataError(
          code: "data.ragged-row", message: "\(what) where every record has \(width) fields", row: recordLine,
          byteOffset: starts[0], suggestion: "quote fields that contain commas, or fix the row")
      }
      records.append(fields)
      lines.append(recordLine)
      offsets.append(starts)
    }
    guard !records.isEmpty else { throw DataError(code: "data.empty", message: "the CSV file has no records") }
    if header {
      return CSVTable(
        header: records[0], rows: Array(records.dropFirst()), lines: Array(lines.dropFirst()),
        offsets: Array(offsets.dropFirst()))
    }
    return CSVTable(header: nil, rows: records, lines: lines, offsets: offsets)
  }

  /// Turns a table into a dataset: selected feature columns, then a label column or regression target columns.
  public static func dataset(_ table: CSVTable, options: CSVOptions) throws -> Dataset {
    let names = table.header ?? (0..<(table.rows.first?.count ?? 0)).map(String.init)
    func column(_ name: String) throws -> Int {
      if let j = names.firstIndex(of: name) { return j }
      // Not a header name: a 0-based column index also selects (the spec's `target: 3`).
      if let j = Int(name), names.indices.contains(j) { return j }
      throw DataError(
        code: "data.unknown-column", message: "no column '\(name)' (columns: \(names.joined(separator: ", ")))",
        field: name)
    }
    guard !table.rows.isEmpty else { throw DataError(code: "data.empty", message: "the CSV file has no data rows") }
    let labelColumn = try options.label.map(column)
    let targetColumns = try options.targets.map(column)
    guard labelColumn == nil || targetColumns.isEmpty else {
      throw DataError(code: "data.bad-argument", message: "give a label column or target columns, not both")
    }
    let featureColumns =
      try options.columns.map { try $0.map(column) }
      ?? names.indices.filter { $0 != labelColumn && !targetColumns.contains($0) }
    guard !featureColumns.isEmpty else {
      throw DataError(code: "data.bad-argument", message: "no feature columns are left")
    }
    func number(_ r: Int, _ j: Int) throws -> Float {
      let cell = table.rows[r][j].trimmingCharacters(in: .whitespaces)
      let place = {
        DataError(
          code: "", message: "", row: table.lines[r], column: j + 1, byteOffset: table.offsets[r][j],
          field: names[j])
      }
      guard let v = Double(cell), !cell.lowercased().hasPrefix("0x") else {
        var e = place()
        e.code =
          ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "-infinity"].contains(cell.lowercased())
          ? "data.not-finite" : "data.not-a-number"
        e.message = cell.isEmpty ? "empty cell" : "'\(cell)' is not a finite number"
        e.suggestion = "fill or remove the cell, or exclude the column (columns:)"
        throw e
      }
      return try ExactFloat.double(v, place: place)
    }
    let n = table.rows.count
    var features = [Float](repeating: 0, count: n * featureColumns.count)
    for r in 0..<n {
      for (k, j) in featureColumns.enumerated() { features[r * featureColumns.count + k] = try number(r, j) }
    }
    if let lc = labelColumn {
      let cells = table.rows.map { $0[lc].trimmingCharacters(in: .whitespaces) }
      if cells.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) {
        let labels = try (0..<n).map { try number($0, lc) }
        return try Dataset(
          features: features, targets: labels, count: n, featureCount: featureColumns.count,
          target: .classes(count: Int(labels.max() ?? 0) + 1))
      }
      let classes = Array(Set(cells)).sorted()
      let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Float($0)) })
      return try Dataset(
        features: features, targets: cells.map { index[$0, default: 0] }, count: n, featureCount: featureColumns.count,
        target: .classes(count: classes.count), classNames: classes)
    }
    guard !targetColumns.isEmpty else {
      throw DataError(
        code: "data.bad-argument", message: "the CSV dataset needs a label column or target columns",
        suggestion: "add `label: COLUMN` or `targets: [COLUMN, ...]`")
    }
    var targets = [Float](repeating: 0, count: n * targetColumns.count)
    for r in 0..<n {
      for (k, j) in targetColumns.enumerated() { targets[r * targetColumns.count + k] = try number(r, j) }
    }
    return try Dataset(
      features: features, targets: targets, count: n, featureCount: featureColumns.count,
      target: .regression(width: targetColumns.count))
  }
}
