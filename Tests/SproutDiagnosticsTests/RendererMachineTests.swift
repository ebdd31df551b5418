import Foundation
import SproutDiagnostics
import Testing

/// JSON and SARIF output: fields, key order, escaping, and SARIF validity against the official schema.
@Suite struct RendererMachineTests {
  static let catalog: [DiagnosticCatalog.Entry] = [
    .init("test.broken-thing", .error, "A thing is broken.", example: "thing: broken"),
    .init("test.odd-thing", .warning, "A thing is odd.", example: "thing: odd"),
  ]

  static var sample: [Diagnostic] {
    DiagnosticCatalog.register(catalog)
    return [
      Diagnostic(
        "test.broken-thing", "the \"thing\" is broken\tbadly", at: range("dir/my spec.yaml", 3, 3, 5),
        path: "stages.train.lr", notes: [DiagnosticNote("first defined here", at: range("dir/my spec.yaml", 2, 3, 5))],
        help: "fix it",
        fixIts: [FixIt("rename to 'lr'", range: range("dir/my spec.yaml", 3, 3, 5), replacement: "lr")]),
      Diagnostic(
        "test.odd-thing", "odd thing", at: range("/abs/ünï.yaml", 1, 1, 1), notes: [DiagnosticNote("loose note")]),
      Diagnostic("unregistered.id", "no catalogue entry", at: range("a.yaml", 2, 1, 4, endLine: 4)),
    ]
  }

  @Test func jsonHasEveryFieldInFixedOrder() throws {
    let json = DiagnosticRenderer.json(Self.sample)
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    #expect(parsed.count == 3)
    let first = parsed[0]
    #expect(first["id"] as? String == "test.broken-thing")
    #expect(first["severity"] as? String == "error")
    #expect(first["message"] as? String == "the \"thing\" is broken\tbadly")
    #expect(first["file"] as? String == "dir/my spec.yaml")
    #expect(first["line"] as? Int == 3 && first["column"] as? Int == 3)
    #expect(first["end_line"] as? Int == 3 && first["end_column"] as? Int == 5)
    #expect(first["path"] as? String == "stages.train.lr")
    #expect(first["help"] as? String == "fix it")
    let note = try #require((first["notes"] as? [[String: Any]])?.first)
    #expect(note["message"] as? String == "first defined here")
    #expect(note["file"] as? String == "dir/my spec.yaml" && note["line"] as? Int == 2 && note["column"] as? Int == 3)
    let fix = try #require((first["fixits"] as? [[String: Any]])?.first)
    #expect(fix["replacement"] as? String == "lr" && fix["end_column"] as? Int == 5 && fix["line"] as? Int == 3)
    #expect(parsed[1]["severity"] as? String == "warning")
    #expect(parsed[1]["help"] is NSNull)
    let loose = try #require((parsed[1]["notes"] as? [[String: Any]])?.first)
    #expect(loose["line"] is NSNull)
    #expect(DiagnosticRenderer.json([]) == "[]\n")
  }

  @Test func jsonSnapshot() {
    DiagnosticCatalog.register(Self.catalog)
    let d = Diagnostic("test.odd-thing", "odd", at: range(1, 2, 3))
    #expect(
      DiagnosticRenderer.json([d]) == """
        [
          {
            "id": "test.odd-thing",
            "severity": "warning",
            "message": "odd",
            "file": "spec.yaml",
            "line": 1,
            "column": 2,
            "end_line": 1,
            "end_column": 3,
            "path": "",
            "help": null,
            "notes": [],
            "fixits": []
          }
        ]

        """)
  }

  @Test func sarifFields() throws {
    let sarif = DiagnosticRenderer.sarif(Self.sample, toolVersion: "0.1.0")
    let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
    #expect(log["version"] as? String == "2.1.0")
    #expect(log["$schema"] as? String == DiagnosticRenderer.sarifSchemaURI)
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    #expect(driver["name"] as? String == "sprout")
    #expect(driver["version"] as? String == "0.1.0")
    let rules = try #require(driver["rules"] as? [[String: Any]])
    #expect(rules.map { $0["id"] as? String } == ["test.broken-thing", "test.odd-thing", "unregistered.id"])
    #expect((rules[1]["shortDescription"] as? [String: Any])?["text"] as? String == "A thing is odd.")
    #expect((rules[1]["defaultConfiguration"] as? [String: Any])?["level"] as? String == "warning")
    #expect(rules[0]["helpUri"] as? String == "docs/diagnostics.md#test.broken-thing")
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.map { $0["ruleIndex"] as? Int } == [0, 1, 2])
    #expect(results.map { $0["level"] as? String } == ["error", "warning", "error"])
    let locations = try #require(results[0]["locations"] as? [[String: Any]])
    let location = try #require(locations.first?["physicalLocation"] as? [String: Any])
    #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "dir/my%20spec.yaml")
    let region = try #require(location["region"] as? [String: Int])
    #expect(region == ["startLine": 3, "startColumn": 3, "endLine": 3, "endColumn": 5])
    #expect((results[0]["relatedLocations"] as? [[String: Any]])?.count == 1)
    #expect((results[0]["fixes"] as? [[String: Any]])?.count == 1)
    let absolute = try #require(
      ((results[1]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?[
        "artifactLocation"] as? [String: Any])
    #expect(absolute["uri"] as? String == "file:///abs/%C3%BCn%C3%AF.yaml")
  }

  /// Runs Python's jsonschema Draft4Validator over `document`; returns the exit status and output.
  static func validate(_ document: String) throws -> (Int32, String) {
    let schema = TestData.root.appendingPathComponent("sarif/sarif-schema-2.1.0.json")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-\(UUID().uuidString).sarif")
    try document.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let script = """
      import json, sys
      from jsonschema import Draft4Validator
      schema = json.load(open(sys.argv[1]))
      Draft4Validator.check_schema(schema)
      errors = list(Draft4Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
      for e in errors: print(list(e.absolute_path), e.message)
      sys.exit(1 if errors else 0)
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, schema.path, file.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
  }

  @Test func sarifValidatesAgainstTheOfficialSchema() throws {
    let (status, output) = try Self.validate(DiagnosticRenderer.sarif(Self.sample, toolVersion: "0.1.0"))
    #expect(status == 0, "SARIF validation failed:\n\(output)")
    let (emptyStatus, emptyOutput) = try Self.validate(DiagnosticRenderer.sarif([], toolVersion: "0.1.0"))
    #expect(emptyStatus == 0, "SARIF validation failed:\n\(emptyOutput)")
  }

  @Test func theValidatorRejectsBrokenSARIF() throws {
    // A control: if this passed, the validation above would prove nothing.
    let broken = DiagnosticRenderer.sarif(Self.sample, toolVersion: "0.1.0")
      .replacingOccurrences(of: "\"startLine\": 3", with: "\"startLine\": 0")
    let (status, output) = try Self.validate(broken)
    #expect(status == 1, "expected a validation error, got:\n\(output)")
    #expect(output.contains("startLine"))
  }
}
