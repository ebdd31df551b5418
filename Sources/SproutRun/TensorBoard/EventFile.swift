import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One TensorBoard event file (`events.out.tfevents.<time>.<host>.<pid>.sprout`), written record by record.
///
/// The file is a TFRecord stream: per record the length (u64, little-endian), its masked CRC-32C, the bytes
/// of one serialized `tensorflow.Event`, and their masked CRC-32C. The first event names the format
/// (`brain.Event:2`). Each ``append(_:)`` writes whole records with one `write`, so a reader (TensorBoard
/// watching a training run) never sees half of one unless the process dies mid-write, which TensorBoard's
/// reader tolerates at the end of a file.
public final class EventFile: Sendable {
  // Sendable, checked: the fields are immutable (every write to the file holds `lock`).
  /// The file's path.
  public let path: String
  private let fd: Int32
  private let lock = NSLock()

  /// Creates (or appends to) the event file for run directory `directory`, creating the directory.
  /// - Parameter wallTime: the file's creation time, in its name and first event.
  public init(directory: String, wallTime: Double = Date().timeIntervalSince1970) throws {
    try AtomicFile.makeDirectory(directory)
    let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
    path = "\(directory)/events.out.tfevents.\(Int(wallTime)).\(host).\(getpid()).sprout"
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw RunError(.io, "cannot create '\(path)': \(String(cString: strerror(errno)))", path: path)
    }
    var version = ProtoWriter()
    version.double(1, wallTime)
    version.string(3, "brain.Event:2")
    try write([version.bytes])
  }

  deinit { close(fd) }

  /// Appends events (already serialized), as one write.
  public func write(_ events: [[UInt8]]) throws {
    var out: [UInt8] = []
    for e in events { Self.frame(e, into: &out) }
    try lock.withLock {
      try out.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
          guard let base = raw.baseAddress else { return }
          let n = posixWrite(fd, base + done, raw.count - done)
          if n < 0 && errno == EINTR { continue }
          guard n > 0 else { throw RunError(.io, "cannot write '\(path)': \(String(cString: strerror(errno)))", path: path) }
          done += n
        }
      }
    }
  }

  /// Makes what was written durable.
  public func sync() { _ = fsync(fd) }

  /// TFRecord framing of one record.
  static func frame(_ data: [UInt8], into out: inout [UInt8]) {
    var length = UInt64(data.count).littleEndian
    let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
    out += lengthBytes
    var lc = CRC32C.masked(lengthBytes).littleEndian
    withUnsafeBytes(of: &lc) { out += $0 }
    out += data
    var dc = CRC32C.masked(data).littleEndian
    withUnsafeBytes(of: &dc) { out += $0 }
  }
}

// The C library's write under a name the method `write(_:)` does not shadow.
private let posixWrite: @Sendable (Int32, UnsafeRawPointer, Int) -> Int = { write($0, $1, $2) }
