import Foundation

/// A CSV file split into records (see ``CSVScanner`` for the dialect).
public struct CSVTable: Sendable, Hashable {
  /// The header's field names, when the file has a header.
  public var header: [String]?
  /// The data records.
  public var rows: [[String]]
  /// 1-based line where each data record starts.
  public var lines: [Int]
  /// Byte offset where each field of each data record starts.
  public var offsets: [[Int]]

  /// The column names: the header's (without surrounding spaces), or "0", "1", ... without a header.
  public var names: [String] { CSVReader.names(header: header, width: rows.first?.count ?? 0) }
}

/// How a CSV file's columns become features and targets.
public struct CSVOptions: Sendable, Hashable {
  /// Whether the first record is a header. Without one, columns are named by their 0-based index ("0", "1", ...);
  /// with one, a column is selected by its name or, when no header field has that name, by its 0-based index.
  public var header: Bool
  /// Feature columns; nil for every column that is not the label or a target.
  public var columns: [String]?
  /// A class-label column, read by ``CSVLabelColumn``.
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

/// The numbers of a CSV file: feature rows and their targets.
public struct CSVData: Sendable, Hashable {
  /// The targets.
  public enum Targets: Sendable, Hashable {
    /// One class index per row; `names` by class index when the labels were text.
    case classes(labels: [Float], count: Int, names: [String]?)
    /// `width` real values per row, row-major.
    case values([Float], width: Int)
  }

  /// Rows.
  public var count: Int
  /// Features per row.
  public var featureCount: Int
  /// Features, `count × featureCount` row-major.
  public var features: [Float]
  /// The targets.
  public var targets: Targets
}

/// What lint reads from a CSV file: its column names and what its label column holds.
public struct CSVSummary: Sendable, Hashable {
  /// The column names (see ``CSVTable/names``).
  public var columns: [String]
  /// The label column's classes, or why they cannot be read (`data.unknown-column` when no column is that label;
  /// a bad record further on).
  public var label: Result<FileTargets, DataError>
}

/// Reads CSV files into tables and numbers.
public enum CSVReader {
  /// Reads `file` as features and targets; errors name the file, row, column, field and byte offset.
  ///
  /// The file must fit `budget` before it is read: its bytes, plus a number for every two of them (the most a
  /// comma-separated file can hold).
  public static func read(file: String, options: CSVOptions, budget: MemoryBudget = .default) throws -> CSVData {
    let size = try FileChunks(path: file).size
    do {
      try budget.check(fileBytes: size, values: size / 2, what: "a CSV file of \(MemoryBudget.describe(size))")
    } catch let e as DataError {
      throw e.inFile(file)
    }
    let bytes = try FileChunks.contents(of: file)
    do {
      return try data(try table(bytes, header: options.header), options: options)
    } catch let e as DataError {
      throw e.inFile(file)
    }
  }

  /// Splits bytes into records; every record must have as many fields as the first.
  public static func table(_ bytes: [UInt8], header: Bool) throws -> CSVTable {
    var scanner = CSVScanner(bytes: bytes)
    var records: [CSVRecord] = []
    while let record = try scanner.next() { records.append(record) }
    guard !records.isEmpty else { throw DataError(code: "data.empty", message: "the CSV file has no records") }
    let data = header ? records.dropFirst() : records[...]
    return CSVTable(
      header: header ? records[0].fields : nil, rows: data.map(\.fields), lines: data.map(\.line),
      offsets: data.map(\.offsets))
  }

  /// Column names: the header's without surrounding spaces, or the 0-based indices of `width` columns.
  static func names(header: [String]?, width: Int) -> [String] {
    header?.map { $0.trimmingCharacters(in: .whitespaces) } ?? (0..<width).map(String.init)
  }

  /// The index of the column `name` selects: a column of that name or, when none has it, a 0-based index.
  public static func column(_ name: String, in names: [String]) throws -> Int {
    if let j = names.firstIndex(of: name) { return j }
    // Not a header name: a 0-based column index also selects (the spec's `target: 3`).
    if let j = Int(name), names.indices.contains(j) { return j }
    throw DataError(
      code: "data.unknown-column", message: "no column '\(name)' (columns: \(names.joined(separator: ", ")))",
      field: name)
  }

