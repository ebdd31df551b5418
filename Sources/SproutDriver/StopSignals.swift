import Dispatch
import Foundation
import SproutTrain

/// SIGINT (Ctrl-C) and SIGTERM (Slurm's preemption and time-limit warning, `kill`, `scancel`) stop a run the
/// same way: the stop flag is set, running training tasks write a checkpoint at their current step and stop,
/// tasks not yet started are skipped, and the command exits with 128 + the signal (130, 143), so a shell, a
/// batch script or Slurm can tell a stopped run, which resumes when run again, from a failed one (1).
///
/// A second Ctrl-C exits at once (status 130) without waiting for the checkpoint. A second SIGTERM is
/// ignored: Slurm signals every process of a job and the batch script forwards its own, so one stop request
/// often arrives twice.
public final class StopSignals: @unchecked Sendable {
  // @unchecked Sendable: `first` is read and written under `lock`; `flag` is itself thread-safe; `sources` is
  // touched only by the thread that installs and cancels the handlers.
  /// The flag the executor watches.
  public let flag: StopFlag
  private let lock = NSLock()
  private var first: Int32?
  private var sources: [DispatchSourceSignal] = []

  private init(flag: StopFlag) { self.flag = flag }

  /// The signal that stopped the run, if any arrived.
  public var received: Int32? {
    lock.lock()
    defer { lock.unlock() }
    return first
  }

  /// The exit status: 128 + the signal when one arrived and stopped work (`stopped`), else `normal`.
  public func exitCode(normal: Int32, stopped: Bool) -> Int32 {
    guard let signal = received, stopped else { return normal }
    return 128 + signal
  }

  /// Installs the handlers; `cancel()` removes them. Messages go to standard error.
  public static func install(_ flag: StopFlag = StopFlag()) -> StopSignals {
    let signals = StopSignals(flag: flag)
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { signals.receive(number) }
      source.resume()
      signals.sources.append(source)
    }
    return signals
  }

  /// Removes the handlers and restores the default actions.
  public func cancel() {
    for source in sources { source.cancel() }
    sources = []
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  private func receive(_ number: Int32) {
    lock.lock()
    let previous = first
    if previous == nil { first = number }
    lock.unlock()
    let name = number == SIGINT ? "Ctrl-C" : "SIGTERM"
    switch (previous, number) {
    case (nil, _):
      let again = number == SIGINT ? " (Ctrl-C again to exit at once)" : ""
      Terminal.write("\n\(name): stopping after the next checkpoint\(again)\n", to: .standardError)
      flag.set()
    case (_, SIGINT):
      Terminal.write("\ninterrupted again: exiting without waiting\n", to: .standardError)
      exit(128 + SIGINT)
    default:
      break  // a repeated SIGTERM: already stopping
    }
  }
}
