import Foundation
import SproutRun

/// Renders run events: on a terminal one live progress bar per running task (steps, loss, rate, ETA), redrawn
/// in place; otherwise plain lines, one per event, for logs and CI.
public final class ProgressDisplay: @unchecked Sendable {
  private struct Bar {
    var step = 0
    var total = 0
    var loss: Float?
    var rate = 0.0
  }

  private let lock = NSLock()
  private let live: Bool
  private let color: Bool
  private let write: @Sendable (String) -> Void
  private var bars: [(key: String, bar: Bar)] = []
  private var drawnLines = 0

  /// Creates a display writing to standard error; live bars only when `live` (a terminal).
  public init(live: Bool, color: Bool, write: @escaping @Sendable (String) -> Void = { Terminal.write($0, to: .standardError) }) {
    self.live = live
    self.color = color
    self.write = write
  }

  /// A display for standard error as it is (live on a terminal, plain otherwise).
  public static func forStandardError() -> ProgressDisplay {
    ProgressDisplay(live: Terminal.isTerminal(.standardError), color: Terminal.useColor(for: .standardError))
  }

  /// Handles one event.
  public func handle(_ event: RunEvent) {
    lock.lock()
    defer { lock.unlock() }
    switch event {
    case .runStarted(let id, let tasks):
      emit("run \(id): \(tasks) task\(tasks == 1 ? "" : "s")")
    case .taskCached(let key, let hash):
      emit("\(key)  cached  \(hash.prefix(12))")
    case .taskStarted(let key, let hash, let total):
      if live {
        bars.append((key, Bar(total: total)))
        redraw()
      } else {
        emit("\(key)  started  \(hash.prefix(12))\(total > 0 ? "  \(total) steps" : "")")
      }
    case .taskResumed(let key, let step, _):
      emit("\(key)  resuming from step \(step)")
    case .progress(let key, let step, let total, let loss, let rate):
      if live {
        if let i = bars.firstIndex(where: { $0.key == key }) {
          bars[i].bar = Bar(step: step, total: total, loss: loss, rate: rate)
        }
        redraw()
      } else {
        emit("\(key)  step \(step)/\(total)\(loss.map { "  loss \(Self.number($0))" } ?? "")  \(Self.rate(rate))")
      }
    case .checkpointWritten:
      break
    case .warning(let key, let message, let path):
      emit(paint("warning: ", "33") + [key, message, path].compactMap { $0 }.joined(separator: ": "))
    case .taskFinished(let key, let status, let seconds, let error):
      bars.removeAll { $0.key == key }
      let mark: String
      switch status {
      case .completed: mark = paint("done", "32")
      case .failed: mark = paint("failed", "31")
      case .cancelled: mark = paint("stopped", "33")
      case .cached: mark = "cached"
      case .skipped: mark = "skipped"
      case .notChosen: mark = "not chosen"
      }
      let suffix = error.map { ": \($0.message)" } ?? ""
      emit("\(key)  \(mark)  \(String(format: "%.2fs", seconds))\(suffix)")
    case .runFinished(let id, let seconds, let failed):
      emit("run \(id) finished in \(String(format: "%.2fs", seconds))\(failed > 0 ? ", \(failed) failed" : "")")
    }
  }

  private func emit(_ line: String) {
    if live {
      clear()
      write(line + "\n")
      redraw()
    } else {
      write(line + "\n")
    }
  }

  private func clear() {
    guard drawnLines > 0 else { return }
    write(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines))
    drawnLines = 0
  }

  private func redraw() {
    clear()
    for (key, bar) in bars {
      write(Self.line(key: key, bar: bar) + "\n")
    }
    drawnLines = bars.count
  }

  private static func line(key: String, bar: Bar) -> String {
    let width = 24
    let fraction = bar.total > 0 ? min(1, Double(bar.step) / Double(bar.total)) : 0
    let filled = Int(fraction * Double(width))
    let body = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    var text = "\(key)  \(body)  \(bar.step)/\(bar.total)"
    if let loss = bar.loss { text += "  loss \(number(loss))" }
    if bar.rate > 0 {
      text += "  \(rate(bar.rate))"
      let remaining = Double(bar.total - bar.step) / bar.rate
      text += "  ETA \(duration(remaining))"
    }
    return text
  }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  static func number(_ x: Float) -> String {
    x == 0 || (abs(x) >= 1e-3 && abs(x) < 1e5) ? String(format: "%.4g", Double(x)) : String(format: "%.3e", Double(x))
  }

  static func rate(_ r: Double) -> String { r >= 10 ? String(format: "%.0f steps/s", r) : String(format: "%.2f steps/s", r) }

  static func duration(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "?" }
    if s < 60 { return String(format: "%.0fs", s) }
    if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
    return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
  }
}
