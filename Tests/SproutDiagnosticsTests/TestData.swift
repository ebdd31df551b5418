import Foundation

/// Locations of conformance data.
enum TestData {
  /// `Tests/Conformance` in this repository (see its README for sources and licences).
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Conformance")
}
