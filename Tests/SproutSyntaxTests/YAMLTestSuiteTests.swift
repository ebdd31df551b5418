import Foundation
import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// The 46 yaml-test-suite cases in Tests/Conformance/yaml-test-suite: valid inputs must give exactly the data of
/// `in.json` (plain scalars resolved with the YAML 1.2 core schema), invalid ones an error diagnostic.
@Suite struct YAMLTestSuiteTests {
  @Test func suiteIsPresent() {
    #expect(TestData.yamlSuiteCases.count == 46)
  }

  @Test(arguments: TestData.yamlSuiteCases)
  func suiteCase(_ name: String) throws {
    let input = try #require(TestData.suiteFile(name, "in.yaml"))
    var diagnostics = Diagnostics()
    let roots = YAMLParser.parseStream(bytes: Array(input), file: "in.yaml", diagnostics: &diagnostics)

    if TestData.suiteFile(name, "error") != nil {
      #expect(roots == nil, "\(name) must be rejected")
      #expect(diagnostics.hasErrors, "\(name) must report an error")
      for d in diagnostics { #expect(d.range.start.line >= 1 && d.range.start.column >= 1) }
      return
    }

    let jsonData = try #require(TestData.suiteFile(name, "in.json"))
    let expected = try JSONValue.parseStream(String(decoding: jsonData, as: UTF8.self))
    let documents = try #require(roots, "\(name): \(diagnostics.all.map(\.message))")
    #expect(diagnostics.isEmpty, "\(name): \(diagnostics.all.map(\.message))")
    #expect(documents.map(JSONValue.init(node:)) == expected, "\(name)")

    // Sprout's own rules on top: one document whose top level is a mapping.
    var specDiagnostics = Diagnostics()
    let document = YAMLParser.parse(bytes: Array(input), file: "in.yaml", diagnostics: &specDiagnostics)
    let ids = Set(specDiagnostics.all.map(\.id.rawValue))
    #expect(document.verify() == [], "\(name)")
    let first = documents.first
    if documents.count > 1 { #expect(ids.contains("syntax.multiple-documents"), "\(name)") }
    if first == nil || first?.scalar == "" {
      #expect(ids.contains("syntax.empty-file"), "\(name)")
    } else if first?.mapping == nil {
      #expect(ids.contains("syntax.top-level-not-mapping"), "\(name)")
      #expect(document.root == nil)
    } else {
      #expect(document.root == first)
      if documents.count == 1 { #expect(specDiagnostics.isEmpty, "\(name)") }
    }
  }
}
