import Foundation

/// Netpbm grey and colour images: P2 (ASCII PGM), P3 (ASCII PPM), P5 (binary PGM), P6 (binary PPM), maxval up to
/// 65535 (two big-endian bytes per sample above 255), `#` comments in the header (netpbm's pgm(5), ppm(5)).
public enum PNMReader {
  /// Reads and parses `file`; errors name the file.
  ///
  /// The header is read and checked first (against the file's size and `budget`), so a file claiming a huge image
  /// is refused before the file or its pixels are held in memory.
  public static func read(file: String, budget: MemoryBudget = .default) throws -> PixelImage {
    _ = try header(file: file, budget: budget)
    let bytes = try FileChunks.contents(of: file)
    do { return try parse(bytes, budget: budget) } catch let e as DataError { throw e.inFile(file) }
  }

  /// Parses the bytes of a PNM file; the raster the header announces must be there and fit `budget` before the
  /// pixels are allocated.
  public static func parse(_ bytes: [UInt8], budget: MemoryBudget = .default) throws -> PixelImage {
    let header = try PNMHeader(prefix: bytes)
    let (width, height, maxval, channels) = (header.width, header.height, header.maxval, header.channels)
    let count = header.count
    try header.checkRasterLength(bytes.count - header.rasterOffset)
    try header.checkBudget(budget, fileBytes: bytes.count)
    var values = [Float](repeating: 0, count: count)
    if header.ascii {
      var reader = TokenReader(bytes: bytes, offset: header.rasterOffset)
      for i in 0..<count {
        let start = reader.offset
        guard let v = try reader.optionalInteger(field: "pixel") else {
          throw DataError.truncated("pixel data", at: reader.offset, expected: count, got: i)
        }
        guard v <= maxval else { throw outOfRange(v, maxval, i, width, channels, start) }
        values[i] = Float(v) / Float(maxval)
      }
      reader.skipSpaceAndComments()
      if reader.offset < bytes.count {
        throw DataError(
          code: "data.trailing-data", message: "extra data after the \(count) samples of a \(width)×\(height) image",
          byteOffset: reader.offset)
      }
    } else {
      let start = header.rasterOffset
      let size = header.sampleSize
      for i in 0..<count {
        let at = start + i * size
        let v = size == 1 ? Int(bytes[at]) : Int(bytes[at]) << 8 | Int(bytes[at + 1])
        guard v <= maxval else { throw outOfRange(v, maxval, i, width, channels, at) }
        values[i] = Float(v) / Float(maxval)
      }
    }
    return PixelImage(width: width, height: height, channels: channels, values: values)
  }

  /// The header of `file`, reading only as much of the file as the header takes; for a binary image the file's
  /// size must be exactly the header plus the raster it announces, for a plain one at least two bytes per sample,
  /// and the image must fit `budget`. Errors name the file.
  public static func header(file: String, budget: MemoryBudget = .default) throws -> PNMHeader {
    let chunks = try FileChunks(path: file)
    do {
      var bytes = try chunks.read(1 << 16)
      let header: PNMHeader
      do {
        header = try PNMHeader(prefix: bytes)
      } catch is DataError where chunks.offset < chunks.size {
        // A header with long comments: read the rest before judging it.
        bytes += try chunks.readToEnd()
        header = try PNMHeader(prefix: bytes)
      }
      try header.checkRasterLength(chunks.size - header.rasterOffset)
      try header.checkBudget(budget, fileBytes: chunks.size)
      return header
    } catch let e as DataError {
      throw e.inFile(file)
    }
  }

  static func outOfRange(_ v: Int, _ maxval: Int, _ i: Int, _ width: Int, _ channels: Int, _ offset: Int) -> DataError {
    DataError(
      code: "data.out-of-range", message: "sample value \(v) exceeds maxval \(maxval)",
      row: i / channels / width + 1, column: i / channels % width + 1, byteOffset: offset)
  }

  static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

  /// Whitespace-separated decimal tokens with `#` comments running to the end of the line.
  struct TokenReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func skipSpaceAndComments() {
      while offset < bytes.count {
        if isSpace(bytes[offset]) {
          offset += 1
        } else if bytes[offset] == UInt8(ascii: "#") {
          while offset < bytes.count && bytes[offset] != 0x0A && bytes[offset] != 0x0D { offset += 1 }
        } else {
          return
        }
      }
    }

