import Foundation
import SproutDiagnostics

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive claim on a task: an advisory lock (`flock`) on `tasks/<hash>/claim`, held while one process
/// trains the task, so processes sharing a store (several `sprout run`s, Slurm array jobs on many nodes) never
/// run one task at once.
///
/// The kernel releases the lock when the holder closes the file or dies — `kill -9`, a node's job killed by
/// Slurm — so a claim can never be left stale. The file itself is never replaced or removed (a lock lives on an
/// inode; renaming a new file over it would let a second process lock the new one); after locking, the holder
/// writes who it is into it, for the messages of processes that find it busy and for `sprout status`.
///
/// On Linux, `flock` on NFS is carried out as an NFS byte-range lock, which NFSv4 servers (and NFSv3 with
/// lockd) enforce between machines; docs/cluster.md says what happens on file systems without locks.
public final class TaskClaim: @unchecked Sendable {
  // @unchecked Sendable: `descriptor` is read and written under `lock`; `path` is immutable.
  /// Who holds a claim, as written into the claim file.
  public struct Holder: Hashable, Sendable, CustomStringConvertible {
    /// The holder's process id (on its host).
    public var pid: Int
    /// The holder's host name.
    public var host: String
    /// The Slurm job (`123_4` for an array element), when the holder runs under Slurm.
    public var job: String?
    /// When the claim was taken (ISO 8601, UTC).
    public var since: String

    /// The holder of this process.
    public static func current() -> Holder {
      Holder(pid: Int(getpid()), host: localHost, job: slurmJob, since: utcTimestamp(time(nil)))
    }

    /// The Slurm job of this process, from its environment (read once: a sweep claims a task every few
    /// milliseconds, and building the environment dictionary costs more than the claim).
    static let slurmJob: String? = {
      func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
      if let array = variable("SLURM_ARRAY_JOB_ID"), let index = variable("SLURM_ARRAY_TASK_ID") {
        return "\(array)_\(index)"
      }
      return variable("SLURM_JOB_ID")
    }()

    /// `2026-12-04T12:50:00Z` (what `ISO8601DateFormatter` writes, without making one per claim).
    static func utcTimestamp(_ seconds: time_t) -> String {
      var t = seconds
      var parts = tm()
      gmtime_r(&t, &parts)
      func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
      return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
        + "\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// This machine's name as `gethostname` gives it (no DNS lookup, which can hang on a cluster node).
    static let localHost: String = {
      var buffer = [CChar](repeating: 0, count: 256)
      guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
      return String(cString: buffer)
    }()

    /// `pid 123 on node7 (Slurm job 45_3)`.
    public var description: String {
      "pid \(pid) on \(host)" + (job.map { " (Slurm job \($0))" } ?? "")
    }

    var json: JSONValue {
      var o: [String: JSONValue] = ["pid": .int(pid), "host": .string(host), "since": .string(since)]
      if let job { o["job"] = .string(job) }
      return .object(o)
    }

    init(pid: Int, host: String, job: String?, since: String) {
      self.pid = pid
      self.host = host
      self.job = job
      self.since = since
    }

    init?(json: JSONValue) {
      guard let pid = json["pid"]?.intValue, let host = json["host"]?.stringValue else { return nil }
      self.init(pid: pid, host: host, job: json["job"]?.stringValue, since: json["since"]?.stringValue ?? "")
    }
  }

  /// The result of trying to claim a task.
  public enum Attempt: Sendable {
    /// This process holds the claim until ``TaskClaim/release()`` (or until it exits).
    case claimed(TaskClaim)
    /// Another process holds it; `holder` is who, when its claim file could be read.
    case busy(holder: Holder?)
  }

  /// The claim file's name inside a task directory.
  public static let fileName = "claim"

  /// The claim file.
  public let path: String
  private let lock = NSLock()
  private var descriptor: Int32

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  deinit { release() }

  /// Tries once, without waiting, to claim the task `hash` of `store`.
  ///
  /// Throws `RunError(.noLocks)` when the store's file system refuses advisory locks, `RunError(.io)` when the
  /// task directory or claim file cannot be created.
  public static func attempt(store: Store, hash: String) throws -> Attempt {
    try AtomicFile.makeDirectory(store.taskDirectory(hash))
    let path = store.claimPath(hash)
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      let code = errno
      throw RunError(
        .io, "cannot open the claim file '\(path)': \(String(cString: strerror(code)))",
        cause: SystemCallError(call: "open", errno: code), path: path)
    }
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      if code == EINTR { continue }
      close(fd)
      if code == EWOULDBLOCK || code == EAGAIN { return .busy(holder: holder(path: path)) }
      throw lockingError(path: path, code: code)
    }
    let claim = TaskClaim(path: path, descriptor: fd)
    claim.writeHolder(.current())
    return .claimed(claim)
  }

  /// Whether some process holds the claim of task `hash` now (a probe with a shared lock, released at once).
  /// False when the task has no claim file or the file system has no locks.
  public static func isHeld(store: Store, hash: String) -> Bool {
    let fd = open(store.claimPath(hash), O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    while flock(fd, LOCK_SH | LOCK_NB) != 0 {
      if errno == EINTR { continue }
      return errno == EWOULDBLOCK || errno == EAGAIN
    }
    return false
  }

  /// The holder last written into a task's claim file (the current one only while ``isHeld(store:hash:)``).
  public static func holder(store: Store, hash: String) -> Holder? { holder(path: store.claimPath(hash)) }

  static func holder(path: String) -> Holder? {
    // Only names the holder in messages: who holds a claim is decided by the file lock, never by this text, so
    // an unreadable or half-written holder is just "unknown".
    guard let bytes = try? AtomicFile.read(path), !bytes.isEmpty,
      let json = try? JSONValue.parse(bytes: bytes)
    else { return nil }
    return Holder(json: json)
  }

  /// Gives the claim up (idempotent). The holder text stays in the file; only the lock says who holds it.
  public func release() {
    lock.lock()
    defer { lock.unlock() }
    guard descriptor >= 0 else { return }
    close(descriptor)  // closing the only descriptor of the open file releases the flock
    descriptor = -1
  }

  /// Replaces the file's text in place (never by rename: the lock is on this inode). Best effort: the text is
  /// only for messages.
  private func writeHolder(_ holder: Holder) {
    let bytes = Array((holder.json.canonical + "\n").utf8)
    lock.lock()
    defer { lock.unlock() }
    guard ftruncate(descriptor, 0) == 0 else { return }
    _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
  }

  private static func lockingError(path: String, code: Int32) -> RunError {
    RunError(
      .noLocks,
      "cannot lock '\(path)': \(String(cString: strerror(code))); the store's file system does not support "
        + "advisory locks, so processes sharing it could train one task twice (docs/cluster.md: put the store "
        + "on a local disk or NFSv4)",
      cause: SystemCallError(call: "flock", errno: code), path: path)
  }
}
