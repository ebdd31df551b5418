/// One record of a CSV file, with where it is.
public struct CSVRecord: Sendable, Hashable {
  /// The fields, unquoted.
  public var fields: [String]
  /// The 1-based line where the record starts.
  public var line: Int
  /// The byte offset where each field starts.
  public var offsets: [Int]
}

/// Splits CSV bytes into records, one at a time, per RFC 4180: comma-separated fields; fields in double quotes may
/// contain commas, line breaks and doubled quotes (`""`); LF or CRLF line ends; a UTF-8 byte-order mark is
/// skipped; every record must have as many fields as the first.
///
/// The bytes come from memory or from a file read in bounded chunks: the trainer reads a whole table, lint scans
/// a large file for its label column holding one chunk at a time, and both split it with this one scanner.
struct CSVScanner {
  private var buffer: [UInt8]
  /// The position in `buffer`.
  private var i = 0
  /// The file offset of `buffer[0]`.
  private var base = 0
  private let chunks: FileChunks?
  private var line = 1
  private var width: Int?

  /// A scanner over bytes in memory.
  init(bytes: [UInt8]) {
    buffer = bytes
    chunks = nil
    skipByteOrderMark()
  }

  /// A scanner over a file, read a chunk at a time.
  init(chunks: FileChunks) throws {
    self.chunks = chunks
    buffer = try chunks.read(chunks.chunkSize)
    _ = try peek(2)  // the mark's three bytes, however small the chunks
    skipByteOrderMark()
  }

  private mutating func skipByteOrderMark() {
    if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
  }

  /// The byte `k` places ahead, reading the next chunk when the buffer ends; nil at the end of the input.
  private mutating func peek(_ k: Int = 0) throws -> UInt8? {
    while i + k >= buffer.count {
      guard let chunks else { return nil }
      let more = try chunks.read(chunks.chunkSize)
      if more.isEmpty { return nil }
      // Bytes before `i` are consumed (fields are copied out as they are read), so only the rest is kept.
      base += i
      buffer = Array(buffer[i...]) + more
      i = 0
    }
    return buffer[i + k]
  }

  private var offset: Int { base + i }

  /// The next record, or nil at the end of the input.
  mutating func next() throws -> CSVRecord? {
    guard try peek() != nil else { return nil }
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
    var fields: [String] = []
    var starts: [Int] = []
    let recordLine = line
    while true {
      starts.append(offset)
      var field: [UInt8] = []
      if try peek() == quote {
        let open = offset
        let openLine = line
        i += 1
        while true {
          guard let b = try peek() else {
            throw DataError(
              code: "data.bad-quote", message: "a quoted field is never closed", row: openLine,
              column: fields.count + 1, byteOffset: open, suggestion: "close the field with a double quote")
          }
          if b == quote {
            if try peek(1) == quote {
              field.append(quote)
              i += 2
              continue
            }
            i += 1
            break
          }
          if b == lf { line += 1 }
          field.append(b)
          i += 1
        }
        if let b = try peek(), b != comma, b != lf, b != cr {
          throw DataError(
            code: "data.bad-quote", message: "text after the closing quote of a field", row: line,
            column: fields.count + 1, byteOffset: offset, suggestion: "double any quote inside a quoted field (\"\")")
        }
      } else {
        while let b = try peek(), b != comma, b != lf, b != cr {
          if b == quote {
            throw DataError(
              code: "data.bad-quote", message: "a double quote inside an unquoted field", row: line,
              column: fields.count + 1, byteOffset: offset, suggestion: "quote the whole field and double the quote")
          }
          field.append(b)
          i += 1
        }
      }
      fields.append(String(decoding: field, as: UTF8.self))
      if try peek() == comma {
        i += 1
        continue
      }
      if try peek() == cr { i += 1 }
      if try peek() == lf { i += 1 }
      line += 1
      break
    }
    if let width, fields.count != width {
      let what = fields == [""] ? "an empty line" : "a record of \(fields.count) fields"
      throw DataError(
        code: "data.ragged-row", message: "\(what) where every record has \(width) fields", row: recordLine,
        byteOffset: starts[0], suggestion: "quote fields that contain commas, or fix the row")
    }
    width = fields.count
    return CSVRecord(fields: fields, line: recordLine, offsets: starts)
  }
}
