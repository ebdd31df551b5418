import Foundation
import Testing

/// `sprout submit` and `sprout status` without a cluster: dry runs, refusals that leave the store untouched,
/// and the status of a local run. (The Slurm suite submits for real.)
struct SubmitCommandTests {
  @Test("submit --dry-run prints one batch script per wave and writes nothing")
  func dryRun() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s").path
    let result = try CLI.run([
      "submit", "examples/quickstart.yaml", "--scheduler", "slurm", "--store", store, "--dry-run", "--partition",
      "short", "--array-limit", "2",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.components(separatedBy: "#!/bin/bash").count - 1 == 2)
    #expect(result.stdout.contains("#SBATCH --array=0-3%2"))
    #expect(result.stdout.contains("#SBATCH --partition=short"))
    #expect(result.stderr.contains("dry run: would submit 8 tasks in 2 waves"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: store))
  }

  @Test("submit without sbatch on PATH exits 2 and leaves no run behind")
  func noSlurm() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s").path
    let result = try CLI.run(
      ["submit", "examples/quickstart.yaml", "--scheduler", "slurm", "--store", store],
      environment: ["PATH": dir.path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("sbatch is not on PATH"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: store))
    let usage = try CLI.run(["submit", "examples/quickstart.yaml", "--scheduler", "pbs", "--dry-run"])
    #expect(usage.status == 2)
  }

  @Test("status of a local run: every task done, exit 0; JSON has the same")
  func statusOfALocalRun() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s").path
    #expect(try CLI.run(["run", "examples/quickstart.yaml", "--store", store]).status == 0)
    let status = try CLI.run(["status", "--store", store], environment: ["PATH": dir.path])
    #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
    #expect(status.stdout.contains("8 tasks: 8 done"), "\(status.stdout)")
    let json = try CLI.run(["status", "latest", "--store", store, "--format", "json"])
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect((object?["counts"] as? [String: Int])?["done"] == 8)
    let missing = try CLI.run(["status", "nosuchrun", "--store", store])
    #expect(missing.status == 2)
  }
}