    mutating func optionalInteger(field: String) throws -> Int? {
      skipSpaceAndComments()
      guard offset < bytes.count else { return nil }
      let start = offset
      var v = 0
      while offset < bytes.count, !isSpace(bytes[offset]), bytes[offset] != UInt8(ascii: "#") {
        let b = bytes[offset]
        guard b >= 0x30 && b <= 0x39, v < 1 << 40 else {
          let token =
            String(decoding: bytes[start..<min(bytes.count, start + 12)], as: UTF8.self)
            .split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
          throw DataError(
            code: "data.not-a-number", message: "'\(token)' is not a non-negative integer", byteOffset: start,
            field: field)
        }
        v = v * 10 + Int(b - 0x30)
        offset += 1
      }
      return v
    }

    mutating func integer(field: String) throws -> Int {
      guard let v = try optionalInteger(field: field) else {
        throw DataError(
          code: "data.truncated", message: "the header ends before its \(field)", byteOffset: offset, field: field)
      }
      return v
    }
  }
}

/// The header of a Netpbm image: its kind, size, maxval and where its samples start.
public struct PNMHeader: Sendable, Hashable {
  /// Columns.
  public var width: Int
  /// Rows.
  public var height: Int
  /// The largest sample value.
  public var maxval: Int
  /// 1 (PGM, grey) or 3 (PPM, RGB).
  public var channels: Int
  /// True for the plain formats P2 and P3, whose samples are decimal text.
  public var ascii: Bool
  /// Where the samples start: the byte after the single whitespace that ends a binary header, or the end of an
  /// ASCII header's maxval.
  public var rasterOffset: Int

  /// Samples in the image.
  public var count: Int { width * height * channels }
  /// Bytes per binary sample (two, big-endian, above maxval 255).
  public var sampleSize: Int { maxval > 255 ? 2 : 1 }

  /// Parses the header at the start of `bytes` (all of it must be there).
  init(prefix bytes: [UInt8]) throws {
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
      let kind = [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].firstIndex(of: bytes[1])
    else {
      let got = bytes.prefix(2).map { IDXHeader.hex($0) }.joined(separator: " ")
      throw DataError(
        code: "data.bad-magic", message: "not a PGM/PPM file: magic bytes are \(got), expected P2, P3, P5 or P6",
        byteOffset: 0, suggestion: "convert the image to PGM or PPM (e.g. `convert in.png out.ppm`)")
    }
    ascii = kind < 2
    channels = kind % 2 == 0 ? 1 : 3
    var reader = PNMReader.TokenReader(bytes: bytes, offset: 2)
    width = try reader.integer(field: "width")
    height = try reader.integer(field: "height")
    maxval = try reader.integer(field: "maxval")
    guard width >= 1, height >= 1 else {
      throw DataError(code: "data.bad-header", message: "image size \(width)×\(height) is empty", field: "width")
    }
    guard (1...65535).contains(maxval) else {
      throw DataError(code: "data.bad-header", message: "maxval \(maxval) is not in 1…65535", field: "maxval")
    }
    guard NPYHeader.fitsInMemory([width, height, channels]) else {
      throw DataError(
        code: "data.bad-header", message: "image size \(width)×\(height) is too large", field: "width")
    }
    if ascii {
      rasterOffset = reader.offset
    } else {
      // Exactly one whitespace byte separates maxval from the raster.
      guard reader.offset < bytes.count, PNMReader.isSpace(bytes[reader.offset]) else {
        throw DataError.truncated("header", at: reader.offset, expected: 1, got: 0)
      }
      rasterOffset = reader.offset + 1
    }
  }

  /// Checks that the file (`fileBytes`) and its samples as 32-bit floats fit `budget`.
  func checkBudget(_ budget: MemoryBudget, fileBytes: Int) throws {
    try budget.check(fileBytes: fileBytes, values: count, what: "a \(width)×\(height) image")
  }

  /// Checks that `available` bytes after the header can hold the raster: exactly its bytes for a binary image;
  /// for a plain one at least a separator and a digit per sample (the samples themselves are checked as read).
  func checkRasterLength(_ available: Int) throws {
    if ascii {
      // `count` passed `fitsInMemory` (count · 8 fits an Int), so doubling it cannot overflow.
      guard available >= 2 * count else {
        throw DataError(
          code: "data.truncated",
          message: "the \(count) samples of a \(width)×\(height) plain image need at least \(2 * count) bytes, "
            + "found \(available)",
          byteOffset: rasterOffset, suggestion: "the header's size does not match the pixels that follow it")
      }
      return
    }
    let needed = count * sampleSize
    guard available >= needed else {
      throw DataError.truncated("pixel data", at: rasterOffset, expected: needed, got: available)
    }
    guard available == needed else {
      throw DataError(
        code: "data.trailing-data",
        message: "\(available - needed) bytes after the raster of a \(width)×\(height) image",
        byteOffset: rasterOffset + needed)
    }
  }
}
