import Dispatch
import Foundation
import SproutRun

/// Renders run events for a person watching.
///
/// On a terminal (and not `TERM=dumb`): a live area at the bottom with one line per running task (progress
/// bar, step, loss when the stage computes it, rate, ETA), redrawn in place at most ten times a second and
/// fitted to the terminal's width (re-read on every redraw and on SIGWINCH), so no line ever wraps; above it,
/// one permanent line per finished task. ``finish()`` erases the live area (at the end of a run, or when it
/// is interrupted). Elsewhere (a pipe, a file, CI, `TERM=dumb`): plain lines, one per event, no escapes.
///
/// ```
///  t0000/train  done  1.52s  loss 0.1234         ← permanent lines scroll up
///  t0001/train  ███████░░░░░  150/300  loss 0.21  850 steps/s  ETA 0s   ← live area, redrawn
///  t0002/train  ██░░░░░░░░░░   50/300  loss 0.48  845 steps/s  ETA 0s
/// ```
public final class ProgressDisplay: @unchecked Sendable {
  // @unchecked Sendable: every mutable field is read and written under `lock` (events come from worker threads, redraws
  // from the timer's queue).
  /// What one live line shows.
  public struct Bar: Equatable, Sendable {
    /// Task key.
    public var key: String
    /// Steps done.
    public var step = 0
    /// Steps in all.
    public var total = 0
    /// The last loss, when the stage computes it.
    public var loss: Float?
    /// Steps per second.
    public var rate = 0.0

    /// Creates a line's state.
    public init(key: String, step: Int = 0, total: Int = 0, loss: Float? = nil, rate: Double = 0) {
      self.key = key
      self.step = step
      self.total = total
      self.loss = loss
      self.rate = rate
    }
  }

  private let lock = NSLock()
  private let live: Bool
  private let color: Bool
  private let write: @Sendable (String) -> Void
  private let width: @Sendable () -> Int
  private var bars: [Bar] = []
  private var lastLoss: [String: Float] = [:]
  private var drawnLines = 0
  private var lastDraw = DispatchTime(uptimeNanoseconds: 0)
  private var dirty = false
  private var timer: DispatchSourceTimer?
  private var resize: DispatchSourceSignal?
  private var finished = false

  /// Minimum time between two redraws of the live area.
  static let interval: UInt64 = 100_000_000

  /// Creates a display; live bars only when `live`. `width` gives the terminal's columns at each redraw.
  public init(
    live: Bool, color: Bool, width: @escaping @Sendable () -> Int = { Terminal.columns(.standardError) },
    write: @escaping @Sendable (String) -> Void = { Terminal.write($0, to: .standardError) }
  ) {
    self.live = live
    self.color = color
    self.width = width
    self.write = write
  }

  /// A display for standard error as it is: live on a terminal unless `TERM=dumb`, plain lines otherwise;
  /// colour unless `NO_COLOR`.
  public static func forStandardError() -> ProgressDisplay {
    let display = ProgressDisplay(live: Terminal.supportsCursor(.standardError), color: Terminal.useColor(for: .standardError))
    display.watchResize()
    return display
  }

