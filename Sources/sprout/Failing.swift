import ArgumentParser
import Foundation
import SproutDriver
import SproutRun

/// The one error format of every command: `sprout: error: MESSAGE` on standard error, and exit status 2 for an
/// error that stops the command before it could do its work (docs/cli.md, "Errors and exit status"). Usage errors from the
/// argument parser get the same prefix (Sprout.main).
enum Failure {
  /// The prefix of every error line.
  static let prefix = "sprout: error: "

  /// An error as one message: a store error with its code (`… [run.corrupt-store]`), anything else as it
  /// describes itself, never with a second `error:`.
  static func message(_ error: any Error) -> String {
    if let e = error as? RunError {
      var text = "\(e.message) [\(e.code.rawValue)]"
      if let cause = e.cause, !e.message.contains("\(cause)") { text += " (cause: \(cause))" }
      return text
    }
    var text = "\(error)"
    while text.hasPrefix("error: ") { text.removeFirst("error: ".count) }
    return text
  }

  /// Writes `error` in the one format and returns the exit status to throw.
  static func report(_ error: any Error) -> ExitCode {
    Terminal.write(prefix + message(error) + "\n", to: .standardError)
    return ExitCode(2)
  }

  /// `sprout: warning: MESSAGE` on standard error.
  static func warn(_ message: String) {
    Terminal.write("sprout: warning: \(message)\n", to: .standardError)
  }
}

/// Runs a command body, turning the errors a user can act on (no store, no such run, an unknown axis or
/// metric, an unreadable or corrupt file) into `sprout: error: …` and exit code 2; exit statuses pass through.
func reportingErrors(_ body: () throws -> Void) throws {
  do { try body() } catch let exit as ExitCode { throw exit } catch { throw Failure.report(error) }
}

/// Checks on path options: an empty path is refused, since it would resolve to the current or the root
/// directory (`--store ''` wrote a store into `/`).
enum PathArgument {
  /// `--store DIR`.
  static func store(_ value: String) throws -> String {
    try nonEmpty(value, "an empty store path would put the store in the root directory; give a directory")
  }

  /// `--out`, `-o`: a file or directory to write.
  static func output(_ value: String) throws -> String {
    try nonEmpty(value, "an empty path would write into the current or the root directory; give a path")
  }

  static func nonEmpty(_ value: String, _ why: String) throws -> String {
    guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError(why) }
    return value
  }
}

/// Comma-separated and repeated option values as one list (`--group-by init,width --group-by depth`).
func commaList(_ values: [String]) -> [String] {
  values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
}
