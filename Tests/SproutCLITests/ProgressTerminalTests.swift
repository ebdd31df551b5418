import Foundation
import SproutDriver
import SproutRun
import Testing

/// The progress display in a real terminal: `sprout run` inside tmux at 40, 80 and 200 columns, read back with
/// capture-pane (the screen) and pipe-pane (the raw bytes the program wrote).
@Suite("progress in a real terminal", .serialized)
struct ProgressTerminalTests {
  /// Runs `sprout run` on quickstart (longer training, so bars are drawn) in a tmux window `width` wide.
  /// Returns the final screen with wrapped lines joined, and the raw output.
  static func runInTmux(width: Int, term: String, extra: String = "") throws -> (screen: String, raw: String, seconds: Double) {
    let dir = try CLI.temporaryDirectory()
    let spec = CLI.root.appendingPathComponent("examples/quickstart.yaml").path
    let raw = dir.appendingPathComponent("raw.txt").path
    let socket = "sprout-test-\(getpid())-\(width)-\(UUID().uuidString.prefix(6))"
    // The window waits for `go` so that pipe-pane records from the first byte.
    let command =
      "cd \(dir.path) && while [ ! -e go ]; do sleep 0.05; done; env -u NO_COLOR TERM=\(term) \(extra) \(CLI.binary.path) run \(spec) "
      + "--jobs 2 --store st --set stages.train.steps=3000 --set stages.train.every=20; echo EXIT=$?; sleep 300"
    func status(_ args: [String]) throws -> (Int32, String) {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
      p.arguments = ["-L", socket] + args
      let out = Pipe()
      p.standardOutput = out
      p.standardError = out
      p.standardInput = FileHandle.nullDevice
      try p.run()
      let data = out.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
      let (code, text) = try status(args)
      try #require(code == 0 || args.first == "kill-server", "tmux \(args.first ?? ""): \(text)")
      return text
    }
    defer {
      _ = try? tmux(["kill-server"])
      try? FileManager.default.removeItem(atPath: "/tmp/tmux-\(getuid())/\(socket)")
    }
    // Children of the test process inherit a mask that blocks nearly every signal, under which tmux's server
    // misbehaves: python3 clears the mask and becomes the tmux that starts the server. That client does not
    // return until the session ends (it keeps the test runner's descriptors), so it is not waited for.
    let starter = Process()
    starter.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    starter.arguments = [
      "python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp('tmux', sys.argv[1:])",
      "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", String(width), "-y", "50", "-s", "t", command,
    ]
    starter.standardInput = FileHandle.nullDevice
    starter.standardOutput = FileHandle.nullDevice
    starter.standardError = FileHandle.nullDevice
    try starter.run()
    var up = false
    for _ in 0..<600 where !up {
      Thread.sleep(forTimeInterval: 0.1)
      up = try status(["has-session", "-t", "t"]).0 == 0
    }
    try #require(up, "tmux did not start")
    try tmux(["pipe-pane", "-t", "t", "-o", "cat >> \(raw)"])
    let start = Date()
    FileManager.default.createFile(atPath: dir.appendingPathComponent("go").path, contents: nil)
    var screen = ""
    for _ in 0..<1200 {
      Thread.sleep(forTimeInterval: 0.25)
      screen = try tmux(["capture-pane", "-p", "-J", "-t", "t"])
      if screen.contains("EXIT=") { break }
    }
    let seconds = Date().timeIntervalSince(start)
    Thread.sleep(forTimeInterval: 0.5)
    let bytes = (try? String(contentsOfFile: raw, encoding: .utf8)) ?? ""
    return (screen, bytes, seconds)
  }

  @Test(arguments: [40, 80, 200])
  func liveBarsFitTheWidthAndLeaveNothingBehind(width: Int) throws {
    let (screen, raw, seconds) = try Self.runInTmux(width: width, term: "xterm-256color")
    #expect(screen.contains("EXIT=0"), "\(screen)")
    let lines = screen.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    // Live bars were drawn (the raw output has them and cursor movement) …
    #expect(raw.contains("░") && raw.contains("\u{1B}["), "no live bars were drawn")
    // … but none is left on the screen: the final screen holds only permanent lines.
    #expect(!screen.contains("░") && !screen.contains("█"), "leftover bars:\n\(screen)")
    // Each task's summary line is there exactly once.
    for trial in 0..<4 {
      for stage in ["train", "test"] {
        let key = "t000\(trial)/\(stage)  done"
        #expect(lines.filter { $0.hasPrefix(key) }.count == 1, "\(key) in\n\(screen)")
      }
    }
    // No progress line wrapped (joined lines would be longer than the window), except the final hint that
    // is printed after the display is done.
    for line in lines where !line.hasPrefix("results:") && !line.hasPrefix("EXIT=") {
      #expect(line.count <= width, "a \(line.count)-column line at width \(width): \(line)")
    }
    // Redraws at most ~10 a second, plus one per event (start, finish) that changes the set of lines.
    let redraws = raw.components(separatedBy: "\u{1B}[J").count - 1
    #expect(Double(redraws) <= 10 * seconds + 4 * 8 + 5, "\(redraws) redraws in \(seconds) s")
    // The loss is shown when the stage computes it.
    #expect(raw.contains("loss "))
  }

  /// Under TERM=dumb: plain lines, not a single escape sequence.
  @Test func dumbTerminalGetsPlainLines() throws {
    let (screen, raw, _) = try Self.runInTmux(width: 80, term: "dumb")
    #expect(screen.contains("EXIT=0"))
    #expect(!raw.contains("\u{1B}"), "escape sequences under TERM=dumb")
    #expect(raw.contains("t0000/train  step 20/3000"))
  }

  /// NO_COLOR: live bars but no colour.
  @Test func noColor() throws {
    let (screen, raw, _) = try Self.runInTmux(width: 80, term: "xterm-256color", extra: "NO_COLOR=1")
    #expect(screen.contains("EXIT=0"))
    #expect(!raw.contains("\u{1B}[32m") && !raw.contains("\u{1B}[0m"), "colour despite NO_COLOR")
    let (_, colored, _) = try Self.runInTmux(width: 80, term: "xterm-256color")
    #expect(colored.contains("\u{1B}[32mdone"), "colour on a terminal without NO_COLOR")
  }

  /// Fitting, unit by unit: never longer than the width, loss kept longest.
  @Test func lineFitting() {
    for width in [10, 20, 30, 39, 40, 79, 80, 199, 200] {
      let line = ProgressDisplay.line(
        .init(key: "t0003/train", step: 1500, total: 3000, loss: 0.1234, rate: 850), width: width)
      #expect(ProgressDisplay.visibleCount(line) <= width, "\(width): \(line)")
      if width >= 40 { #expect(line.contains("loss 0.1234"), "\(width): \(line)") }
    }
    let noLoss = ProgressDisplay.line(.init(key: "t0/train", step: 1, total: 2, loss: nil, rate: 1), width: 200)
    #expect(!noLoss.contains("loss"))
  }
}
