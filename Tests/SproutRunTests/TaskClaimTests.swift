import Foundation
import SproutPlanner
import Testing

@testable import SproutRun

/// Claims (flock on tasks/<hash>/claim), the executor's behaviour when a task is claimed elsewhere, and run
/// ids that never collide. Separate open files conflict under flock even within one process, so a claim held
/// here stands for another process's.
@Suite(.serialized)
struct TaskClaimTests {
  @Test func theClaimTimestampIsWhatISO8601DateFormatterWrites() {
    let formatter = ISO8601DateFormatter()
    for seconds in [0, 951_782_400, 1_796_400_000, 1_796_440_799, 4_102_444_800] {
      #expect(
        TaskClaim.Holder.utcTimestamp(time_t(seconds))
          == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }
  }

  @Test func aClaimIsExclusiveUntilReleasedAndSaysWhoHoldsIt() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    guard case .claimed(let first) = try TaskClaim.attempt(store: store, hash: "h1") else {
      Issue.record("a free task must be claimable")
      return
    }
    #expect(TaskClaim.isHeld(store: store, hash: "h1"))
    guard case .busy(let holder) = try TaskClaim.attempt(store: store, hash: "h1") else {
      Issue.record("a claimed task must be busy")
      return
    }
    #expect(holder?.pid == Int(getpid()))
    #expect(holder?.host == TaskClaim.Holder.localHost)
    // Another task is independent.
    guard case .claimed(let other) = try TaskClaim.attempt(store: store, hash: "h2") else {
      Issue.record("claims are per task")
      return
    }
    other.release()
    first.release()
    first.release()  // idempotent
    #expect(!TaskClaim.isHeld(store: store, hash: "h1"))
    guard case .claimed(let again) = try TaskClaim.attempt(store: store, hash: "h1") else {
      Issue.record("a released claim must be claimable again")
      return
    }
    // Resetting a task (--force) keeps the claim file the lock lives on.
    try store.reset("h1")
    #expect(AtomicFile.exists(store.claimPath("h1")))
    #expect(TaskClaim.isHeld(store: store, hash: "h1"))
    again.release()
  }

  @Test func theExecutorWaitsForATaskClaimedElsewhereThenFindsWhatItNeeds() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let plan = try SpecToStoreTests.plan(store)
    let train = plan.tasks[0]
    guard case .claimed(let held) = try TaskClaim.attempt(store: store, hash: train.hash) else {
      Issue.record("cannot claim")
      return
    }
    let events = ClaimEventLog()
    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var summary: RunSummary?
    // One job: t0000/train is claimed "elsewhere"; the executor moves on to t0001/train, then waits for t0000.
    DispatchQueue.global().async {
      summary = try? Executor(store: store).run(plan: plan, specText: SpecToStoreTests.text) { events.add($0) }
      finished.signal()
    }
    let deadline = Date().addingTimeInterval(60)
    while !events.text.contains("t0000/train: being run by pid \(getpid())") && Date() < deadline { usleep(5_000) }
    #expect(
      events.text.contains(
        "t0000/train: being run by pid \(getpid()) on \(TaskClaim.Holder.localHost); moving on"))
    // t0001's tasks need nothing of t0000: they complete while t0000/train is still claimed.
    while !events.text.contains("t0001/test: completed") && Date() < deadline { usleep(5_000) }
    #expect(events.text.contains("t0001/test: completed"))
    #expect(!events.text.contains("t0000/train: started"))
    held.release()
    #expect(finished.wait(timeout: .now() + 60) == .success)
    let result = try #require(summary)
    #expect(result.succeeded, "\(result.results.compactMap(\.error).map(\.description))")
    #expect(result.results.map(\.status) == [.completed, .completed, .completed, .completed, .completed])
  }

  @Test func aTaskCompletedByTheClaimHolderIsCachedForTheWaiter() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let plan = try SpecToStoreTests.plan(store)
    // The "other process" completes everything while holding t0000/train's claim: the waiter must then take
    // the task as cached, not train it again.
    guard case .claimed(let held) = try TaskClaim.attempt(store: store, hash: plan.tasks[0].hash) else {
      Issue.record("cannot claim")
      return
    }
    let options = ExecutorOptions(onlyTasks: ["t0000/train"])
    let events = ClaimEventLog()
    let finished = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var summary: RunSummary?
    DispatchQueue.global().async {
      summary = try? Executor(store: store, options: options).run(plan: plan, specText: "") { events.add($0) }
      finished.signal()
    }
    let deadline = Date().addingTimeInterval(60)
    while !events.text.contains("waiting for it") && Date() < deadline { usleep(5_000) }
    #expect(events.text.contains("t0000/train: being run by pid \(getpid())"))
    #expect(events.text.contains("; waiting for it"))
    // Complete the task under the claim, as its holder would: train it in a scratch store and move its files
    // in, outputs.json (what makes a task complete) last.
    let scratch = TemporaryDirectory()
    let only = ExecutorOptions(onlyTasks: ["t0000/train"])
    let trained = try Executor(store: Store(root: scratch.path), options: only).run(plan: plan, specText: "")
    #expect(trained.results.first?.status == .completed)
    let from = Store(root: scratch.path).taskDirectory(plan.tasks[0].hash)
    let to = store.taskDirectory(plan.tasks[0].hash)
    let names = scratch.contents("tasks/\(plan.tasks[0].hash)").filter { $0 != "outputs.json" && $0 != "claim" }
    for name in names + ["outputs.json"] {
      try AtomicFile.write(try AtomicFile.read("\(from)/\(name)"), to: "\(to)/\(name)")
    }
    held.release()
    #expect(finished.wait(timeout: .now() + 60) == .success)
    #expect(summary?.results.first?.status == .cached)
    #expect(!events.text.contains("t0000/train: started"))
  }

  @Test func runIDsReservedAtTheSameInstantAreDistinctDirectories() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let date = Date(timeIntervalSince1970: 1_800_000_000)
    let ids = try (0..<300).map { _ in try store.reserveRunID(date: date) }
    #expect(Set(ids).count == 300)
    #expect(dir.contents("runs").count == 300)
  }
}

/// Run events as text lines (`key: what`), collected from any thread.
final class ClaimEventLog: @unchecked Sendable {
  // @unchecked Sendable: `lines` is read and written under `lock`.
  private let lock = NSLock()
  private var lines: [String] = []

  func add(_ event: RunEvent) {
    let line: String
    switch event {
    case .taskStarted(let key, _, _): line = "\(key): started"
    case .taskFinished(let key, let status, _, _): line = "\(key): \(status.rawValue)"
    case .taskCached(let key, _): line = "\(key): cached"
    case .warning(let key, let message, _): line = "\(key ?? ""): \(message)"
    default: return
    }
    lock.lock()
    lines.append(line)
    lock.unlock()
  }

  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return lines.joined(separator: "\n")
  }
}
