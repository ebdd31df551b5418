import Foundation

/// Locations of conformance data and fixtures.
enum TestData {
  /// `Tests/Conformance` in this repository (see its README for sources and licences).
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Conformance")

  /// The yaml-test-suite case folders, sorted.
  static var yamlSuiteCases: [String] {
    let dir = root.appendingPathComponent("yaml-test-suite")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { name in
      var isDirectory: ObjCBool = false
      let path = dir.appendingPathComponent(name).path
      return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }.sorted()
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
