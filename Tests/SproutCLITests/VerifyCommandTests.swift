import Foundation
import Testing

/// `sprout verify` and `sprout rerun` on a damaged store: each damage is named (task, step, file) with exit
/// status 1, and rerun removes its scratch store unless `--keep`.
@Suite struct VerifyCommandTests {
  /// A quickstart of 20 steps with checkpoints at 0, 10 and 20, run into `dir/s`; returns trial 1's train task dir.
  static func recorded(in dir: URL) throws -> URL {
    let text = try String(contentsOf: CLI.root.appendingPathComponent("examples/quickstart.yaml"), encoding: .utf8)
      .replacingOccurrences(of: "steps: 300", with: "steps: 20")
      .replacingOccurrences(of: "checkpoint_every: 100", with: "checkpoint_every: 10")
    try text.write(to: dir.appendingPathComponent("q.yaml"), atomically: true, encoding: .utf8)
    let run = try CLI.run(["run", "q.yaml", "--store", "s"], in: dir)
    #expect(run.status == 0, "\(run.stderr)")
    let plan = try CLI.run(["plan", "q.yaml", "--store", "s", "--format", "json"], in: dir)
    let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
    let tasks = object?["tasks"] as? [[String: Any]] ?? []
    let hash = try #require(tasks.first { $0["key"] as? String == "t0001/train" }?["hash"] as? String)
    return dir.appendingPathComponent("s/tasks/\(hash)")
  }

  /// Runs verify and rerun (with TMPDIR in `dir/tmp`); both must fail naming `file` of t0001/train.
  static func expectNamed(_ dir: URL, task: URL, file: String, step: Int?) throws {
    let relative = "tasks/\(task.lastPathComponent)/\(file)"
    let verify = try CLI.run(["verify", "--store", "s"], in: dir)
    #expect(verify.status == 1, "\(verify.stdout)\(verify.stderr)")
    #expect(verify.stdout.contains("t0001/train: \(relative)" + (step.map { " (step \($0)" } ?? "")), "\(verify.stdout)")
    let tmp = dir.appendingPathComponent("tmp")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    let rerun = try CLI.run(["rerun", "--store", "s"], in: dir, environment: ["TMPDIR": tmp.path])
    #expect(rerun.status == 1, "\(rerun.stdout)\(rerun.stderr)")
    let expected = "first divergence: task t0001/train, " + (step.map { "step \($0), " } ?? "")
    #expect(rerun.stdout.contains(expected), "\(rerun.stdout)")
    #expect(rerun.stdout.contains("file \(relative)"), "\(rerun.stdout)")
    #expect(!rerun.stdout.contains("reproduce bit for bit"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "the scratch store was left")
  }

  @Test("a flipped byte in a middle or final checkpoint, a deleted final checkpoint, a deleted metrics.jsonl")
  func damageIsNamed() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let task = try Self.recorded(in: dir)
    let store = dir.appendingPathComponent("s")
    let pristine = dir.appendingPathComponent("pristine")
    try FileManager.default.copyItem(at: store, to: pristine)
    func restore() throws {
      try FileManager.default.removeItem(at: store)
      try FileManager.default.copyItem(at: pristine, to: store)
    }
    func flip(_ name: String) throws {
      let url = task.appendingPathComponent(name)
      var bytes = try Data(contentsOf: url)
      bytes[bytes.count - 5] ^= 0x10
      try bytes.write(to: url)
    }

    let clean = try CLI.run(["verify", "--store", "s", "--format", "json"], in: dir)
    #expect(clean.status == 0, "\(clean.stdout)")
    #expect(clean.stdout.contains("\"ok\" : true") || clean.stdout.contains("\"ok\": true"), "\(clean.stdout)")

    try flip("step-000010.safetensors")
    try Self.expectNamed(dir, task: task, file: "step-000010.safetensors", step: 10)
    try restore()
    try flip("step-000020.safetensors")
    try Self.expectNamed(dir, task: task, file: "step-000020.safetensors", step: 20)
    try restore()
    try FileManager.default.removeItem(at: task.appendingPathComponent("step-000020.safetensors"))
    try Self.expectNamed(dir, task: task, file: "step-000020.safetensors", step: 20)
    try restore()
    try FileManager.default.removeItem(at: task.appendingPathComponent("metrics.jsonl"))
    try Self.expectNamed(dir, task: task, file: "metrics.jsonl", step: nil)

    // --keep keeps the scratch store and says where.
    try restore()
    let tmp = dir.appendingPathComponent("keep")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    let kept = try CLI.run(["rerun", "--store", "s", "--keep"], in: dir, environment: ["TMPDIR": tmp.path])
    #expect(kept.status == 0, "\(kept.stdout)\(kept.stderr)")
    let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
    #expect(left.count == 1)
    #expect(kept.stdout.contains("(kept: "), "\(kept.stdout)")
    #expect(kept.stdout.contains(left.first ?? "?"))
  }
}
