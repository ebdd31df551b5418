import Foundation

/// NumPy `.npy` files (the format of `numpy.lib.format`): versions 1.0, 2.0 and 3.0, every numeric dtype NumPy
/// writes (`b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8`), either byte order, C or Fortran order.
///
/// ```
/// \x93NUMPY | major minor | header length (u16 LE in 1.0, u32 LE in 2.0/3.0) | {'descr': '<f4',
/// 'fortran_order': False, 'shape': (3, 4), } padded with spaces, '\n' | raw data
/// ```
public enum NPYReader {
  /// Reads and parses `file`; errors name the file.
  public static func read(file: String) throws -> NumericArray {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw DataError.io(file, error) }
    do { return try parse([UInt8](data)) } catch let e as DataError { throw e.inFile(file) }
  }

  /// Parses the bytes of a `.npy` file.
  public static func parse(_ bytes: [UInt8]) throws -> NumericArray {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard bytes.count >= 6, Array(bytes[0..<6]) == magic else {
      throw DataError(
        code: "data.bad-magic", message: "not a .npy file: it does not start with \\x93NUMPY", byteOffset: 0,
        suggestion: "save the array with numpy.save")
    }
    guard bytes.count >= 10 else { throw DataError.truncated("header", at: 6, expected: 4, got: bytes.count - 6) }
    let major = bytes[6]
    let headerStart: Int
    let headerLength: Int
    switch major {
    case 1:
      headerStart = 10
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    case 2, 3:
      guard bytes.count >= 12 else { throw DataError.truncated("header", at: 8, expected: 4, got: bytes.count - 8) }
      headerStart = 12
      headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
    default:
      throw DataError(
        code: "data.unsupported", message: "format version \(major).\(bytes[7]) is not 1.0, 2.0 or 3.0",
        byteOffset: 6)
    }
    guard bytes.count >= headerStart + headerLength else {
      throw DataError.truncated("header", at: headerStart, expected: headerLength, got: bytes.count - headerStart)
    }
    let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
    let text =
      major == 3
      ? String(decoding: headerBytes, as: UTF8.self) : String(headerBytes.map { Character(Unicode.Scalar($0)) })
    let header = try NPYHeader(text, offset: headerStart)
    let dataStart = headerStart + headerLength
    let count = header.shape.reduce(1, *)
    let size = header.itemSize
    let available = bytes.count - dataStart
    guard available >= count * size else {
      throw DataError.truncated(
        "array data of shape \(header.shape)", at: dataStart, expected: count * size, got: available)
    }
    guard available == count * size else {
      throw DataError(
        code: "data.trailing-data",
        message: "\(available - count * size) bytes after the \(count) elements of shape \(header.shape)",
        byteOffset: dataStart + count * size)
    }
    var stored = [Float](repeating: 0, count: count)
    let rowWidth = max(header.shape.dropFirst().reduce(1, *), 1)
    for i in 0..<count {
      let at = dataStart + i * size
      // For the error's place, convert the stored (possibly Fortran) index to the C index.
      let place = {
        let c = header.fortranOrder ? fortranToC(i, shape: header.shape) : i
        return DataError(code: "", message: "", row: c / rowWidth + 1, column: c % rowWidth + 1, byteOffset: at)
      }
      stored[i] = try header.decode(bytes, at: at, place: place)
    }
    let values = header.fortranOrder ? reorderFortran(stored, shape: header.shape) : stored
    return NumericArray(shape: header.shape, values: values, dtype: header.descr)
  }

  /// The C (row-major) index of the element stored at Fortran index `f`.
  static func fortranToC(_ f: Int, shape: [Int]) -> Int {
    var rest = f
    var index = [Int](repeating: 0, count: shape.count)
    for d in 0..<shape.count {
      index[d] = rest % shape[d]
      rest /= shape[d]
    }
    return index.enumerated().reduce(0) { $0 * shape[$1.offset] + $1.element }
  }

  /// Column-major storage → row-major values.
  static func reorderFortran(_ stored: [Float], shape: [Int]) -> [Float] {
    guard shape.count >= 2 else { return stored }
    var out = [Float](repeating: 0, count: stored.count)
    for f in 0..<stored.count { out[fortranToC(f, shape: shape)] = stored[f] }
    return out
  }
}
