import Foundation

/// A fixed set of worker threads started once, to which a kernel hands `parts` pieces of a `KernelJob`.
///
/// `run(parts:job:)` executes part 0 on the calling thread and part `i` on worker `i − 1`, then waits for all
/// of them. The job is a preallocated object whose `work` the caller has just set, so a call allocates
/// nothing: in a steady-state training step the pool costs two condition-variable hand-offs per parallel
/// kernel. One call at a time: the owner (the backend) serialises callers.
final class WorkerPool: @unchecked Sendable {
  /// Total parts a call can run at once (workers plus the caller).
  let width: Int
  private let condition = NSCondition()
  private var generation = 0
  private var pending = 0
  private var job: KernelJob?
  private var parts = 0
  private var stopping = false
  private var threads: [Thread] = []

  /// Times a thread polls for new work (a worker) or for the parts to finish (the caller) before blocking on
  /// the condition, a few tens of microseconds. On a virtual machine, waking a blocked thread goes through
  /// the hypervisor and can cost as much as a mid-sized matrix product; OpenBLAS and OpenMP poll likewise.
  static let spinLimit = 2_000

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

  /// Runs `job.execute(part:)` for parts `0 ..< parts`, part 0 on the caller, and returns when all have
  /// finished.
  func run(parts: Int, job: KernelJob) {
    precondition(parts <= width, "\(parts) parts for a pool of \(width)")
    job.parts = parts
    if parts <= 1 {
      if parts == 1 { job.execute(part: 0) }
      return
    }
    condition.lock()
    self.job = job
    self.parts = parts
    pending = parts - 1
    generation &+= 1
    condition.broadcast()
    condition.unlock()

    job.execute(part: 0)

    condition.lock()
    var spins = 0
    while pending > 0 && spins < Self.spinLimit {
      condition.unlock()
      spins += 1
      condition.lock()
    }
    while pending > 0 { condition.wait() }
    self.job = nil
    condition.unlock()
  }

  private func workerLoop(index: Int) {
    var seen = 0
    condition.lock()
    while true {
      var spins = 0
      while generation == seen && !stopping && spins < Self.spinLimit {
        condition.unlock()
        spins += 1
        condition.lock()
      }
      while generation == seen && !stopping { condition.wait() }
      if stopping { break }
      seen = generation
      guard index < parts, let job else { continue }
      condition.unlock()
      job.execute(part: index)
      condition.lock()
      pending -= 1
      if pending == 0 { condition.broadcast() }
    }
    condition.unlock()
  }
}
