import Foundation
import Testing

/// A task's identity covers the contents of the files it reads: editing a data file makes exactly the tasks that
/// read it stale, and `plan --explain` names the file.
@Suite struct DataFileIdentityTests {
  static let spec = """
    sprout: 1
    name: files
    seed: 1
    datasets:
      a: {kind: csv, path: a.csv, target: label}
      b: {kind: csv, path: b.csv, target: label}
    models:
      net: {input: 2, layers: [{dense: 4}, tanh, {dense: 2}]}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train_a: {kind: train, model: net, init: he, data: a, loss: cross_entropy, optimizer: {kind: sgd, lr: 0.1}, steps: 3}
      train_b: {kind: train, model: net, init: he, data: b, loss: cross_entropy, optimizer: {kind: sgd, lr: 0.1}, steps: 3}
    """

  static func table(_ shift: Int) -> String {
    (["x,y,label"] + (0..<12).map { "\(Double(($0 + shift) % 5) / 4),\(Double($0 % 3) / 2),\($0 % 2)" })
      .joined(separator: "\n") + "\n"
  }

  @Test func editingADataFileMakesExactlyItsTasksStale() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.spec.write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    try Self.table(0).write(to: dir.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
    try Self.table(1).write(to: dir.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
    let run = try CLI.run(["run", "spec.yaml"], in: dir)
    #expect(run.status == 0, "\(run.stderr)")
    let cached = try CLI.run(["plan", "spec.yaml"], in: dir)
    #expect(cached.stdout.contains("2 cached"), "\(cached.stdout)")
    // The digests are cached in the store, keyed by each file's identity.
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".sprout/cache/file-digests.json").path))

    // Same size, different contents.
    try Self.table(2).write(to: dir.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
    let plan = try CLI.run(["plan", "spec.yaml"], in: dir)
    #expect(plan.stdout.contains("1 cached, 1 stale"), "\(plan.stdout)")
    let explain = try CLI.run(["plan", "spec.yaml", "--explain", "t0000/train_a"], in: dir)
    #expect(explain.stdout.contains("file 'a.csv' changed"), "\(explain.stdout)")
    let other = try CLI.run(["plan", "spec.yaml", "--explain", "t0000/train_b"], in: dir)
    #expect(other.stdout.contains("cached"), "\(other.stdout)")

    // Back to the old contents: the old task is cached again (identity is the contents, not the edit).
    try Self.table(0).write(to: dir.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
    let back = try CLI.run(["plan", "spec.yaml"], in: dir)
    #expect(back.stdout.contains("2 cached"), "\(back.stdout)")
  }
}
