import Foundation
import Testing

/// Rules about the sources that the compiler cannot hold by itself.
@Suite struct SourceRulesTests {
  /// Every Swift file of the package: Sources, Tests, bench/Sources and fuzz/Sources.
  static func swiftFiles() -> [URL] {
    ["Sources", "Tests", "bench/Sources", "fuzz/Sources"].flatMap { folder -> [URL] in
      let root = CLI.root.appendingPathComponent(folder)
      let names = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
      return names.filter { $0.hasSuffix(".swift") }.map { root.appendingPathComponent($0) }
    }
  }

  /// Swift 6 checks every `Sendable` claim but an `@unchecked` one: each says on its next line why it is safe
  /// (`// @unchecked Sendable: every read and write of `slots` holds `lock`.`), so a reader can check the claim.
  @Test("every unchecked Sendable conformance is followed by a comment giving its reason")
  func uncheckedSendableSaysWhy() throws {
    let files = Self.swiftFiles()
    #expect(files.count > 100, "found only \(files.count) Swift files under \(CLI.root.path)")
    // Spelled in two pieces so that this file does not match itself.
    let needle = "@unchecked" + " Sendable"
    var claims = 0
    var unexplained: [String] = []
    for file in files {
      let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
      for (i, line) in lines.enumerated() {
        let code = line.components(separatedBy: "//")[0]
        guard code.contains(needle) else { continue }
        claims += 1
        let next = i + 1 < lines.count ? lines[i + 1].trimmingCharacters(in: .whitespaces) : ""
        if !next.hasPrefix("// @unchecked") {
          unexplained.append("\(file.path.dropFirst(CLI.root.path.count + 1)):\(i + 1)")
        }
      }
    }
    #expect(claims > 0)
    #expect(unexplained.isEmpty, "unchecked Sendable conformances without a reason on the next line: \(unexplained)")
  }
}
