#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files so that the final name holds either the old content or the complete new content, never a
/// prefix — whatever happens (crash, `kill -9`, full disk, I/O error).
///
/// ```
///  open(dir/.name.tmp-<pid>-<random>, O_EXCL) → write all → fsync → close → rename(tmp, name) → fsync(dir)
/// ```
/// The temporary name carries 64 random bits besides the pid: processes on different machines sharing a store
/// (or in different pid namespaces) can have the same pid.
/// On any failure the temporary file is removed and a `RunError(.io)` names the final path and the call that
/// failed; the final name is untouched.
public enum AtomicFile {
  /// The system calls used, replaceable in tests to inject ENOSPC/EIO at the syscall boundary.
  struct Calls: @unchecked Sendable {
    // @unchecked Sendable: the closures are plain functions (the system calls) or test doubles installed before any
    // write starts; nothing mutates them while files are being written.
    var write: (Int32, UnsafeRawPointer, Int) -> Int = systemWrite
    var fsync: (Int32) -> Int32 = systemFsync
    var rename: (String, String) -> Int32 = systemRename

    static let system = Calls()
  }

  /// Atomically replaces (or creates) the file at `path` with `bytes`.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    try write(bytes, to: path, calls: .system)
  }

  /// Atomically replaces the file at `path` with the UTF-8 of `text`.
  public static func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path, calls: .system)
  }

  static func write(_ bytes: [UInt8], to path: String, calls: Calls) throws {
    let directory = parent(of: path)
    let base = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    let temporary = "\(directory)/.\(base).tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
    func fail(_ call: String, _ code: Int32) -> RunError {
      RunError(
        .io, "cannot write '\(path)': \(call) failed: \(String(cString: strerror(code)))",
        cause: SystemCallError(call: call, errno: code), path: path)
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw fail("open", errno) }
    var written = 0
    var failure: RunError?
    bytes.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      while written < raw.count {
        let n = calls.write(fd, base + written, raw.count - written)
        if n < 0 {
          if errno == EINTR { continue }
          failure = fail("write", errno)
          return
        }
        if n == 0 {
          failure = fail("write", EIO)
          return
        }
        written += n
      }
    }
    if failure == nil, calls.fsync(fd) != 0 { failure = fail("fsync", errno) }
    if close(fd) != 0, failure == nil { failure = fail("close", errno) }
    if failure == nil, calls.rename(temporary, path) != 0 { failure = fail("rename", errno) }
    if let failure {
      unlink(temporary)
      throw failure
    }
    syncDirectory(directory)
  }

  /// Appends `bytes` to the file at `path` (created if missing) and fsyncs it: for append-only logs whose
  /// readers trust only a prefix that a later atomic write (a checkpoint) vouches for.
  public static func append(_ bytes: [UInt8], to path: String) throws {
    func fail(_ call: String, _ code: Int32) -> RunError {
      RunError(
        .io, "cannot append to '\(path)': \(call) failed: \(String(cString: strerror(code)))",
        cause: SystemCallError(call: call, errno: code), path: path)
    }
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw fail("open", errno) }
    defer { close(fd) }
    var written = 0
    try bytes.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      while written < raw.count {
        let n = systemWrite(fd, base + written, raw.count - written)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw fail("write", n < 0 ? errno : EIO) }
        written += n
      }
    }
    guard systemFsync(fd) == 0 else { throw fail("fsync", errno) }
  }

  /// Creates `path` and its missing parents (mode 0755).
  public static func makeDirectory(_ path: String) throws {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      current += "/" + component
      if mkdir(current, 0o755) != 0 && errno != EEXIST {
        let code = errno
        throw RunError(
          .io, "cannot create directory '\(current)': \(String(cString: strerror(code)))",
          cause: SystemCallError(call: "mkdir", errno: code), path: current)
      }
    }
  }

  /// Reads a whole file, or throws `RunError(.io)` naming it.
  public static func read(_ path: String) throws -> [UInt8] {
    guard let bytes = try readIfPresent(path) else {
      throw RunError(
        .io, "cannot read '\(path)': \(String(cString: strerror(ENOENT)))",
        cause: SystemCallError(call: "open", errno: ENOENT), path: path)
    }
    return bytes
  }

  /// The bytes of a file, or nil when it does not exist (one `open` instead of a `stat` and an `open`: readers
  /// of 10,000 task outputs feel every system call). The buffer is sized from `fstat` and read into directly;
  /// a file that grows while being read is read to its end.
  public static func readIfPresent(_ path: String) throws -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      if code == ENOENT { return nil }
      throw RunError(
        .io, "cannot read '\(path)': \(String(cString: strerror(code)))",
        cause: SystemCallError(call: "open", errno: code), path: path)
    }
    defer { close(fd) }
    var st = stat()
    let size = fstat(fd, &st) == 0 && st.st_size > 0 ? Int(st.st_size) : 0
    // One byte more than the size: the common case is one full read and one that returns 0.
    var out = [UInt8](repeating: 0, count: max(size + 1, 256))
    var filled = 0
    while true {
      if filled == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
      let n = out.withUnsafeMutableBytes { buffer in
        buffer.baseAddress.map { systemRead(fd, $0 + filled, buffer.count - filled) } ?? 0
      }
      if n < 0 {
        if errno == EINTR { continue }
        let code = errno
        throw RunError(
          .io, "cannot read '\(path)': \(String(cString: strerror(code)))",
          cause: SystemCallError(call: "read", errno: code), path: path)
      }
      if n == 0 {
        out.removeSubrange(filled...)
        return out
      }
      filled += n
    }
  }

  /// Whether `path` exists (file or directory).
  public static func exists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0
  }

  /// The directory part of a path (`.` for a bare name).
  static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Makes a rename durable: fsync of the containing directory (best effort; some file systems refuse it).
  static func syncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = systemFsync(fd)
    close(fd)
  }
}

// The C library's calls under names no member shadows (`AtomicFile.Calls` has members `write`, `fsync`,
// `rename`), so the code reads the same on Glibc and Darwin.
// `@Sendable`: they capture nothing, so any thread may call them.
private let systemWrite: @Sendable (Int32, UnsafeRawPointer, Int) -> Int = { write($0, $1, $2) }
private let systemRead: @Sendable (Int32, UnsafeMutableRawPointer, Int) -> Int = { read($0, $1, $2) }
private let systemFsync: @Sendable (Int32) -> Int32 = { fsync($0) }
private let systemRename: @Sendable (String, String) -> Int32 = { rename($0, $1) }
