import Foundation

/// A fresh temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
  let path: String

  init() {
    let base = FileManager.default.temporaryDirectory.path
    path = "\(base)/sprout-run-tests-\(getpid())-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Names in the directory, sorted.
  func contents(_ sub: String = "") -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: sub.isEmpty ? path : "\(path)/\(sub)")) ?? []).sorted()
  }
}
