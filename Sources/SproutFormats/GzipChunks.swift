import CZlib
import Foundation

/// A gzip file (RFC 1952) inflated front to back through zlib, in pieces of a bounded size, never past a limit.
///
/// MNIST is distributed as gzip-compressed IDX files (`train-images-idx3-ubyte.gz`). A gzip file states its
/// uncompressed size only modulo 2³² in its last four bytes (ISIZE), and a few kilobytes can inflate to gigabytes
/// (a "gzip bomb"), so nothing here trusts a size: the reader asks for the bytes it expects, the stream never
/// produces more than `limit`, and whatever is left over is an error. zlib checks the CRC-32 and ISIZE of the
/// member when it ends; corrupt or truncated data is a `DataError`, never a crash.
final class GzipChunks {
  /// The gzip magic number, `1f 8b`.
  static let magic: [UInt8] = [0x1F, 0x8B]
  /// DEFLATE's largest compression ratio is about 1032:1 (a 258-byte match in a 2-bit code); a file announcing
  /// more than this many times its size cannot be telling the truth.
  static let maximumRatio = 1032

  /// Whether `path` starts with the gzip magic number (an unreadable or short file is not gzip).
  static func isGzip(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }  // read-only: closing cannot lose data
    let head = (try? handle.read(upToCount: 2)).flatMap { $0 }.map { [UInt8]($0) } ?? []
    return head == magic
  }

  /// The compressed file.
  let file: FileChunks
  /// The bytes this stream may inflate to at most; asking for more is an error. A reader raises it once it has
  /// checked what the data's header announces.
  var limit: Int
  /// The uncompressed size modulo 2³² the gzip trailer states (ISIZE).
  let statedSize: UInt32
  /// Uncompressed bytes produced so far.
  private(set) var produced = 0
  private var stream = z_stream()
  private var input: [UInt8] = []
  private var inputOffset = 0
  private var ended = false

  /// Opens `path`, reading its ISIZE trailer; `limit` bounds what it may inflate to.
  init(path: String, limit: Int, chunkSize: Int = FileChunks.defaultChunkSize) throws {
    // The trailer first, from its own handle.
    let trailer = try FileChunks(path: path)
    guard trailer.size >= 18 else {
      throw DataError.truncated("gzip file", at: 0, expected: 18, got: trailer.size)
    }
    _ = try trailer.read(trailer.size - 4)
    let isize = try trailer.read(4)
    statedSize = isize.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    file = try FileChunks(path: path, chunkSize: chunkSize)
    self.limit = limit
    // 16 + 15: a gzip wrapper (not zlib's) and the largest window.
    let rc = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else {
      throw DataError(code: "data.bad-gzip", message: "zlib could not start inflating (error \(rc))")
    }
  }

  deinit { inflateEnd(&stream) }

  /// The compressed file's size in bytes.
  var compressedSize: Int { file.size }

  /// The next `count` uncompressed bytes, fewer only where the gzip member ends. Asking past `limit` is an error
  /// that states the limit (`what` names it).
  func read(_ count: Int, what: @autoclosure () -> String = "the data") throws -> [UInt8] {
    guard count > 0, !ended else { return [] }
    guard produced + count <= limit else {
      throw DataError(
        code: "data.trailing-data",
        message: "the gzip stream holds more than the \(limit) bytes of \(what())", byteOffset: limit,
        suggestion: "the file is corrupt or is not what its header says; re-download it")
    }
    var out = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count, !ended { filled += try step(into: &out, at: filled) }
    produced += filled
    if filled < count { out.removeLast(count - filled) }
    return out
  }

  /// Inflates the rest of the member (at most `limit` bytes in all) in pieces of about the file's chunk size, each a
  /// whole number of `unit`-byte items, and checks that the member ends there.
  func forEachChunk(unit: Int = 1, _ body: ([UInt8]) throws -> Void) throws {
    let size = max(unit, file.chunkSize / unit * unit)
    while produced < limit, !ended {
      let chunk = try read(min(size, limit - produced))
      if chunk.isEmpty { break }
      try body(chunk)
    }
    try expectEnd()
  }

  /// Checks that the member ends here: inflating its trailer gives no byte more (one more would be data the header
  /// did not announce), and zlib's CRC-32 and length checks pass.
  func expectEnd() throws {
    var probe: [UInt8] = [0]
    while !ended {
      guard try step(into: &probe, at: 0) == 0 else {
        throw DataError(
          code: "data.trailing-data",
          message: "the gzip stream holds more than the \(produced) bytes its header announces", byteOffset: produced,
          suggestion: "the file is corrupt or is not what its header says; re-download it")
      }
    }
  }

  /// One call of zlib's `inflate` into `out[at...]`, reading the next chunk of the file when the last is used up;
  /// the count of bytes written. Sets `ended` at the end of the member, after checking nothing follows it.
  private func step(into out: inout [UInt8], at filled: Int) throws -> Int {
    if inputOffset == input.count {
      input = try file.read(file.chunkSize)
      inputOffset = 0
      if input.isEmpty {
        throw DataError(
          code: "data.truncated",
          message: "the gzip stream ends early, after \(produced + filled) uncompressed bytes", byteOffset: file.size,
          suggestion: "the file was cut short; re-download it")
      }
    }
    let available = input.count - inputOffset
    let room = out.count - filled
    let offset = inputOffset
    let rc: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
      out.withUnsafeMutableBufferPointer { outBuffer in
        stream.next_in = inBuffer.baseAddress.map { $0 + offset }
        stream.avail_in = UInt32(clamping: available)
        stream.next_out = outBuffer.baseAddress.map { $0 + filled }
        stream.avail_out = UInt32(clamping: room)
        let rc = inflate(&stream, Z_NO_FLUSH)
        stream.next_in = nil
        stream.next_out = nil
        return rc
      }
    }
    inputOffset += available - Int(stream.avail_in)
    let written = room - Int(stream.avail_out)
    switch rc {
    case Z_OK, Z_BUF_ERROR:
      // Z_BUF_ERROR: no progress was possible with this input; the next call brings more (or finds the end).
      return written
    case Z_STREAM_END:
      ended = true
      // One member only: anything after its trailer is not part of the data.
      let after = inputOffset < input.count ? input.count - inputOffset : try file.read(1).count
      if after > 0 {
        throw DataError(
          code: "data.trailing-data", message: "bytes follow the end of the gzip stream",
          byteOffset: file.offset - (input.count - inputOffset),
          suggestion: "a file of concatenated gzip members is not supported: gunzip it and read the IDX file")
      }
      return written
    default:
      let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
      throw DataError(
        code: "data.bad-gzip", message: "corrupt gzip data: \(detail)",
        byteOffset: file.offset - (input.count - inputOffset), suggestion: "the file is damaged; re-download it")
    }
  }
}
