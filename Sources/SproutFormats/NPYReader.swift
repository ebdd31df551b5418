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
  ///
  /// The header is read and checked first (against the file's size and `budget`), so a file announcing a huge
  /// array is refused before the file or its values are held in memory.
  public static func read(file: String, budget: MemoryBudget = .default) throws -> NumericArray {
    _ = try header(file: file, budget: budget)
    let bytes = try FileChunks.contents(of: file)
    do { return try parse(bytes, budget: budget) } catch let e as DataError { throw e.inFile(file) }
  }

  /// Parses the bytes of a `.npy` file; the data the header announces must be there and fit `budget` before the
  /// values are allocated.
  public static func parse(_ bytes: [UInt8], budget: MemoryBudget = .default) throws -> NumericArray {
    let header = try NPYHeader(prefix: bytes)
    try header.checkDataLength(bytes.count - header.dataOffset)
    try header.checkBudget(budget, fileBytes: bytes.count)
    var stored = [Float](repeating: 0, count: header.count)
    for i in 0..<header.count {
      stored[i] = try header.element(i, in: bytes, at: header.dataOffset + i * header.itemSize)
    }
    let values = header.fortranOrder ? reorderFortran(stored, shape: header.shape) : stored
    return NumericArray(shape: header.shape, values: values, dtype: header.descr)
  }

  /// The header of `file`, reading only the header; the file's size must be exactly the header plus the data it
  /// announces, and the array must fit `budget`. Errors name the file.
  public static func header(file: String, budget: MemoryBudget = .default) throws -> NPYHeader {
    let chunks = try FileChunks(path: file)
    do {
      let header = try header(of: chunks)
      try header.checkBudget(budget, fileBytes: chunks.size)
      return header
    } catch let e as DataError {
      throw e.inFile(file)
    }
  }

  static func header(of chunks: FileChunks) throws -> NPYHeader {
    var bytes = try chunks.read(12)
    let (_, start, length) = try NPYHeader.preamble(bytes)
    // The announced length is checked against the file before anything that long is read.
    guard start + length <= chunks.size else {
      throw DataError.truncated("header", at: start, expected: length, got: chunks.size - start)
    }
    bytes += try chunks.read(start + length - bytes.count)
    let header = try NPYHeader(prefix: bytes)
    try header.checkDataLength(chunks.size - header.dataOffset)
    return header
  }

  /// The header of the targets array in `file` and what it holds, by ``TargetRule/npy(_:)``: class labels are
  /// read in bounded chunks and counted as the trainer counts them, so a bad label is the same error here as when
  /// the data is loaded.
  public static func targets(file: String) throws -> (header: NPYHeader, targets: FileTargets) {
    try targets(file: file, chunkSize: FileChunks.defaultChunkSize)
  }

  static func targets(file: String, chunkSize: Int) throws -> (header: NPYHeader, targets: FileTargets) {
    let chunks = try FileChunks(path: file, chunkSize: chunkSize)
    do {
      let header = try header(of: chunks)
      try header.checkBudget(.default, fileBytes: chunks.size)
      switch TargetRule.npy(header) {
      case .values(let width): return (header, .values(width: width))
      case .classLabels:
        // One value per row: storage order is row order, Fortran or not.
        let count = try ClassTally.count(header, in: chunks)
        return (header, .classes(count: count))
      }
    } catch let e as DataError {
      throw e.inFile(file)
    }
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
