import Foundation
import SproutRun

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `sprout gc`: removes task outputs that no run of the store references, and scratch leftovers (temporary
/// files of writers that died), and says how much space that frees. Every run's manifest is read, so what a
/// run (complete, failed, or still going) names is always kept.
public enum GarbageCollector {
  /// What was (or, with `dryRun`, would be) removed.
  public struct Report: Sendable {
    /// Task directories no run references.
    public var unreferencedTasks: [String]
    /// Temporary files of dead writers.
    public var leftovers: [String]
    /// Bytes freed (or that would be).
    public var bytes: Int64
    /// True when nothing was removed.
    public var dryRun: Bool

    /// `removed 3 unreferenced tasks and 2 leftover files: 1.2 MB freed` (or `would remove …`).
    public var text: String {
      var out = ""
      for t in unreferencedTasks { out += (dryRun ? "would remove " : "removed ") + "tasks/\(t)\n" }
      for f in leftovers { out += (dryRun ? "would remove " : "removed ") + "\(f)\n" }
      let what = "\(unreferencedTasks.count) unreferenced task\(unreferencedTasks.count == 1 ? "" : "s") and \(leftovers.count) leftover file\(leftovers.count == 1 ? "" : "s")"
      out += dryRun ? "would remove \(what): \(GarbageCollector.size(bytes)) to free\n" : "removed \(what): \(GarbageCollector.size(bytes)) freed\n"
      return out
    }
  }

  /// Collects the store's garbage (or only reports it, with `dryRun`).
  public static func collect(store: Store, dryRun: Bool) throws -> Report {
    let fm = FileManager.default
    var referenced = Set<String>()
    for id in try store.checkedRunIDs() {
      let manifest = try store.manifest(id)
      for t in manifest.tasks { referenced.insert(t.hash) }
    }
    let hashes = try Store.listFolder("\(store.root)/tasks")
    var report = Report(unreferencedTasks: [], leftovers: [], bytes: 0, dryRun: dryRun)
    for hash in hashes.sorted() where !hash.hasPrefix(".") && !referenced.contains(hash) {
      let dir = store.taskDirectory(hash)
      report.bytes += size(of: dir)
      report.unreferencedTasks.append(hash)
      if !dryRun {
        do { try fm.removeItem(atPath: dir) } catch {
          throw RunError(.io, "cannot remove '\(dir)'", cause: error, path: dir)
        }
      }
    }
    // Temporaries (`.<name>.tmp-<pid>-<n>`) whose writer is no longer alive, anywhere in the store.
    if let walker = fm.enumerator(atPath: store.root) {
      while let relative = walker.nextObject() as? String {
        let name = (relative as NSString).lastPathComponent
        guard name.hasPrefix("."), let pid = writerPID(name), kill(pid, 0) != 0 else { continue }
        let path = "\(store.root)/\(relative)"
        if report.unreferencedTasks.contains(where: { relative.hasPrefix("tasks/\($0)/") }) { continue }
        report.bytes += size(of: path)
        report.leftovers.append(relative)
        if !dryRun {
          // Gone already (its writer finished after all) is fine; a file that stays is an error, not "freed".
          do { try fm.removeItem(atPath: path) } catch where AtomicFile.exists(path) {
            throw RunError(.io, "cannot remove '\(path)'", cause: error, path: path)
          } catch {}
        }
      }
    }
    return report
  }

  /// The pid in a temporary file's name (`.outputs.json.tmp-4242-3`), if it is one.
  static func writerPID(_ name: String) -> Int32? {
    guard let r = name.range(of: ".tmp-", options: .backwards) else { return nil }
    let rest = name[r.upperBound...].split(separator: "-")
    guard rest.count == 2, let pid = Int32(rest[0]), Int(rest[1]) != nil, pid > 0 else { return nil }
    return pid
  }

  /// Bytes of a file or of everything under a directory.
  static func size(of path: String) -> Int64 {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { return 0 }
    if !isDirectory.boolValue { return ((try? fm.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0 }
    var total: Int64 = 0
    for name in (try? fm.subpathsOfDirectory(atPath: path)) ?? [] {
      total += ((try? fm.attributesOfItem(atPath: "\(path)/\(name)"))?[.size] as? NSNumber)?.int64Value ?? 0
    }
    return total
  }

  /// `1.2 MB`.
  static func size(_ bytes: Int64) -> String {
    let b = Double(bytes)
    if b < 1024 { return "\(bytes) B" }
    if b < 1024 * 1024 { return String(format: "%.1f KB", b / 1024) }
    if b < 1024 * 1024 * 1024 { return String(format: "%.1f MB", b / 1024 / 1024) }
    return String(format: "%.2f GB", b / 1024 / 1024 / 1024)
  }
}
