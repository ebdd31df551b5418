import Foundation

/// Netpbm grey and colour images: P2 (ASCII PGM), P3 (ASCII PPM), P5 (binary PGM), P6 (binary PPM), maxval up to
/// 65535 (two big-endian bytes per sample above 255), `#` comments in the header (netpbm's pgm(5), ppm(5)).
public enum PNMReader {
  /// Reads and parses `file`; errors name the file.
  public static func read(file: String) throws -> PixelImage {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw DataError.io(file, error) }
    do { return try parse([UInt8](data)) } catch let e as DataError { throw e.inFile(file) }
  }

  /// Parses the bytes of a PNM file.
  public static func parse(_ bytes: [UInt8]) throws -> PixelImage {
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"),
      let kind = [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].firstIndex(of: bytes[1])
    else {
      let got = bytes.prefix(2).map { String(format: "%02x", $0) }.joined(separator: " ")
      throw DataError(
        code: "data.bad-magic", message: "not a PGM/PPM file: magic bytes are \(got), expected P2, P3, P5 or P6",
        byteOffset: 0, suggestion: "convert the image to PGM or PPM (e.g. `convert in.png out.ppm`)")
    }
    let ascii = kind < 2
    let channels = kind % 2 == 0 ? 1 : 3
    var reader = TokenReader(bytes: bytes, offset: 2)
    let width = try reader.integer(field: "width")
    let height = try reader.integer(field: "height")
    let maxval = try reader.integer(field: "maxval")
    guard width >= 1, height >= 1 else {
      throw DataError(code: "data.bad-header", message: "image size \(width)×\(height) is empty", field: "width")
    }
    guard (1...65535).contains(maxval) else {
      throw DataError(code: "data.bad-header", message: "maxval \(maxval) is not in 1…65535", field: "maxval")
    }
    let count = width * height * channels
    var values = [Float](repeating: 0, count: count)
    if ascii {
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
      // Exactly one whitespace byte separates maxval from the raster.
      guard reader.offset < bytes.count, isSpace(bytes[reader.offset]) else {
        throw DataError.truncated("header", at: reader.offset, expected: 1, got: 0)
      }
      let start = reader.offset + 1
      let size = maxval > 255 ? 2 : 1
      let available = bytes.count - start
      guard available >= count * size else {
        throw DataError.truncated("pixel data", at: start, expected: count * size, got: available)
      }
      guard available == count * size else {
        throw DataError(
          code: "data.trailing-data",
          message: "\(available - count * size) bytes after the raster of a \(width)×\(height) image",
          byteOffset: start + count * size)
      }
      for i in 0..<count {
        let at = start + i * size
        let v = size == 1 ? Int(bytes[at]) : Int(bytes[at]) << 8 | Int(bytes[at + 1])
        guard v <= maxval else { throw outOfRange(v, maxval, i, width, channels, at) }
        values[i] = Float(v) / Float(maxval)
      }
    }
    return PixelImage(width: width, height: height, channels: channels, values: values)
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
