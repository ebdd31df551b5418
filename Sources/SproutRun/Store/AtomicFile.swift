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
/// A `.deferred` write skips both fsyncs: the rename still makes the name absent-or-whole for every process
/// (`kill -9` included, the page cache survives it), and durability against a power loss comes later, from one
/// ``syncFileSystem(containing:files:calls:)`` before the write that vouches for the file (a task's
/// outputs.json, docs/store.md). A deferred file that a power loss tore is never trusted: checkpoints carry
/// checksums, and a task's files count only once its outputs.json exists.
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
    var syncfs: (Int32) -> Int32 = systemSyncfs

    static let system = Calls()
  }

  /// When a write becomes durable (survives a power loss, not only a crash of the process).
  public enum Durability: Sendable {
    /// fsync of the file before the rename and of its directory after: durable when `write` returns.
    case now
    /// No fsync: atomic for every reader at once, durable after the next ``syncFileSystem(containing:files:calls:)``
    /// covering it (or the kernel's own writeback).
    case deferred
  }

  /// Atomically replaces (or creates) the file at `path` with `bytes`.
  public static func write(_ bytes: [UInt8], to path: String, durability: Durability = .now) throws {
    try write(bytes, to: path, durability: durability, calls: .system)
  }

  /// Atomically replaces the file at `path` with the UTF-8 of `text`.
  public static func write(_ text: String, to path: String, durability: Durability = .now) throws {
    try write(Array(text.utf8), to: path, durability: durability, calls: .system)
  }

  static func write(_ bytes: [UInt8], to path: String, durability: Durability = .now, calls: Calls) throws {
    let staged = try stage(bytes, to: path, sync: durability == .now, calls: calls)
    try staged.publish(calls: calls)
    if durability == .now { syncDirectory(staged.directory) }
  }

  /// A file written under its temporary name and not yet renamed to its final one: ``publish(calls:)`` renames it
  /// (atomically replacing the final name), ``discard()`` removes it. Until then no reader sees it.
  public struct Staged: Sendable {
    /// The final path.
    public let path: String
    /// The temporary path (same directory).
    public let temporary: String
    /// The directory of both.
    let directory: String

    fileprivate func fail(_ call: String, _ code: Int32) -> RunError {
      RunError(
        .io, "cannot write '\(path)': \(call) failed: \(String(cString: strerror(code)))",
        cause: SystemCallError(call: call, errno: code), path: path)
    }

    /// Renames the temporary file to the final name (no fsync); removes it and throws on failure.
    public func publish() throws { try publish(calls: .system) }

    func publish(calls: Calls) throws {
      if calls.rename(temporary, path) != 0 {
        let code = errno
        unlink(temporary)
        throw fail("rename", code)
      }
    }

    /// Removes the temporary file (best effort: a leftover is never read, and the task's next claim holder
    /// removes it).
    public func discard() { unlink(temporary) }
  }

  /// Writes `bytes` under a temporary name beside `path` (no fsync, no rename): the first half of an atomic write
  /// whose rename comes later (``Staged/publish()``). On failure nothing is left behind.
  public static func stage(_ bytes: [UInt8], to path: String) throws -> Staged {
    try stage(bytes, to: path, sync: false, calls: .system)
  }

  /// Stages `path` as a second name (a hard link) of the existing file `source`, whose content it is to have: no new
  /// inode and nothing written. Nil when the file system refuses the link (the caller writes the content instead).
  static func stageLink(to source: String, at path: String) -> Staged? {
    let staged = temporary(for: path)
    return link(source, staged.temporary) == 0 ? staged : nil
  }

  /// A new temporary name beside `path`.
  private static func temporary(for path: String) -> Staged {
    let directory = parent(of: path)
    let base = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    let temporary = "\(directory)/.\(base).tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
    return Staged(path: path, temporary: temporary, directory: directory)
  }

  /// `sync`: fsync the temporary file before closing it.
  static func stage(_ bytes: [UInt8], to path: String, sync: Bool, calls: Calls) throws -> Staged {
    let staged = temporary(for: path)
    let temporary = staged.temporary
    let fail = staged.fail
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
    if failure == nil, sync, calls.fsync(fd) != 0 { failure = fail("fsync", errno) }
    if close(fd) != 0, failure == nil { failure = fail("close", errno) }
    if let failure {
      unlink(temporary)
      throw failure
    }
    return staged
  }

  /// Makes everything written so far to the file system holding `directory` durable, in one step: `syncfs(2)`
  /// on Linux (one journal commit for all of a task's files, where an fsync per file costs a commit each; it
  /// reports write-back errors since Linux 5.8), elsewhere an fsync of each of `files` and of `directory`.
  /// Throws `RunError(.io)` naming `directory` and the failing call.
  public static func syncFileSystem(containing directory: String, files: [String]) throws {
    try syncFileSystem(containing: directory, files: { files }, calls: .system)
  }

  static func syncFileSystem(containing directory: String, files: () -> [String], calls: Calls) throws {
    func fail(_ call: String, _ path: String, _ code: Int32) -> RunError {
      RunError(
        .io, "cannot make '\(path)' durable: \(call) failed: \(String(cString: strerror(code)))",
        cause: SystemCallError(call: call, errno: code), path: path)
    }
    #if os(Linux)
      let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      guard fd >= 0 else { throw fail("open", directory, errno) }
      defer { close(fd) }
      guard calls.syncfs(fd) == 0 else { throw fail("syncfs", directory, errno) }
    #else
      for path in files() + [directory] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open", path, errno) }
        defer { close(fd) }
        guard calls.fsync(fd) == 0 else { throw fail("fsync", path, errno) }
      }
    #endif
  }

  /// Appends `bytes` to the file at `path` (created if missing), fsynced unless `durability` is `.deferred`: for
  /// append-only logs whose readers trust only a prefix that a later atomic write (a checkpoint) vouches for.
  public static func append(_ bytes: [UInt8], to path: String, durability: Durability = .now) throws {
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
    guard durability == .deferred || systemFsync(fd) == 0 else { throw fail("fsync", errno) }
  }

  /// Creates `path` and its missing parents (mode 0755).
  public static func makeDirectory(_ path: String) throws {
    // Usually only the last component is missing (a task's folder) or none is: one call then.
    if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
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

  /// The names in directory `path` (without `.` and `..`), or nil when it cannot be opened (absent or
  /// unreadable). `readdir` directly: a sweep lists a task's folder a few times per task.
  static func names(in path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
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
#if os(Linux)
  // Glibc declares syncfs only under _GNU_SOURCE, which the Swift module map does not define: looked up once.
  private let syncfsFunction: (@convention(c) (Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
  }()
  /// syncfs(2); where the C library lacks it (never on a current glibc), the documented fallback is sync(2).
  private let systemSyncfs: @Sendable (Int32) -> Int32 = { fd in
    if let syncfsFunction { return syncfsFunction(fd) }
    sync()
    return 0
  }
#else
  private let systemSyncfs: @Sendable (Int32) -> Int32 = { fsync($0) }
#endif
