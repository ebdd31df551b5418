import Foundation

/// Locations of conformance data.
enum TestData {
  /// `../shared/testdata` next to the package root, falling back to `/work/shared/testdata`.
  static let root: URL = {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let sibling = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    if FileManager.default.fileExists(atPath: sibling.path) { return sibling }
    return URL(fileURLWithPath: "/work/shared/testdata")
  }()
}
