import Foundation
import Testing

@testable import SproutFormats

/// This target's fixtures folder, in the source tree.
func fixture(_ relative: String) -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(relative)")
}

/// The package root (for examples/data).
func packageRoot() -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

func dataFixture(_ name: String) -> String { fixture("data/\(name)").path }

/// Runs `body`, which must throw a `DataError` with `code`; returns it for further checks.
@discardableResult
func expectDataError(_ code: String, _ body: () throws -> Any) -> DataError? {
  do {
    _ = try body()
    Issue.record("expected \(code), got success")
  } catch let e as DataError {
    #expect(e.code == code, "\(e)")
    return e
  } catch {
    Issue.record("expected a DataError, got \(error)")
  }
  return nil
}

/// The error `body` throws (nil, recorded as an issue, when it returns).
func dataError(_ body: () throws -> Any) -> DataError? {
  do {
    _ = try body()
  } catch let e as DataError {
    return e
  } catch {
    Issue.record("expected a DataError, got \(error)")
  }
  return nil
}

/// Data files written for a test into a scratch directory that is removed with it.
final class ScratchFiles {
  let path = NSTemporaryDirectory() + "sprout-formats-\(UUID().uuidString)"

  init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `bytes` to `name`; returns the file's path.
  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) -> String {
    let p = path + "/" + name
    _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
    return p
  }

  /// Writes `text` to `name`; returns the file's path.
  @discardableResult
  func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }
}

/// Bytes of files in the formats under test, built the way NumPy and the MNIST tools write them.
enum Encode {
  /// A version 1.0 `.npy` file: the header dictionary padded to a multiple of 64 bytes, then `data`.
  static func npy(descr: String, shape: [Int], data: [UInt8]) -> [UInt8] {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let n = header.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + data
  }

  /// An IDX file of type `code` with big-endian dimensions.
  static func idx(code: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
    [0, 0, code, UInt8(shape.count)] + shape.flatMap { bigEndian(UInt32($0)) } + data
  }

  /// Little-endian bytes of integers.
  static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
  }

  /// Big-endian bytes of one integer.
  static func bigEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
  }

  /// Little-endian float32 bytes.
  static func float32(_ values: [Float]) -> [UInt8] { littleEndian(values.map(\.bitPattern)) }
}
