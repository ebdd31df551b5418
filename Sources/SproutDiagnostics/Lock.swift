#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A small mutex for the few process-wide registries (diagnostic catalogues) and lazily built indexes.
public final class Lock: @unchecked Sendable {
  private var mutex = pthread_mutex_t()

  /// Creates an unlocked mutex.
  public init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }

  /// Runs `body` holding the lock.
  public func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return try body()
  }
}
