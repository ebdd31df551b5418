import Foundation

/// A data file read front to back in pieces of a bounded size.
///
/// Lint reads a header this way and counts the classes of a label file chunk by chunk, so checking a spec over a
/// large file holds one chunk in memory, not the file.
final class FileChunks {
  /// The bytes read per chunk when scanning a whole file, unless a test asks for less.
  static let defaultChunkSize = 1 << 20

  /// The bytes read per chunk by ``forEachChunk(unit:_:)`` and the CSV scanner.
  let chunkSize: Int
  /// The path, for errors.
  let path: String
  /// The file's size in bytes when it was opened.
  let size: Int
  /// Bytes read so far.
  private(set) var offset = 0
  private let handle: FileHandle

  /// Opens `path`; a missing or unreadable file is `data.unreadable`.
  init(path: String, chunkSize: Int = defaultChunkSize) throws {
    self.path = path
    self.chunkSize = max(1, chunkSize)
    try Self.requireFile(path)
    do {
      handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
      size = Int(try handle.seekToEnd())
      try handle.seek(toOffset: 0)
    } catch {
      throw DataError.io(path, error)
    }
  }

  // A read-only handle: closing it cannot lose data, and a deinit cannot report an error.
  deinit { try? handle.close() }

  /// The next `count` bytes, fewer only at the end of the file.
  func read(_ count: Int) throws -> [UInt8] {
    guard count > 0 else { return [] }
    let data: Data?
    do { data = try handle.read(upToCount: count) } catch { throw DataError.io(path, error) }
    let bytes = data.map { [UInt8]($0) } ?? []
    offset += bytes.count
    return bytes
  }

  /// The whole file from the current position (for a header that does not fit its first chunk).
  func readToEnd() throws -> [UInt8] {
    let data: Data?
    do { data = try handle.readToEnd() } catch { throw DataError.io(path, error) }
    let bytes = data.map { [UInt8]($0) } ?? []
    offset += bytes.count
    return bytes
  }

  /// Calls `body` with consecutive chunks of at most `chunkSize` bytes until the end of the file, each a whole
  /// number of `unit`-byte items (so no item of a binary array is split between two chunks).
  func forEachChunk(unit: Int = 1, _ body: ([UInt8]) throws -> Void) throws {
    let size = max(unit, chunkSize / unit * unit)
    while true {
      let chunk = try read(size)
      if chunk.isEmpty { return }
      try body(chunk)
      if chunk.count < size { return }
    }
  }

  /// Reads all of `path` (a missing or unreadable file is `data.unreadable`).
  static func contents(of path: String) throws -> [UInt8] {
    try requireFile(path)
    do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch { throw DataError.io(path, error) }
  }

  /// A directory opens on Linux and fails only when read, with an opaque error: say what it is instead.
  static func requireFile(_ path: String) throws {
    var directory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &directory), directory.boolValue {
      throw DataError(code: "data.unreadable", message: "this is a directory, not a data file", file: path)
    }
  }
}
