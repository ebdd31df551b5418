/// The header of an IDX file: the element type and the dimensions.
public struct IDXHeader: Sendable, Hashable {
  /// The type code (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64).
  public var typeCode: UInt8
  /// The element type as a NumPy-style name (`u1`, `>i2`, `>f4`).
  public var dtype: String
  /// Bytes per element.
  public var itemSize: Int
  /// Dimensions, outermost first.
  public var shape: [Int]

  /// Where the data starts.
  public var dataOffset: Int { 4 + 4 * shape.count }
  /// Elements in the array.
  public var count: Int { shape.reduce(1, *) }
  /// Values per row (the product of the trailing dimensions).
  public var rowWidth: Int { shape.dropFirst().reduce(1, *) }

  static let types: [UInt8: (name: String, size: Int)] = [
    0x08: ("u1", 1), 0x09: ("i1", 1), 0x0B: (">i2", 2), 0x0C: (">i4", 4), 0x0D: (">f4", 4), 0x0E: (">f8", 8),
  ]

  /// The element type and rank announced by the first four bytes (which must be a valid magic number).
  static func magic(_ bytes: [UInt8]) throws -> (type: (name: String, size: Int), rank: Int) {
    guard bytes.count >= 4 else { throw DataError.truncated("IDX magic", at: 0, expected: 4, got: bytes.count) }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw DataError(
        code: "data.bad-magic",
        message: "not an IDX file: magic starts \(hex(bytes[0])) \(hex(bytes[1])), expected 00 00", byteOffset: 0,
        suggestion: "an IDX file starts 00 00, its type code and its rank (gzip-compressed IDX files are read too)")
    }
    guard let type = types[bytes[2]] else {
      throw DataError(
        code: "data.bad-magic", message: "unknown IDX type code 0x\(hex(bytes[2]))", byteOffset: 2,
        suggestion: "valid codes are 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E")
    }
    return (type, Int(bytes[3]))
  }

  static func hex(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }

  /// Parses the header at the start of `bytes` (all of it must be there).
  init(prefix bytes: [UInt8]) throws {
    let (type, dims) = try Self.magic(bytes)
    guard bytes.count >= 4 + 4 * dims else {
      throw DataError.truncated("IDX dimensions", at: 4, expected: 4 * dims, got: bytes.count - 4)
    }
    typeCode = bytes[2]
    dtype = type.name
    itemSize = type.size
    shape = (0..<dims).map { d in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) } }
    guard NPYHeader.fitsInMemory(shape) else {
      throw DataError(
        code: "data.bad-header", message: "shape \(shape) has more elements than any file can hold", byteOffset: 4,
        field: "shape")
    }
  }

  /// Checks that `available` bytes after the header are exactly the data.
  func checkDataLength(_ available: Int) throws {
    let needed = count * itemSize
    guard available >= needed else {
      throw DataError.truncated("IDX data of shape \(shape)", at: dataOffset, expected: needed, got: available)
    }
    guard available == needed else {
      throw DataError(
        code: "data.trailing-data", message: "\(available - needed) bytes after the data of shape \(shape)",
        byteOffset: dataOffset + needed)
    }
  }

  /// Element `i`, stored big-endian at `bytes[at...]`, as a checked Float.
  func element(_ i: Int, in bytes: [UInt8], at: Int) throws -> Float {
    var raw: UInt64 = 0
    for k in 0..<itemSize { raw = raw << 8 | UInt64(bytes[at + k]) }
    let width = max(rowWidth, 1)
    let place = {
      DataError(code: "", message: "", row: i / width + 1, column: i % width + 1, byteOffset: dataOffset + i * itemSize)
    }
    switch typeCode {
    case 0x08: return Float(raw)
    case 0x09: return Float(Int8(bitPattern: UInt8(raw)))
    case 0x0B: return Float(Int16(bitPattern: UInt16(raw)))
    case 0x0C: return try ExactFloat.integer(Int64(Int32(bitPattern: UInt32(raw))), place: place)
    case 0x0D: return try ExactFloat.double(Double(Float(bitPattern: UInt32(raw))), place: place)
    default: return try ExactFloat.double(Double(bitPattern: raw), place: place)
    }
  }
}

/// IDX files, the format of MNIST (LeCun et al., yann.lecun.com/exdb/mnist): two zero bytes, a type code, the
/// dimension count, each dimension as a big-endian u32, then big-endian data. Type codes: 0x08 u8, 0x09 i8,
/// 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64. A gzip-compressed IDX file (MNIST's own `train-images-idx3-ubyte.gz`,
/// recognised by its magic number `1f 8b`, whatever its name) is inflated through zlib as it is read.
public enum IDXReader {
  /// Reads and parses `file`; errors name the file.
  ///
  /// The header is read and checked first (against the file's size and `budget`), so a file announcing a huge
  /// array is refused before the file or its values are held in memory. A gzip file's header is checked against
  /// its gzip trailer and its compressed size as well (``gzipHeader(file:budget:chunkSize:)``).
  public static func read(file: String, budget: MemoryBudget = .default) throws -> NumericArray {
    if GzipChunks.isGzip(file) {
      do {
        let (header, prefix, gz) = try gzipHeader(file: file, budget: budget)
        let data = try gz.read(header.count * header.itemSize, what: "an IDX array of shape \(header.shape)")
        try gz.expectEnd()
        return try parse(prefix + data, budget: budget)
      } catch let e as DataError {
        throw e.inFile(file)
      }
    }
    _ = try header(file: file, budget: budget)
    let bytes = try FileChunks.contents(of: file)
    do { return try parse(bytes, budget: budget) } catch let e as DataError { throw e.inFile(file) }
  }