  deinit {
    timer?.cancel()
    resize?.cancel()
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
        bars.append(Bar(key: key, total: total))
        redraw(force: true)
      } else {
        emit("\(key)  started  \(hash.prefix(12))\(total > 0 ? "  \(total) steps" : "")")
      }
    case .taskResumed(let key, let step, _):
      emit("\(key)  resuming from step \(step)")
    case .progress(let key, let step, let total, let loss, let rate):
      if let loss { lastLoss[key] = loss }
      if live {
        if let i = bars.firstIndex(where: { $0.key == key }) {
          bars[i] = Bar(key: key, step: step, total: total, loss: loss ?? bars[i].loss, rate: rate)
        }
        redraw(force: false)
      } else {
        var line = "\(key)  step \(step)/\(total)"
        if let loss { line += "  loss \(Self.number(loss))" }
        emit(line + "  \(Self.rate(rate))")
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
      var line = "\(key)  \(mark)  \(Self.printf("%.2fs", seconds))"
      if status == .completed, let loss = lastLoss[key] { line += "  loss \(Self.number(loss))" }
      if let error { line += ": \(error.message)" }
      lastLoss[key] = nil
      emit(line)
    case .runFinished(let id, let seconds, let failed):
      emit("run \(id) finished in \(String(format: "%.2fs", seconds))\(failed > 0 ? ", \(failed) failed" : "")")
    }
  }

  /// Erases the live area and stops redrawing: call when the run ends, fails or is interrupted, before
  /// printing anything else. Idempotent.
  public func finish() {
    lock.lock()
    defer { lock.unlock() }
    finished = true
    bars.removeAll()
    clear()
    timer?.cancel()
    timer = nil
  }

  /// Prints a line above the live area (which is redrawn under it).
  public func message(_ line: String) {
    lock.lock()
    defer { lock.unlock() }
    emit(line)
  }

  private func emit(_ line: String) {
    guard live else {
      write(line + "\n")
      return
    }
    // A permanent line is cut to the width too: a wrapped line would shift the live area.
    clear()
    write(Self.fit(line, width: max(width() - 1, 10)) + "\n")
    redraw(force: true)
  }

  private func clear() {
    guard drawnLines > 0 else { return }
    // Up to the first line of the live area, then erase to the end of the screen.
    write("\r\u{1B}[\(drawnLines)A\u{1B}[J")
    drawnLines = 0
  }

  /// Redraws the live area now when forced or when the last redraw is ≥ 100 ms old; otherwise marks it dirty
  /// for the timer, so a burst of progress events costs one redraw.
  private func redraw(force: Bool) {
    guard live, !finished else { return }
    let now = DispatchTime.now()
    if !force && now.uptimeNanoseconds - lastDraw.uptimeNanoseconds < Self.interval {
      dirty = true
      startTimer()
      return
    }
    let columns = max(width() - 1, 10)
    var text = ""
    if drawnLines > 0 { text += "\r\u{1B}[\(drawnLines)A\u{1B}[J" }
    for bar in bars { text += Self.line(bar, width: columns) + "\n" }
    if !text.isEmpty { write(text) }
    drawnLines = bars.count
    lastDraw = now
    dirty = false
  }

  private func startTimer() {
    guard timer == nil else { return }
    let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
    t.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
    t.setEventHandler { [weak self] in
      guard let self else { return }
      self.lock.lock()
      defer { self.lock.unlock() }
      if self.dirty { self.redraw(force: true) }
    }
    timer = t
    t.resume()
  }

  /// Redraws at the new width when the terminal is resized (SIGWINCH).
  private func watchResize() {
    guard live else { return }
    signal(SIGWINCH, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
    source.setEventHandler { [weak self] in
      guard let self else { return }
      self.lock.lock()
      defer { self.lock.unlock() }
      // Lines drawn at the old width may have been rewrapped by the terminal: start the area afresh.
      if self.drawnLines > 0 {
        self.write("\r\u{1B}[\(self.drawnLines)A\u{1B}[J")
        self.drawnLines = 0
      }
      self.redraw(force: true)
    }
    resize = source
    source.resume()
  }

  /// One task's live line fitted to `width` columns: the parts that fit, most important first (key, counts,
  /// loss, bar, rate, ETA); never longer than `width`.
  public static func line(_ bar: Bar, width: Int) -> String {
    let counts = bar.total > 0 ? "\(bar.step)/\(bar.total)" : "\(bar.step)"
    let loss = bar.loss.map { "loss \(number($0))" }
    let rate = bar.rate > 0 ? Self.rate(bar.rate) : nil
    let eta = bar.rate > 0 && bar.total > 0 ? "ETA \(duration(Double(bar.total - bar.step) / bar.rate))" : nil
    // The first layout that fits, from the fullest: the loss is the number people watch, so it outlives
    // the bar, which outlives the rate and the ETA.
    func length(_ parts: [String]) -> Int { parts.reduce(0) { $0 + $1.count } + 2 * max(parts.count - 1, 0) }
    let layouts: [(bar: Bool, extra: [String])] = [
      (true, [loss, rate, eta].compactMap { $0 }), (true, [loss, rate].compactMap { $0 }),
      (true, [loss].compactMap { $0 }), (false, [loss].compactMap { $0 }), (true, []), (false, []),
    ]
    var chosen = layouts[layouts.count - 1]
    var barWidth = 0
    for layout in layouts {
      let fixed = length([bar.key, counts] + layout.extra)
      if layout.bar {
        let room = width - fixed - 2
        if room >= 8 {
          chosen = layout
          barWidth = min(room, 30)
          break
        }
      } else if fixed <= width {
        chosen = layout
        break
      }
    }
    var pieces = [bar.key]
    if barWidth > 0 {
      let fraction = bar.total > 0 ? min(1, Double(bar.step) / Double(bar.total)) : 0
      let filled = Int(fraction * Double(barWidth))
      pieces.append(String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled))
    }
    pieces.append(counts)
    pieces += chosen.extra
    return fit(pieces.joined(separator: "  "), width: width)
  }

  /// Cuts a line to `width` visible characters (ending in `…`); colour escapes are not counted and are
  /// closed when cut.
  static func fit(_ line: String, width: Int) -> String {
    let limit = max(width, 1)
    guard visibleCount(line) > limit else { return line }
    var out = ""
    var visible = 0
    var inEscape = false
    for c in line {
      if c == "\u{1B}" { inEscape = true }
      if inEscape {
        out.append(c)
        if c == "m" { inEscape = false }
        continue
      }
      if visible == limit - 1 { break }
      out.append(c)
      visible += 1
    }
    return out + "…" + (line.contains("\u{1B}") ? "\u{1B}[0m" : "")
  }

  /// Characters of a line that take a column (colour escapes do not).
  public static func visibleCount(_ line: String) -> Int {
    var n = 0
    var inEscape = false
    for c in line {
      if c == "\u{1B}" { inEscape = true }
      if inEscape {
        if c == "m" { inEscape = false }
        continue
      }
      n += 1
    }
    return n
  }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  static func number(_ x: Float) -> String {
    x == 0 || (abs(x) >= 1e-3 && abs(x) < 1e5) ? printf("%.4g", Double(x)) : printf("%.3e", Double(x))
  }

  static func rate(_ r: Double) -> String { r >= 10 ? printf("%.0f steps/s", r) : printf("%.2f steps/s", r) }

  /// `String(format:)`'s text for one number, from the C library directly: a sweep prints a few progress lines per
  /// task, and Foundation's formatting (a CFString per call) cost more than the rest of the line.
  static func printf(_ format: String, _ x: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
      let n = withVaList([x]) { vsnprintf(buffer.baseAddress, 64, format, $0) }
      guard n >= 0 && n < 64 else { return String(format: format, x) }
      return String(cString: buffer.baseAddress!)
    }
  }

  static func duration(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "?" }
    if s < 60 { return String(format: "%.0fs", s) }
    if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
    return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
  }
}
