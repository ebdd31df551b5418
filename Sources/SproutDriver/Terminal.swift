import Foundation
import SproutRun
import SproutDiagnostics

/// Output helpers shared by the CLI and the progress display: where output goes, and whether it may be coloured.
public enum Terminal {
  /// A standard output stream.
  public enum Stream: Sendable {
    /// File descriptor 1.
    case standardOutput
    /// File descriptor 2.
    case standardError

    var descriptor: Int32 { self == .standardOutput ? 1 : 2 }
  }

  /// True when the stream is a terminal.
  public static func isTerminal(_ stream: Stream) -> Bool { isatty(stream.descriptor) == 1 }

  /// True when the stream is a terminal that understands cursor movement (not `TERM=dumb`): where the live
  /// progress display may redraw in place.
  public static func supportsCursor(_ stream: Stream) -> Bool {
    isTerminal(stream) && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  }

  /// The terminal's width in columns (`TIOCGWINSZ`), else `COLUMNS`, else 80.
  public static func columns(_ stream: Stream) -> Int {
    var size = winsize()
    if ioctl(stream.descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
    return 80
  }

  /// Colour only on a terminal, never with `NO_COLOR` or `TERM=dumb`.
  public static func useColor(for stream: Stream) -> Bool {
    DiagnosticRenderer.shouldUseColor(
      isTerminal: isTerminal(stream), environment: ProcessInfo.processInfo.environment)
  }

  /// Writes text unbuffered.
  public static func write(_ text: String, to stream: Stream) {
    guard !text.isEmpty else { return }
    let handle = stream == .standardOutput ? FileHandle.standardOutput : FileHandle.standardError
    handle.write(Data(text.utf8))
  }
}

/// The tool's identity for `--version`.
public enum Tool {
  /// The version recorded in manifests and checkpoints.
  public static var version: String { SproutVersion.current }
}
