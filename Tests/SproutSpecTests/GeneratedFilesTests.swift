import Foundation
import SproutDiagnostics
import SproutSpec
import SproutSyntax
import Testing

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// Compares a generated file with its checked-in copy; with SPROUT_UPDATE_GENERATED=1 rewrites the copy instead.
func checkGenerated(_ relativePath: String, _ content: String) throws {
  let url = packageRoot.appendingPathComponent(relativePath)
  if ProcessInfo.processInfo.environment["SPROUT_UPDATE_GENERATED"] == "1" {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try content.write(to: url, atomically: true, encoding: .utf8)
  }
  let onDisk = try String(contentsOf: url, encoding: .utf8)
  #expect(
    onDisk == content, "\(relativePath) is stale: run SPROUT_UPDATE_GENERATED=1 swift test --filter GeneratedFilesTests"
  )
}

func exampleFiles() throws -> [URL] {
  try FileManager.default.contentsOfDirectory(
    at: packageRoot.appendingPathComponent("examples"), includingPropertiesForKeys: nil
  ).filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
}

/// Runs Python's jsonschema (Draft 2020-12) over YAML files in one process; returns the exit status (1 when any
/// file fails), the output, and the names of the files that failed.
func validateWithPython(_ files: [String]) throws -> (Int32, String) {
  let script = """
    import json, sys, yaml, jsonschema
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for name in sys.argv[2:]:
        errors = list(validator.iter_errors(yaml.safe_load(open(name))))
        for e in errors:
            print(name, list(e.absolute_path), e.message[:300])
        print("FAILED" if errors else "PASSED", name)
        bad += bool(errors)
    sys.exit(1 if bad else 0)
    """
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments =
    ["python3", "-c", script, packageRoot.appendingPathComponent("grammar/sprout.schema.json").path]
    + files
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite(.serialized) struct GeneratedFilesTests {
  @Test func schemaIsCurrent() throws {
    try checkGenerated("grammar/sprout.schema.json", SchemaGenerator.jsonSchema())
  }

  @Test func languageReferenceIsCurrent() throws {
    try checkGenerated("docs/language.md", LanguageReference.markdown())
  }

  @Test func schemaIsDeterministic() {
    #expect(SchemaGenerator.jsonSchema() == SchemaGenerator.jsonSchema())
  }

  @Test func examplesLintClean() throws {
    let files = try exampleFiles()
    #expect(files.count >= 2)
    for url in files {
      var d = Diagnostics()
      let spec = SpecDecoder.decode(
        text: try String(contentsOf: url, encoding: .utf8), file: url.lastPathComponent,
        diagnostics: &d)
      #expect(spec != nil)
      #expect(d.isEmpty, "\(url.lastPathComponent): \(d.sorted.map { "\($0.range.start) [\($0.id)] \($0.message)" })")
    }
  }

  @Test func examplesValidateAgainstTheSchema() throws {
    let (status, output) = try validateWithPython(try exampleFiles().map(\.path))
    #expect(status == 0, "\(output)")
  }

  /// Fixtures that expect no error decode cleanly and validate: the schema accepts what the decoder accepts.
  @Test func cleanFixturesValidateAgainstTheSchema() throws {
    var paths: [String] = []
    for url in fixtureURLs {
      let text = try String(contentsOf: url, encoding: .utf8)
      if !text.contains("expect-error") { paths.append(url.path) }
    }
    #expect(paths.count >= 3)
    let (status, output) = try validateWithPython(paths)
    #expect(status == 0, "\(output)")
  }

  @Test func invalidSpecsFailTheSchema() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-schema-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let cases = [
      "unknown-key": "sprout: 1\nnmae: x\n",
      "unknown-kind": "sprout: 1\ninitializers:\n  a: {kind: kaiming_norml}\n",
      "wrong-type": "sprout: 1\nmodels:\n  m: {input: 2, layers: [{dense: abc}]}\n",
      "out-of-range": "sprout: 1\ninitializers:\n  a: {kind: low_rank, rank: 0}\n",
      "missing-version": "name: x\n",
      "bad-optimizer-key": "sprout: 1\nstages:\n  t: {kind: evaluate, from: a, data: b, record: [{psnr: {peek: 1}}]}\n",
    ]
    var paths: [String] = []
    for (name, text) in cases.sorted(by: { $0.key < $1.key }) {
      let url = dir.appendingPathComponent("\(name).yaml")
      try text.write(to: url, atomically: true, encoding: .utf8)
      paths.append(url.path)
    }
    let (status, output) = try validateWithPython(paths)
    #expect(status == 1)
    for path in paths { #expect(output.contains("FAILED \(path)"), "\(path) should fail the schema: \(output)") }
  }
}

@Suite struct LanguageReferenceTests {
  /// Whole specs shown in docs/language.md (blocks starting with `sprout: 1`) lint clean.
  @Test func wholeSpecExamplesLintClean() throws {
    let markdown = LanguageReference.markdown()
    let blocks = markdown.components(separatedBy: "```yaml\n").dropFirst().compactMap {
      $0.components(separatedBy: "```").first
    }.filter { $0.hasPrefix("sprout: 1") }
    #expect(!blocks.isEmpty)
    for block in blocks {
      var d = Diagnostics()
      _ = SpecDecoder.decode(text: block, file: "language.md", diagnostics: &d)
      #expect(d.isEmpty, "\(d.sorted.map { "\($0.range.start) [\($0.id)] \($0.message)" })\n\(block)")
    }
  }
}
