import SproutDiagnostics

/// A runtime failure of the executor, the store or a checkpoint, in the shape of swift-nio's `FileSystemError`:
/// a stable code, a sentence for the user, the underlying cause, and where it points — the spec range of the
/// task's stage and/or the file (and byte offset) involved.
///
/// Broken internal invariants are `precondition`s; everything a user, a disk or a crash can cause is a `RunError`.
public struct RunError: Error, CustomStringConvertible, Sendable {
  /// Stable kebab-case identifiers, documented in docs/store.md.
  public enum Code: String, Sendable, Hashable, CaseIterable {
    /// A file or directory could not be created, written, synced or renamed.
    case io = "run.io"
    /// A checkpoint file is torn, truncated or corrupted (bad header, offsets, dtype, shape or checksum).
    case corruptCheckpoint = "run.corrupt-checkpoint"
    /// A store file (task.json, outputs.json, manifest.json, metrics.jsonl) could not be parsed.
    case corruptStore = "run.corrupt-store"
    /// A resume was refused because the spec, tool version or backend differ from the checkpoint's.
    case resumeMismatch = "run.resume-mismatch"
    /// The loss became NaN or infinite.
    case nonFiniteLoss = "run.non-finite-loss"
    /// A task definition could not be turned into a training configuration.
    case invalidTask = "run.invalid-task"
    /// A task could not run because a task it depends on failed or has no outputs.
    case missingInput = "run.missing-input"
    /// The run was stopped (Ctrl-C, SIGTERM) after a checkpoint was written.
    case cancelled = "run.cancelled"
    /// The store's file system refuses advisory locks, so a task cannot be claimed before it runs.
    case noLocks = "run.no-locks"
    /// The run id is not in the store.
    case unknownRun = "run.unknown-run"
    /// A task planned for one candidate of a select stage did not run: the select chose another.
    case notChosen = "run.not-chosen"
  }

  /// What kind of failure this is.
  public var code: Code
  /// One or two sentences a user can act on.
  public var message: String
  /// The underlying error (an errno, a decoding error, ...), if any.
  public var cause: (any Error)?
  /// The spec range of the stage the failing task came from, if known.
  public var range: SourceRange?
  /// The file involved, if any.
  public var path: String?

  /// Creates an error.
  public init(
    _ code: Code, _ message: String, cause: (any Error)? = nil, range: SourceRange? = nil, path: String? = nil
  ) {
    self.code = code
    self.message = message
    self.cause = cause
    self.range = range
    self.path = path
  }

  /// `spec.yaml:12:5: error: message [run.code]` plus the cause, the way the CLI prints it.
  public var description: String {
    var text = ""
    if let range { text += "\(range): " }
    text += "error: \(message) [\(code.rawValue)]"
    if let cause, !message.contains("\(cause)") { text += " (cause: \(cause))" }
    return text
  }

  /// The same error pointing at a task's stage, unless it already points somewhere.
  func at(_ range: SourceRange?) -> RunError {
    var copy = self
    if copy.range == nil { copy.range = range }
    return copy
  }
}

/// An errno value with the name of the failed call, as the cause of an I/O `RunError`.
public struct SystemCallError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The call that failed (`write`, `fsync`, `rename`, ...).
  public var call: String
  /// The errno it set.
  public var errno: Int32

  /// Creates a cause.
  public init(call: String, errno: Int32) {
    self.call = call
    self.errno = errno
  }

  /// `write: No space left on device (errno 28)`.
  public var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
