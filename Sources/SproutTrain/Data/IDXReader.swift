import Foundation

/// IDX files, the format of MNIST (LeCun et al., yann.lecun.com/exdb/mnist): two zero bytes, a type code, the
/// dimension count, each dimension as a big-endian u32, then big-endian data. Type codes: 0x08 u8, 0x09 i8,
/// 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64.
public enum IDXReader {
  /// Reads and parses `file`; errors name the file.
  public static func read(file: String) throws -> NumericArray {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw DataError.io(file, error) }
    do { return try parse([UInt8](data)) } catch let e as DataError { throw e.inFile(file) }
  }

  /// Parses the bytes of an IDX file.
  public static func parse(_ bytes: [UInt8]) throws -> NumericArray {
    guard bytes.count >= 4 else { throw DataError.truncated("IDX magic", at: 0, expected: 4, got: bytes.count) }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw DataError(
        code: "data.bad-magic",
        message: String(format: "not an IDX file: magic starts %02x %02x, expected 00 00", bytes[0], bytes[1]),
        byteOffset: 0, suggestion: "gunzip MNIST's .gz files first")
    }
    let types: [UInt8: (name: String, size: Int)] = [
      0x08: ("u1", 1), 0x09: ("i1", 1), 0x0B: (">i2", 2), 0x0C: (">i4", 4), 0x0D: (">f4", 4), 0x0E: (">f8", 8),
    ]
    guard let type = types[bytes[2]] else {
      throw DataError(
        code: "data.bad-magic", message: String(format: "unknown IDX type code 0x%02x", bytes[2]), byteOffset: 2,
        suggestion: "valid codes are 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E")
    }
    let dims = Int(bytes[3])
    let dataStart = 4 + 4 * dims
    guard bytes.count >= dataStart else {
      throw DataError.truncated("IDX dimensions", at: 4, expected: 4 * dims, got: bytes.count - 4)
    }
    let shape = (0..<dims).map { d in (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * d + $1]) } }
    let count = shape.reduce(1, *)
    let available = bytes.count - dataStart
    guard available >= count * type.size else {
      throw DataError.truncated(
        "IDX data of shape \(shape)", at: dataStart, expected: count * type.size, got: available)
    }
    guard available == count * type.size else {
      throw DataError(
        code: "data.trailing-data", message: "\(available - count * type.size) bytes after the data of shape \(shape)",
        byteOffset: dataStart + count * type.size)
    }
    let rowWidth = max(shape.dropFirst().reduce(1, *), 1)
    var values = [Float](repeating: 0, count: count)
    for i in 0..<count {
      let at = dataStart + i * type.size
      var raw: UInt64 = 0
      for k in 0..<type.size { raw = raw << 8 | UInt64(bytes[at + k]) }
      let place = { DataError(code: "", message: "", row: i / rowWidth + 1, column: i % rowWidth + 1, byteOffset: at) }
      switch bytes[2] {
      case 0x08: values[i] = Float(raw)
      case 0x09: values[i] = Float(Int8(bitPattern: UInt8(raw)))
      case 0x0B: values[i] = Float(Int16(bitPattern: UInt16(raw)))
      case 0x0C: values[i] = try ExactFloat.integer(Int64(Int32(bitPattern: UInt32(raw))), place: place)
      case 0x0D: values[i] = try ExactFloat.double(Double(Float(bitPattern: UInt32(raw))), place: place)
      default: values[i] = try ExactFloat.double(Double(bitPattern: raw), place: place)
      }
    }
    return NumericArray(shape: shape, values: values, dtype: type.name)
  }
}

extension Dataset {
  /// A dataset from a feature array `[n, …]` (trailing dimensions flattened) and a target array `[n]` or `[n, k]`.
  /// With `classes`, targets must be a single integer label per sample (`[n]` or `[n, 1]`); `classes: 0` infers the
  /// count as the largest label + 1.
  public static func fromArrays(
    features: NumericArray, targets: NumericArray, classes: Int? = nil, featureFile: String? = nil,
    targetFile: String? = nil
  ) throws -> Dataset {
    guard features.shape.count >= 1, targets.shape.count >= 1, features.rows == targets.rows else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "features of shape \(features.shape) and targets of shape \(targets.shape) do not have the same "
          + "number of samples", file: targetFile ?? featureFile, field: "shape")
    }
    if let classes {
      guard targets.rowWidth == 1 else {
        throw DataError(
          code: "data.shape-mismatch", message: "class labels must have shape [n] or [n, 1], got \(targets.shape)",
          file: targetFile, field: "shape")
      }
      let count = classes > 0 ? classes : Int(targets.values.max() ?? 0) + 1
      do {
        return try Dataset(
          features: features.values, targets: targets.values, count: features.rows, featureCount: features.rowWidth,
          target: .classes(count: count))
      } catch var e as DataError {
        e.file = targetFile
        throw e
      }
    }
    return try Dataset(
      features: features.values, targets: targets.values, count: features.rows, featureCount: features.rowWidth,
      target: .regression(width: targets.rowWidth))
  }

  /// Checks that the dataset fits a model with `inputs` inputs and `outputs` outputs (a class dataset needs as many
  /// outputs as classes).
  public func checkFits(inputs: Int, outputs: Int, file: String? = nil) throws {
    guard featureCount == inputs else {
      throw DataError(
        code: "data.shape-mismatch", message: "the data has \(featureCount) features but the model takes \(inputs)",
        file: file, suggestion: "set the model's input to \(featureCount)")
    }
    let need = target.classCount ?? target.width
    guard need == outputs else {
      throw DataError(
        code: "data.shape-mismatch",
        message: "the data has \(need) \(target.classCount == nil ? "target values" : "classes") per sample but the "
          + "model outputs \(outputs)", file: file, suggestion: "set the last dense layer to \(need) units")
    }
  }
}
