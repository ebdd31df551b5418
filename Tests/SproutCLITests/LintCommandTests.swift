import Foundation
import Testing

@Suite("sprout lint")
struct LintCommandTests {
  @Test("every example lints without errors")
  func examplesLintClean() throws {
    let examples = CLI.examples
    #expect(examples.count >= 2)
    let result = try CLI.run(["lint"] + examples)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stderr.contains("error:"))
  }

  @Test("errors in several files are all reported, with positions and ids, and exit 1")
  func errorsExitOne() throws {
    let dir = try CLI.temporaryDirectory()
    let a = dir.appendingPathComponent("a.yaml")
    try "sprout: 1\nname: a\nseeed: 3\n".write(to: a, atomically: true, encoding: .utf8)
    let b = dir.appendingPathComponent("b.yaml")
    try "sprout: 1\nname: b\ninitializers:\n  w: {kind: kaiming_norml}\n".write(to: b, atomically: true, encoding: .utf8)
    let result = try CLI.run(["lint", a.path, b.path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("a.yaml:3:1: error:"))
    #expect(result.stderr.contains("[spec.unknown-key]"))
    #expect(result.stderr.contains("did you mean 'seed'"))
    #expect(result.stderr.contains("b.yaml:4:"))
    #expect(result.stderr.contains("kaiming_normal"))
  }

  @Test("many files are checked in parallel but reported in argument order, as one at a time would")
  func manyFilesInArgumentOrder() throws {
    let dir = try CLI.temporaryDirectory()
    var files: [String] = []
    for i in 0..<12 {
      let f = dir.appendingPathComponent("s\(i).yaml")
      // Every third file is clean; the others have an error on a line that depends on the file.
      let body =
        i % 3 == 0
        ? "sprout: 1\nname: s\(i)\n" : "sprout: 1\nname: s\(i)\n" + String(repeating: "# pad\n", count: i) + "seeed: \(i)\n"
      try body.write(to: f, atomically: true, encoding: .utf8)
      files.append(f.path)
    }
    files.insert(CLI.examples[0], at: 5)
    let together = try CLI.run(["lint", "--format", "json"] + files)
    #expect(together.status == 1)
    var oneByOne: [Any] = []
    for f in files {
      let r = try CLI.run(["lint", "--format", "json", f])
      oneByOne += try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any])
    }
    let all = try #require(try JSONSerialization.jsonObject(with: Data(together.stdout.utf8)) as? [Any])
    #expect(all.count >= 8)
    #expect((all as NSArray).isEqual(to: oneByOne))
  }

  @Test("--time-phases prints each file's time per phase")
  func timePhases() throws {
    let result = try CLI.run(["lint", "--time-phases", CLI.examples[0]])
    #expect(result.status == 0)
    let line = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix(CLI.examples[0] + ": ") })
    for phase in ["syntax ", "spec ", "graph ", "plan ", "(total "] { #expect(line.contains(phase), "\(line)") }
  }

  @Test("warnings pass unless --strict")
  func strictWarnings() throws {
    let dir = try CLI.temporaryDirectory()
    let file = dir.appendingPathComponent("w.yaml")
    try """
    sprout: 1
    name: w
    initializers:
      unused: {kind: zeros}
    """.write(to: file, atomically: true, encoding: .utf8)
    let loose = try CLI.run(["lint", file.path])
    #expect(loose.status == 0)
    #expect(loose.stderr.contains("warning:"))
    let strict = try CLI.run(["lint", "--strict", file.path])
    #expect(strict.status == 1)
  }

  @Test("the usual command lines, read without ArgumentParser, mean what ArgumentParser reads of them")
  func directlyReadCommandLines() throws {
    let dir = try CLI.temporaryDirectory()
    let warned = dir.appendingPathComponent("w.yaml").path
    try "sprout: 1\nname: w\ninitializers:\n  unused: {kind: zeros}\n".write(
      toFile: warned, atomically: true, encoding: .utf8)
    let broken = dir.appendingPathComponent("b.yaml").path
    try "sprout: 1\nname: b\nseeed: 3\n".write(toFile: broken, atomically: true, encoding: .utf8)
    let (a, b) = (CLI.examples[0], CLI.examples[1])
    // Each line read directly (first) and the same request in a spelling only ArgumentParser reads (`--opt=value`,
    // files after `--`).
    let pairs: [([String], [String])] = [
      (["lint", a], ["lint", "--", a]),
      (["lint", a, b, warned], ["lint", "--", a, b, warned]),
      (["lint", "--format", "json", broken, a], ["lint", "--format=json", "--", broken, a]),
      (["lint", warned, "--format", "sarif", "--strict"], ["lint", "--strict", "--format=sarif", "--", warned]),
      (["lint", "--strict", warned], ["lint", "--strict", "--", warned]),
      (["lint", "--format", "text", broken], ["lint", "--format=text", "--", broken]),
      (["lint", "help", a], ["lint", "--", "help", a]),
      (["lint", "lint"], ["lint", "--", "lint"]),
    ]
    for (direct, parsed) in pairs {
      let x = try CLI.run(direct)
      let y = try CLI.run(parsed)
      #expect(x.status == y.status, "\(direct)")
      #expect(x.stdout == y.stdout, "\(direct)")
      #expect(x.stderr == y.stderr, "\(direct)")
    }
    // --time-phases: the same lines but for the times.
    let digits = /[0-9]+/
    let x = try CLI.run(["lint", a, "--time-phases", b])
    let y = try CLI.run(["lint", "--time-phases", "--", a, b])
    #expect(x.status == y.status && x.stdout == y.stdout)
    #expect(x.stderr.replacing(digits, with: "0") == y.stderr.replacing(digits, with: "0"))
    // Unknown options and formats are ArgumentParser's, with its messages.
    for args in [["lint", "--format", "xml", a], ["lint", "--formatt", "json", a], ["lint", a, "--format"]] {
      let r = try CLI.run(args)
      #expect(r.status == 2, "\(args)")
      #expect(r.stderr.hasPrefix("sprout: error: "), "\(args): \(r.stderr)")
    }
  }

  @Test("a spec with a one-character name in the current directory is linted (Foundation's dirname trapped on it)")
  func oneCharacterName() throws {
    let dir = try CLI.temporaryDirectory()
    try "sprout: 1\nname: x\nseeed: 1\n".write(to: dir.appendingPathComponent("x"), atomically: true, encoding: .utf8)
    let result = try CLI.run(["lint", "x"], in: dir)
    #expect(result.status == 1)
    #expect(result.stderr.contains("x:3:1: error:"), "\(result.stderr)")
  }

  @Test("an unreadable file or bad arguments exit 2")
  func usageErrorsExitTwo() throws {
    let missing = try CLI.run(["lint", "/nonexistent/spec.yaml"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("cannot read '/nonexistent/spec.yaml'"))
    let badFlag = try CLI.run(["lint", "--format", "xml", "examples/quickstart.yaml"])
    #expect(badFlag.status == 2)
    let noFiles = try CLI.run(["lint"])
    #expect(noFiles.status == 2)
  }

  @Test("--format json prints an array of diagnostics with 1-based positions")
  func jsonFormat() throws {
    let result = try CLI.run(["lint", "--format", "json", "-"], stdin: "sprout: 1\nname: x\nbackend: gpu\n")
    #expect(result.status == 1)
    let data = try #require(result.stdout.data(using: .utf8))
    let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    let first = try #require(array.first)
    for key in ["id", "severity", "message", "file", "line", "column", "end_line", "end_column", "path", "notes", "fixits"] {
      #expect(first[key] != nil, "missing \(key)")
    }
    #expect(first["line"] as? Int == 3)
    #expect(first["column"] as? Int == 10)
  }

  @Test("--format sarif validates against the official SARIF 2.1.0 schema")
  func sarifFormat() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = dir.appendingPathComponent("s.yaml")
    try "sprout: 1\nname: s\nmodels:\n  m: {input: 2, layers: [relu, {dense: abc}]}\n".write(
      to: spec, atomically: true, encoding: .utf8)
    let result = try CLI.run(["lint", "--format", "sarif", spec.path])
    #expect(result.status == 1)
    let sarif = dir.appendingPathComponent("out.sarif")
    try result.stdout.write(to: sarif, atomically: true, encoding: .utf8)
    let schema = CLI.conformanceData.appendingPathComponent("sarif/sarif-schema-2.1.0.json")
    let check = try CLI.python(
      """
      import json, sys, jsonschema
      schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))
      jsonschema.Draft4Validator(schema).validate(doc)
      assert doc["runs"][0]["tool"]["driver"]["name"] == "sprout"
      assert doc["runs"][0]["results"], "no results"
      print("ok")
      """, arguments: [schema.path, sarif.path])
    #expect(check.status == 0, "\(check.stderr)")
  }
}
