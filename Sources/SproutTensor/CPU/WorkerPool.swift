import Atomics
import Foundation

/// A fixed set of worker threads started once, to which a kernel hands `parts` pieces of a `KernelJob`.
///
/// `run(parts:job:)` executes part 0 on the calling thread and part `i` on worker `i − 1`, then waits for all
/// of them. The job is a preallocated object whose `work` the caller has just set, so a call allocates
/// nothing. One call at a time: the owner (the backend) serialises callers.
///
/// Hand-offs go through two atomic words (swift-atomics), `generation` (bumped to publish a job) and `pending`
/// (parts still running), which both sides poll for a while before sleeping on a condition variable. A
/// mutex-only hand-off made the caller and the worker fight over one lock on every kernel (each contended
/// hand-off a futex round trip through the hypervisor), which cost more than a mid-sized matrix product: two
/// threads were slower than one on products under a few million multiply-adds.
final class WorkerPool: @unchecked Sendable {
  // @unchecked Sendable: shared state is the atomic words (swift-atomics' `UnsafeAtomic`, over raw storage the
  // compiler cannot see into) and the condition variable's mutex; `job` is handed over through those atomics (see
  // its comment); the rest is immutable after init.
  /// Total parts a call can run at once (workers plus the caller).
  let width: Int
  /// Storage of `generation`, `pending`, `stopping` and `partCount`, each on its own 64-byte cache line (four
  /// separately allocated `ManagedAtomic`s could share one, and every poll of one would then miss on the
  /// others' writes).
  private let words: UnsafeMutablePointer<UnsafeAtomic<Int64>.Storage>
  private let generation: UnsafeAtomic<Int64>
  private let pending: UnsafeAtomic<Int64>
  private let stopping: UnsafeAtomic<Int64>
  /// Parts of the current job: a worker whose index is not below it takes no part and never reads `job`.
  private let partCount: UnsafeAtomic<Int64>
  /// Sleeping threads wait here; it is taken only to sleep and to wake sleepers.
  private let condition = NSCondition()
  /// The current job: written by the caller before it bumps `generation`, read by the participating workers
  /// after they see the bump (the atomics order the two), and not changed until they have all finished.
  private var job: KernelJob?
  private var threads: [Thread] = []

  /// Polls (with the CPU's spin hint) before a thread sleeps, about a hundred microseconds: longer than the gap
  /// between the kernels of a training step, so workers stay awake through a step and sleep between runs.
  static let defaultSpinLimit = 4_000
  /// This pool's polls before sleeping.
  let spinLimit: Int

  /// Starts `width − 1` worker threads (each holds the pool until `shutdown()`).
  init(width: Int, spinLimit: Int = WorkerPool.defaultSpinLimit) {
    self.width = max(1, width)
    self.spinLimit = spinLimit
    words = .allocate(capacity: 32)
    for i in 0..<32 { (words + i).initialize(to: UnsafeAtomic<Int64>.Storage(0)) }
    generation = UnsafeAtomic(at: words)
    pending = UnsafeAtomic(at: words + 8)
    stopping = UnsafeAtomic(at: words + 16)
    partCount = UnsafeAtomic(at: words + 24)
    for index in 1..<self.width {
      let thread = Thread { self.workerLoop(index: index) }
      thread.name = "sprout-cpu-\(index)"
      thread.stackSize = 1 << 20
      threads.append(thread)
      thread.start()
    }
  }

  deinit {
    words.deinitialize(count: 32)
    words.deallocate()
  }

  /// Stops the workers (each holds the pool while it runs, so the owner must call this).
  func shutdown() {
    stopping.store(1, ordering: .releasing)
    condition.lock()
    condition.broadcast()
    condition.unlock()
  }

  /// Runs `job.execute(part:)` for parts `0 ..< parts`, part 0 on the caller, and returns when all have
  /// finished.
  func run(parts: Int, job: KernelJob) {
    BackendCheck.require(parts <= width, "worker pool: \(parts) parts for a pool of \(width)")
    job.parts = parts
    if parts <= 1 {
      if parts == 1 { job.execute(part: 0) }
      return
    }
    self.job = job
    partCount.store(Int64(parts), ordering: .releasing)
    pending.store(Int64(parts - 1), ordering: .releasing)
    generation.wrappingIncrement(ordering: .acquiringAndReleasing)
    // A worker that went to sleep checked `generation` under the lock, so taking it here cannot miss one.
    condition.lock()
    condition.broadcast()
    condition.unlock()

    job.execute(part: 0)

    var spins = 0
    while pending.load(ordering: .acquiring) > 0 && spins < Self.defaultSpinLimit {
      CPUHint.pause()
      spins += 1
    }
    if pending.load(ordering: .acquiring) > 0 {
      condition.lock()
      while pending.load(ordering: .acquiring) > 0 { condition.wait() }
      condition.unlock()
    }
  }

  private func workerLoop(index: Int) {
    var seen: Int64 = 0
    /// Whether there is neither a new job nor a request to stop.
    func idle() -> Bool { generation.load(ordering: .acquiring) == seen && stopping.load(ordering: .acquiring) == 0 }
    while true {
      var spins = 0
      while idle() && spins < spinLimit {
        CPUHint.pause()
        spins += 1
      }
      if idle() {
        condition.lock()
        while idle() { condition.wait() }
        condition.unlock()
      }
      if stopping.load(ordering: .acquiring) != 0 { return }
      seen = generation.load(ordering: .acquiring)
      if index < partCount.load(ordering: .acquiring), let job {
        job.execute(part: index)
        // The last part to finish wakes the caller in case it stopped polling and went to sleep.
        if pending.wrappingDecrementThenLoad(ordering: .acquiringAndReleasing) == 0 {
          condition.lock()
          condition.broadcast()
          condition.unlock()
        }
      }
    }
  }
}
