import Foundation
import SproutDiagnostics
import SproutSpec
import SproutSyntax
import Testing

/// One expected diagnostic from a `# expect-error[id]` / `# expect-warning[id]` comment.
struct Expectation: Hashable, Comparable, CustomStringConvertible {
  var line: Int
  var severity: Severity
  var id: String

  static func < (a: Self, b: Self) -> Bool { (a.line, a.id, a.severity.rawValue) < (b.line, b.id, b.severity.rawValue) }
  var description: String { "\(line): \(severity.rawValue)[\(id)]" }
}

/// Reads the expectations written inline in a fixture.
func expectations(in text: String) -> [Expectation] {
  var result: [Expectation] = []
  for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
    var rest = Substring(line)
    while let r = rest.range(of: "expect-") {
      rest = rest[r.upperBound...]
      let severity: Severity
      if rest.hasPrefix("error[") {
        severity = .error
      } else if rest.hasPrefix("warning[") {
        severity = .warning
      } else {
        continue
      }
      guard let open = rest.firstIndex(of: "["), let close = rest.firstIndex(of: "]") else { break }
      result.append(Expectation(line: i + 1, severity: severity, id: String(rest[rest.index(after: open)..<close])))
      rest = rest[close...]
    }
  }
  return result.sorted()
}

/// Runs Syntax → Spec over a fixture and returns what was reported, as expectations.
func lint(_ text: String, file: String) -> (Spec?, [Diagnostic]) {
  var diagnostics = Diagnostics()
  let spec = SpecDecoder.decode(text: text, file: file, diagnostics: &diagnostics)
  return (spec, diagnostics.sorted)
}

let fixtureURLs: [URL] = {
  guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
    let files = try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
  else { return [] }
  return files.filter { $0.pathExtension == "yaml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
}()

@Suite struct FixtureTests {
  @Test func fixturesExist() {
    #expect(fixtureURLs.count >= 10)
  }

  @Test(arguments: fixtureURLs.map(\.lastPathComponent))
  func fixture(_ name: String) throws {
    let url = try #require(fixtureURLs.first { $0.lastPathComponent == name })
    let text = try String(contentsOf: url, encoding: .utf8)
    let (_, diagnostics) = lint(text, file: name)
    let actual = diagnostics.map { Expectation(line: $0.range.start.line, severity: $0.severity, id: $0.id.rawValue) }
      .sorted()
    let expected = expectations(in: text)
    let details = diagnostics.map { "\($0.range.start) \($0.severity) [\($0.id)] \($0.message)" }.joined(
      separator: "\n")
    #expect(actual == expected, "\(name):\n\(details)")
  }

  /// Ids found while lowering a spec (the planner's work, which these fixtures do not reach): exercised by
  /// Tests/SproutPlannerTests/LoweringTests.swift.
  static let loweringIDs: Set<String> = ["spec.no-effect", "spec.cannot-run"]

  /// Every id a fixture expects is in the catalogue, and every `spec.*` id is exercised by some fixture.
  @Test func everyIdIsCataloguedAndExercised() throws {
    var seen: Set<String> = []
    for url in fixtureURLs {
      for e in expectations(in: try String(contentsOf: url, encoding: .utf8)) { seen.insert(e.id) }
    }
    let catalogued = Set(SpecDiagnostics.catalog.map(\.id.rawValue))
    #expect(seen.filter { $0.hasPrefix("spec.") }.subtracting(catalogued).isEmpty)
    let unseen = catalogued.subtracting(seen).subtracting(Self.loweringIDs)
    #expect(unseen.isEmpty, "not exercised: \(unseen.sorted())")
    #expect(SpecDiagnostics.catalog.map(\.id) == SpecDiagnostics.catalog.map(\.id).sorted())
  }
}
