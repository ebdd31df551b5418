import Foundation

/// A fixed set of worker threads started once, to which a kernel hands `parts` pieces of work.
///
/// `run(parts:_:)` executes part 0 on the calling thread and part `i` on worker `i − 1`, then waits for all
/// of them. The body is passed non-escaping and parked in the pool only for the duration of the call, so a
/// call allocates nothing: in a steady-state training step the pool costs two condition-variable hand-offs
/// per parallel kernel. One call at a time: the owner (the backend) serialises callers.
final class WorkerPool: @unchecked Sendable {
  /// Total parts a call can run at once (workers plus the caller).
  let width: Int
  private let condition = NSCondition()
  private var generation = 0
  private var pending = 0
  private var body: ((Int) -> Void)?
  private var parts = 0
  private var stopping = false
  private var threads: [Thread] = []

  /// Starts `width − 1` worker threads (each holds the pool until `shutdown()`).
  init(width: Int) {
    self.width = max(1, width)
    for index in 1..<self.width {
      let thread = Thread { self.workerLoop(index: index) }
      thread.name = "sprout-cpu-\(index)"
      thread.stackSize = 1 << 20
      threads.append(thread)
      thread.start()
    }
  }

  /// Stops the workers (each holds the pool while it runs, so the owner must call this).
  func shutdown() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  /// `run(parts:_:)` when `busy` can be taken, else every part on the calling thread in order (another
  /// caller owns the pool; the partition is the same, so the result is too).
  @inline(__always)
  func runOrInline(busy: NSLock, parts: Int, _ body: (Int) -> Void) {
    if parts > 1 && busy.try() {
      run(parts: parts, body)
      busy.unlock()
    } else {
      for part in 0..<parts { body(part) }
    }
  }

  /// Runs `body(0) … body(parts − 1)`, part 0 on the caller, and returns when all have finished.
  func run(parts: Int, _ body: (Int) -> Void) {
    precondition(parts <= width, "\(parts) parts for a pool of \(width)")
    if parts <= 1 {
      if parts == 1 { body(0) }
      return
    }
    withoutActuallyEscaping(body) { escapable in
      condition.lock()
      self.body = escapable
      self.parts = parts
      pending = parts - 1
      generation &+= 1
      condition.broadcast()
      condition.unlock()

      escapable(0)

      condition.lock()
      while pending > 0 { condition.wait() }
      self.body = nil
      condition.unlock()
    }
  }

  private func workerLoop(index: Int) {
    var seen = 0
    condition.lock()
    while true {
      while generation == seen && !stopping { condition.wait() }
      if stopping { break }
      seen = generation
      guard index < parts, let body else { continue }
      condition.unlock()
      body(index)
      condition.lock()
      pending -= 1
      if pending == 0 { condition.broadcast() }
    }
    condition.unlock()
  }
}
