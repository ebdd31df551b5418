import Foundation

/// Locations of conformance data and fixtures.
enum TestData {
  /// `../shared/testdata` next to the package root, falling back to `/work/shared/testdata`.
  static let root: URL = {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let sibling = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    if FileManager.default.fileExists(atPath: sibling.path) { return sibling }
    return URL(fileURLWithPath: "/work/shared/testdata")
  }()

  /// The yaml-test-suite case folders, sorted.
  static var yamlSuiteCases: [String] {
    let dir = root.appendingPathComponent("yaml-test-suite")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { !$0.hasPrefix(".") && $0 != "LICENSE" }.sorted()
  }

  /// A file of a suite case, if present.
  static func suiteFile(_ name: String, _ file: String) -> Data? {
    try? Data(contentsOf: root.appendingPathComponent("yaml-test-suite/\(name)/\(file)"))
  }

  /// The bytes of a fixture in Tests/SproutSyntaxTests/Fixtures.
  static func fixture(_ name: String) throws -> [UInt8] {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
      throw CocoaError(.fileNoSuchFile)
    }
    return Array(try Data(contentsOf: url))
  }
}
