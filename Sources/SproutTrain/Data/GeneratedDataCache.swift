import Foundation
import SproutConfig

/// The prepared rows of generated datasets (no files read) that this process loaded last, so a sweep's tasks,
/// which all read the same data (a dataset's streams depend only on the plan's root seed and its name), do not
/// generate, split and standardise it again each time: for bench/sweep's 1,024-sample teacher-student set that
/// was 8% of a 200-step tiny task.
///
/// Only generated sources: a file can change between two runs in one process (tests do that), a generator's
/// output cannot. Entries are values (copy-on-write arrays shared with the caller); the cache keeps a few small
/// ones, oldest out first.
final class GeneratedDataCache: @unchecked Sendable {
  // @unchecked Sendable: `entries` is read and written under `lock` only.
  struct Key: Hashable {
    let selection: DataSelection
    let seed: UInt64
  }

  /// The process's cache.
  static let shared = GeneratedDataCache()
  /// Entries kept at most.
  static let capacity = 4
  /// Floats (features and targets) above which a dataset is not kept: the cache is for a sweep's small data.
  static let maxFloats = 4_000_000

  private let lock = NSLock()
  private var entries: [(key: Key, data: Dataset)] = []

  /// The cached rows for `key`, or `make()`'s, kept when small enough.
  func dataset(_ key: Key, _ make: () throws -> Dataset) rethrows -> Dataset {
    lock.lock()
    if let hit = entries.first(where: { $0.key == key }) {
      lock.unlock()
      return hit.data
    }
    lock.unlock()
    let data = try make()
    guard data.features.count + data.targets.count <= Self.maxFloats else { return data }
    lock.lock()
    defer { lock.unlock() }
    if !entries.contains(where: { $0.key == key }) {
      entries.append((key, data))
      if entries.count > Self.capacity { entries.removeFirst() }
    }
    return data
  }
}