  /// Turns a table into numbers: the selected feature columns, then a label column or regression target columns.
  public static func data(_ table: CSVTable, options: CSVOptions) throws -> CSVData {
    let names = table.names
    func column(_ name: String) throws -> Int { try Self.column(name, in: names) }
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
    func place(_ r: Int, _ j: Int) -> DataError {
      DataError(
        code: "", message: "", row: table.lines[r], column: j + 1, byteOffset: table.offsets[r][j], field: names[j])
    }
    func numbers(_ columns: [Int]) throws -> [Float] {
      var values = [Float](repeating: 0, count: table.rows.count * columns.count)
      for r in table.rows.indices {
        for (k, j) in columns.enumerated() {
          values[r * columns.count + k] = try number(table.rows[r][j], place: { place(r, j) })
        }
      }
      return values
    }
    let features = try numbers(featureColumns)
    let n = table.rows.count
    if let lc = labelColumn {
      var labels = CSVLabelColumn(keepingCells: true)
      for r in 0..<n { labels.add(table.rows[r][lc], row: table.lines[r], place: { place(r, lc) }) }
      let (values, count, classNames) = try labels.labels()
      return CSVData(
        count: n, featureCount: featureColumns.count, features: features,
        targets: .classes(labels: values, count: count, names: classNames))
    }
    guard !targetColumns.isEmpty else {
      throw DataError(
        code: "data.bad-argument", message: "the CSV dataset needs a label column or target columns",
        suggestion: "add `label: COLUMN` or `targets: [COLUMN, ...]`")
    }
    return CSVData(
      count: n, featureCount: featureColumns.count, features: features,
      targets: .values(try numbers(targetColumns), width: targetColumns.count))
  }

  /// A cell as a finite Float32 (surrounding spaces ignored); `place` says where it is.
  static func number(_ raw: String, place: () -> DataError) throws -> Float {
    let cell = CSVLabelColumn.trimmed(raw)
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

  /// The column names of `file` and what its `label` column holds, reading the file once in bounded chunks
  /// (lint's view of a CSV dataset). Errors in the header name the file; so do those in `label`.
  public static func summary(file: String, header: Bool, label: String) throws -> CSVSummary {
    try summary(file: file, header: header, label: label, chunkSize: FileChunks.defaultChunkSize)
  }

  static func summary(file: String, header: Bool, label: String, chunkSize: Int) throws -> CSVSummary {
    let chunks = try FileChunks(path: file, chunkSize: chunkSize)
    var scanner: CSVScanner
    let first: CSVRecord
    do {
      scanner = try CSVScanner(chunks: chunks)
      guard let record = try scanner.next() else {
        throw DataError(code: "data.empty", message: "the CSV file has no records")
      }
      first = record
    } catch let e as DataError {
      throw e.inFile(file)
    }
    let names = names(header: header ? first.fields : nil, width: first.fields.count)
    let result: Result<FileTargets, DataError>
    do {
      let j = try column(label, in: names)
      var column = CSVLabelColumn(keepingCells: false)
      var rows = 0
      func add(_ cell: String, line: Int, offset: Int) {
        rows += 1
        column.add(cell, row: line) {
          DataError(code: "", message: "", row: line, column: j + 1, byteOffset: offset, field: names[j])
        }
      }
      if !header { add(first.fields[j], line: first.line, offset: first.offsets[j]) }
      while let (cell, line, offset) = try scanner.next(only: j) { add(cell, line: line, offset: offset) }
      guard rows > 0 else { throw DataError(code: "data.empty", message: "the CSV file has no data rows") }
      result = .success(.classes(count: try column.classCount()))
    } catch let e as DataError {
      result = .failure(e.inFile(file))
    }
    return CSVSummary(columns: names, label: result)
  }
}
