import Foundation

/// Publishes the executor's staged task commits on a thread of its own, several at a time.
///
/// A worker that finishes a task stages its commit (outputs.json and the key record under temporary names,
/// ``Store/stageCommit(_:keyRecord:)``), hands it here and takes its next task at once, still holding the task's
/// claim. This thread takes every commit waiting, makes them durable with one sync and renames them
/// (``Store/publish(_:)``), then runs each one's completion: only then is the task complete (its claim released,
/// its manifest entry and result written, the tasks that read it ready). So the documented guarantee is unchanged
/// — a task counts as complete only once it is durable — while the workers never wait for the disk, and tasks
/// that finish during one sync share the next.
///
/// ```
///  worker 1:  task a ─ stage a ─ task c ─ stage c ─ …
///  worker 2:  task b ─ stage b ─ task d ─ …
///  committer:            sync{a,b} ─ rename a, b ─ done(a), done(b) ─ sync{c} …
/// ```
final class GroupCommitter: @unchecked Sendable {
  // @unchecked Sendable: `waiting`, `busy` and `closed` are read and written under `condition`; `store` is immutable.
  private let store: Store
  private let condition = NSCondition()
  private var waiting: [(commit: Store.StagedCommit, done: @Sendable (RunError?) -> Void)] = []
  /// The thread is publishing a group (taken off `waiting`, completions not all run yet).
  private var busy = false
  private var closed = false
  private var thread: Thread?

  init(store: Store) { self.store = store }

  /// Commits that may wait at once: a worker submitting more waits for the current sync. Each waiting commit holds
  /// its task's claim (an open file), so a disk slower than the tasks must not pile up thousands of them.
  static let maxWaiting = 64

  /// Queues a staged commit; `done` runs on the committer's thread once it is published (nil) or failed.
  func submit(_ commit: Store.StagedCommit, done: @escaping @Sendable (RunError?) -> Void) {
    condition.lock()
    defer { condition.unlock() }
    precondition(!closed, "a commit submitted after the committer was drained for good")
    while waiting.count >= Self.maxWaiting && thread != nil { condition.wait() }
    waiting.append((commit, done))
    if thread == nil {
      // A thread of its own, not a dispatch queue's: the workers occupy the global pool's threads.
      let t = Thread { [self] in loop() }
      t.name = "sprout-commit"
      thread = t
      t.start()
    }
    condition.broadcast()
  }

  /// Waits until every commit submitted so far has been published and its completion has run, then stops the thread.
  func finish() {
    condition.lock()
    defer { condition.unlock() }
    closed = true
    condition.broadcast()
    while busy || !waiting.isEmpty || thread != nil { condition.wait() }
  }

  private func loop() {
    while true {
      condition.lock()
      while waiting.isEmpty && !closed { condition.wait() }
      if waiting.isEmpty {
        thread = nil
        condition.broadcast()
        condition.unlock()
        return
      }
      let group = waiting
      waiting = []
      busy = true
      condition.broadcast()
      condition.unlock()

      let errors = store.publish(group.map(\.commit))
      for (item, error) in zip(group, errors) { item.done(error) }

      condition.lock()
      busy = false
      condition.broadcast()
      condition.unlock()
    }
  }
}
