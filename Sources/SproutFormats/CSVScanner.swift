/// One record of a CSV file, with where it is.
struct CSVRecord: Sendable, Hashable {
  /// The fields, unquoted.
  var fields: [String]
  /// The 1-based line where the record starts.
  var line: Int
  /// The byte offset where each field starts.
  var offsets: [Int]
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
  /// The bytes of the field being read (kept between fields to reuse its storage).
  private var scratch: [UInt8] = []

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
      guard try refill() else { return nil }
    }
    return buffer[i + k]
  }

  /// Appends the next chunk to the buffer; false at the end of the input.
  private mutating func refill() throws -> Bool {
    guard let chunks else { return false }
    let more = try chunks.read(chunks.chunkSize)
    if more.isEmpty { return false }
    // Bytes before `i` are consumed (fields are copied out as they are read), so only the rest is kept.
    base += i
    buffer = Array(buffer[i...]) + more
    i = 0
    return true
  }

  private var offset: Int { base + i }

  static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

  /// The next record, or nil at the end of the input.
  mutating func next() throws -> CSVRecord? {
    guard try peek() != nil else { return nil }
    let line = self.line
    var fields: [String] = []
    var starts: [Int] = []
    fields.reserveCapacity(width ?? 4)
    starts.reserveCapacity(width ?? 4)
    var more = true
    while more {
      starts.append(offset)
      fields.append(try field(keep: true, column: fields.count + 1).text ?? "")
      more = try endOfField()
    }
    try checkWidth(fields.count, emptyLine: fields == [""], line: line, start: starts[0])
    return CSVRecord(fields: fields, line: line, offsets: starts)
  }

  /// Field `column` (0-based) of the next record, with the record's line and the field's byte offset, or nil at
  /// the end of the input. The other fields are scanned, not kept, and every record's quoting and width are
  /// checked as ``next()`` checks them.
  mutating func next(only column: Int) throws -> (text: String, line: Int, offset: Int)? {
    guard try peek() != nil else { return nil }
    let line = self.line
    let start = offset
    var kept: (text: String, offset: Int)?
    var count = 0
    var lastLength = 0
    var more = true
    while more {
      let at = offset
      let (text, length) = try field(keep: count == column, column: count + 1)
      if let text { kept = (text, at) }
      lastLength = length
      count += 1
      more = try endOfField()
    }
    try checkWidth(count, emptyLine: count == 1 && lastLength == 0, line: line, start: start)
    guard let kept else {
      throw DataError(
        code: "data.unknown-column", message: "no column \(column) in a record of \(count) fields", row: line,
        byteOffset: start)
    }
    return (kept.text, line, kept.offset)
  }

  /// Every record has as many fields as the first.
  private mutating func checkWidth(_ count: Int, emptyLine: Bool, line: Int, start: Int) throws {
    if let width, count != width {
      let what = emptyLine ? "an empty line" : "a record of \(count) fields"
      throw DataError(
        code: "data.ragged-row", message: "\(what) where every record has \(width) fields", row: line,
        byteOffset: start, suggestion: "quote fields that contain commas, or fix the row")
    }
    width = count
  }

  /// Consumes the delimiter after a field: true after a comma (another field follows), false at a line end or the
  /// end of the input.
  private mutating func endOfField() throws -> Bool {
    if try peek() == Self.comma {
      i += 1
      return true
    }
    if try peek() == Self.cr { i += 1 }
    if try peek() == Self.lf { i += 1 }
    line += 1
    return false
  }

  /// Scans the field at the current position (the 1-based `column` of its record, for errors): its text when
  /// `keep`, and its length in bytes either way.
  private mutating func field(keep: Bool, column: Int) throws -> (text: String?, length: Int) {
    let (quote, comma, lf, cr) = (Self.quote, Self.comma, Self.lf, Self.cr)
    if !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
    var length = 0
    if try peek() == quote {
      let open = offset
      let openLine = line
      i += 1
      while true {
        guard let b = try peek() else {
          throw DataError(
            code: "data.bad-quote", message: "a quoted field is never closed", row: openLine, column: column,
            byteOffset: open, suggestion: "close the field with a double quote")
        }
        if b == quote {
          if try peek(1) == quote {
            scratch.append(quote)
            length += 1
            i += 2
            continue
          }
          i += 1
          break
        }
        if b == lf { line += 1 }
        scratch.append(b)
        length += 1
        i += 1
      }
      if let b = try peek(), b != comma, b != lf, b != cr {
        throw DataError(
          code: "data.bad-quote", message: "text after the closing quote of a field", row: line, column: column,
          byteOffset: offset, suggestion: "double any quote inside a quoted field (\"\")")
      }
    } else {
      // An unquoted field runs to the next delimiter: scan the buffer for it, a chunk at a time.
      while true {
        let end = buffer.count
        var k = i
        while k < end {
          let b = buffer[k]
          if b == comma || b == lf || b == cr || b == quote { break }
          k += 1
        }
        if keep { scratch.append(contentsOf: buffer[i..<k]) }
        length += k - i
        i = k
        if k < end { break }
        guard try refill() else { break }
      }
      if i < buffer.count, buffer[i] == quote {
        throw DataError(
          code: "data.bad-quote", message: "a double quote inside an unquoted field", row: line, column: column,
          byteOffset: offset, suggestion: "quote the whole field and double the quote")
      }
    }
    return (keep ? String(decoding: scratch, as: UTF8.self) : nil, length)
  }
}
