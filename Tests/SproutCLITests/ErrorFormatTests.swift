import Foundation
import Testing

/// One error format (`sprout: error: …`) and one exit-code table (docs/cli.md) across commands, and option values
/// that are refused or capped instead of obeyed.
@Suite struct ErrorFormatTests {
  static func expectError(_ r: CLI.Result, status: Int32 = 2, containing text: String, _ what: String) {
    #expect(r.status == status, "\(what): \(r.status) \(r.stderr)")
    #expect(r.stderr.hasPrefix("sprout: error: "), "\(what): \(r.stderr)")
    #expect(!r.stderr.contains("Error:") && !r.stderr.contains("error: error"), "\(what): \(r.stderr)")
    #expect(r.stderr.contains(text), "\(what): \(r.stderr)")
  }

  @Test("a corrupt manifest is the same error with status 2 for every command that reads it")
  func corruptManifest() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = dir.appendingPathComponent("s/runs/20261203-000000.000-0000")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    try Data("{bad".utf8).write(to: run.appendingPathComponent("manifest.json"))
    let id = "20261203-000000.000-0000"
    for args in [
      ["show", id], ["rerun", id], ["verify", id], ["status", id], ["compare", id, id], ["report", id],
      ["export", id], ["plot", id, "--metric", "loss"],
    ] {
      let r = try CLI.run(args + ["--store", "s"], in: dir)
      Self.expectError(r, containing: "is not valid JSON [run.corrupt-store]", args[0])
    }
    for args in [["show", "nope"], ["rerun", "nope"], ["verify", "nope"]] {
      Self.expectError(try CLI.run(args + ["--store", "s"], in: dir), containing: "[run.unknown-run]", args[0])
    }
  }

  @Test("usage errors, empty paths and --threads above the machine")
  func optionValues() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = CLI.root.appendingPathComponent("examples/quickstart.yaml").path
    for args in [
      ["run", spec, "--store", ""], ["plan", spec, "--store", " "], ["show", "latest", "--store", ""],
      ["plan", spec, "--out", ""], ["rerun", "--store", ""],
    ] {
      Self.expectError(try CLI.run(args, in: dir), containing: "empty", args.joined(separator: " "))
    }
    Self.expectError(try CLI.run(["run", spec, "--jobs", "0"], in: dir), containing: "--jobs must be at least 1", "jobs")
    Self.expectError(try CLI.run(["run", spec, "--threads", "0"], in: dir), containing: "--threads", "threads 0")
    Self.expectError(try CLI.run(["lint", "missing.yaml"], in: dir), containing: "missing.yaml", "lint")
    Self.expectError(try CLI.run(["show", "--no-such-option"], in: dir), containing: "no-such-option", "usage")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".sprout").path))

    let capped = try CLI.run(
      ["run", spec, "--threads", "100000", "--only", "train", "--trial", "t0000", "--store", "s",
       "--set", "stages.train.steps=5"], in: dir)
    #expect(capped.status == 0, "\(capped.stderr)")
    let cores = ProcessInfo.processInfo.activeProcessorCount
    #expect(capped.stderr.contains("sprout: warning: --threads 100000 is more than this machine's \(cores) cores"))
  }
}