  /// Parses the bytes of an IDX file; the data the header announces must be there and fit `budget` before the
  /// values are allocated.
  public static func parse(_ bytes: [UInt8], budget: MemoryBudget = .default) throws -> NumericArray {
    let header = try IDXHeader(prefix: bytes)
    try header.checkDataLength(bytes.count - header.dataOffset)
    try budget.check(fileBytes: bytes.count, values: header.count, what: "an IDX array of shape \(header.shape)")
    var values = [Float](repeating: 0, count: header.count)
    for i in 0..<header.count {
      values[i] = try header.element(i, in: bytes, at: header.dataOffset + i * header.itemSize)
    }
    return NumericArray(shape: header.shape, values: values, dtype: header.dtype)
  }

  /// The header of `file`, reading only the header; the file's size must be exactly the header plus the data it
  /// announces, and the array must fit `budget`. Errors name the file.
  public static func header(file: String, budget: MemoryBudget = .default) throws -> IDXHeader {
    if GzipChunks.isGzip(file) {
      do { return try gzipHeader(file: file, budget: budget).header } catch let e as DataError { throw e.inFile(file) }
    }
    let chunks = try FileChunks(path: file)
    do {
      let header = try header(of: chunks)
      try budget.check(fileBytes: chunks.size, values: header.count, what: "an IDX array of shape \(header.shape)")
      return header
    } catch let e as DataError {
      throw e.inFile(file)
    }
  }

  static func header(of chunks: FileChunks) throws -> IDXHeader {
    var bytes = try chunks.read(4)
    bytes += try chunks.read(4 * (try IDXHeader.magic(bytes).rank))
    let header = try IDXHeader(prefix: bytes)
    try header.checkDataLength(chunks.size - header.dataOffset)
    return header
  }

  /// The header of the labels file `file` and its classes (``TargetRule/idxLabels(shape:)``), read in bounded
  /// chunks and counted as the trainer counts them.
  public static func labels(file: String) throws -> (header: IDXHeader, targets: FileTargets) {
    try labels(file: file, chunkSize: FileChunks.defaultChunkSize)
  }

  static func labels(file: String, chunkSize: Int) throws -> (header: IDXHeader, targets: FileTargets) {
    if GzipChunks.isGzip(file) {
      do {
        let (header, _, gz) = try gzipHeader(file: file, budget: .default, chunkSize: chunkSize)
        _ = try TargetRule.idxLabels(shape: header.shape)
        let count = try ClassTally.count(header, in: gz)
        return (header, .classes(count: count))
      } catch let e as DataError {
        throw e.inFile(file)
      }
    }
    let chunks = try FileChunks(path: file, chunkSize: chunkSize)
    do {
      let header = try header(of: chunks)
      try MemoryBudget.default.check(
        fileBytes: chunks.size, values: header.count, what: "an IDX array of shape \(header.shape)")
      _ = try TargetRule.idxLabels(shape: header.shape)
      let count = try ClassTally.count(header, in: chunks)
      return (header, .classes(count: count))
    } catch let e as DataError {
      throw e.inFile(file)
    }
  }

  /// The header of a gzip-compressed IDX file, its bytes, and the stream positioned after it, limited to the data
  /// the header announces.
  ///
  /// Before anything the size of the data is allocated, the announced size U = header + data must agree with the
  /// gzip trailer's ISIZE (U mod 2³²), be one that DEFLATE can produce from the file (at most ~1032 times its
  /// compressed size), and fit `budget` together with the compressed file and the floats. A "gzip bomb" whose header
  /// announces little inflates only to that little and then fails as trailing data.
  static func gzipHeader(
    file: String, budget: MemoryBudget, chunkSize: Int = FileChunks.defaultChunkSize
  ) throws -> (header: IDXHeader, prefix: [UInt8], stream: GzipChunks) {
    let gz = try GzipChunks(path: file, limit: 4 + 4 * 255, chunkSize: chunkSize)
    var bytes = try gz.read(4, what: "an IDX header")
    bytes += try gz.read(4 * (try IDXHeader.magic(bytes).rank), what: "an IDX header")
    let header = try IDXHeader(prefix: bytes)
    let (data, o1) = header.count.multipliedReportingOverflow(by: header.itemSize)
    let (total, o2) = data.addingReportingOverflow(header.dataOffset)
    let what = "an IDX array of shape \(header.shape)"
    guard !o1, !o2, total / GzipChunks.maximumRatio <= gz.compressedSize else {
      throw DataError(
        code: "data.bad-gzip",
        message: "the IDX header announces \(what) (\(o1 || o2 ? "more than \(Int.max)" : "\(total)") bytes), more than "
          + "a gzip file of \(gz.compressedSize) bytes can inflate to", byteOffset: 4,
        suggestion: "the file is corrupt or is not what its header says; re-download it")
    }
    guard UInt32(truncatingIfNeeded: total) == gz.statedSize else {
      throw DataError(
        code: "data.bad-gzip",
        message: "the IDX header announces \(total) bytes (\(what)), but the gzip trailer says the file inflates to "
          + "\(gz.statedSize) bytes", byteOffset: gz.compressedSize - 4,
        suggestion: "the file was cut short or is corrupt; re-download it")
    }
    try budget.check(fileBytes: gz.compressedSize + total, values: header.count, what: what)
    gz.limit = total
    return (header, bytes, gz)
  }
}
