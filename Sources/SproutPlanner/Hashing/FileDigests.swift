import Foundation

/// Where the planner gets the content digest of a data file a task reads: the store keeps a cache keyed by each
/// file's path, size, modification time and inode, so plans stay fast on large files; without a store every file
/// is read and hashed.
public protocol FileDigests: Sendable {
  /// SHA-256 (hex) of the file's bytes, or nil when it cannot be read.
  func digest(ofFile path: String) -> String?
}

/// Reads and hashes every file it is asked about, with no cache.
public struct DirectFileDigests: FileDigests {
  /// Creates the digester.
  public init() {}

  /// SHA-256 (hex) of the file's bytes, streamed in 1 MiB chunks.
  public func digest(ofFile path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }  // read-only: a failed close loses nothing
    var hasher = SHA256()
    do {
      // `read` returns nil (or no bytes) at the end of the file.
      while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
    } catch {
      return nil
    }
    return hasher.finalize().hex
  }
}
