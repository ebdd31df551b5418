import Foundation
import SproutDiagnostics
import SproutPlanner

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The content digests of the data files tasks read, cached in the store (`cache/file-digests.json`) by each
/// file's absolute path, size, modification time and inode: a file is read and hashed again only when one of those
/// changed, so planning stays fast on large data while a task's hash still covers what its files hold.
///
/// The cache is an optimisation, never the truth: an entry whose identity does not match is recomputed, and a cache
/// file that cannot be read is treated as empty. It is written only into an existing store.
public final class FileDigestCache: FileDigests, @unchecked Sendable {
  // @unchecked: every access to `entries` and `loaded` holds `lock`.
  private let path: String
  private let lock = NSLock()
  private var entries: [String: Entry] = [:]
  private var loaded = false

  /// What identifies one version of a file, and its digest.
  struct Entry: Codable, Equatable {
    var size: Int64
    var mtimeNanoseconds: Int64
    var inode: UInt64
    var sha256: String
  }

  /// The cache of the store at `root`.
  public init(store root: String) {
    path = "\(root)/cache/file-digests.json"
  }

  /// SHA-256 (hex) of the file's bytes, from the cache when the file is unchanged.
  public func digest(ofFile file: String) -> String? {
    let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
    guard let identity = Self.identity(of: absolute) else { return nil }
    let cached: String? = lock.withLock {
      load()
      guard let e = entries[absolute], e.size == identity.size, e.mtimeNanoseconds == identity.mtimeNanoseconds,
        e.inode == identity.inode
      else { return nil }
      return e.sha256
    }
    if let cached { return cached }
    guard let digest = DirectFileDigests().digest(ofFile: absolute) else { return nil }
    // A file that changed while it was read is not cached (its digest may mix two versions).
    guard let after = Self.identity(of: absolute), after == identity else { return digest }
    lock.withLock {
      entries[absolute] = Entry(
        size: identity.size, mtimeNanoseconds: identity.mtimeNanoseconds, inode: identity.inode, sha256: digest)
      save()
    }
    return digest
  }

  /// Size, modification time and inode, or nil when the file cannot be inspected.
  static func identity(of path: String) -> (size: Int64, mtimeNanoseconds: Int64, inode: UInt64)? {
    var s = stat()
    guard stat(path, &s) == 0, (s.st_mode & S_IFMT) == S_IFREG else { return nil }
    #if canImport(Darwin)
      let mtime = Int64(s.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(s.st_mtimespec.tv_nsec)
    #else
      let mtime = Int64(s.st_mtim.tv_sec) * 1_000_000_000 + Int64(s.st_mtim.tv_nsec)
    #endif
    return (Int64(s.st_size), mtime, UInt64(s.st_ino))
  }

  private func load() {
    guard !loaded else { return }
    loaded = true
    guard let bytes = try? AtomicFile.read(path),
      let decoded = try? JSONDecoder().decode([String: Entry].self, from: Data(bytes))
    else { return }  // absent or unreadable: start empty (entries are recomputed)
    entries = decoded
  }

  /// Writes the cache when the store exists; a failure only costs a later recomputation.
  private func save() {
    let root = AtomicFile.parent(of: AtomicFile.parent(of: path))
    guard AtomicFile.exists(root) else { return }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    guard let data = try? encoder.encode(entries) else { return }
    do {
      try AtomicFile.makeDirectory(AtomicFile.parent(of: path))
      try AtomicFile.write([UInt8](data), to: path)
    } catch {
      return  // a read-only or full store: the digests are recomputed next time
    }
  }
}
