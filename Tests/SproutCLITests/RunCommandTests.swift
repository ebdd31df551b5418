import Foundation
import Testing

/// End-to-end runs of the built `sprout`: caching, determinism across --jobs, rerun, show, NaN handling and
/// resumption after `kill -9` of a real process.
@Suite("sprout run", .serialized)
struct RunCommandTests {
  /// A small training spec whose train stage takes a second or two in a debug build.
  static func longSpec(steps: Int = 600, lr: String = "0.05") -> String {
    """
    sprout: 1
    name: resume-check
    seed: 11
    datasets:
      teacher:
        kind: teacher_student
        inputs: 8
        outputs: 1
        samples: 512
        split: {train: 0.75, test: 0.25}
    models:
      net:
        input: 8
        layers: [{dense: 64}, tanh, {dense: 64}, tanh, {dense: 1}]
    initializers:
      init: {kind: xavier_normal}
    stages:
      train:
        kind: train
        model: net
        init: init
        data: teacher.train
        loss: mse
        optimizer: {kind: adam, lr: \(lr)}
        steps: \(steps)
        batch: 32
        checkpoint_every: 25
        record: [loss, weight_change, grad_norm]
        every: 10
      test:
        kind: evaluate
        from: train
        data: teacher.test
        record: [loss]

    """
  }

  /// Output hashes of every complete task in a store, by task hash.
  static func outputHashes(_ store: URL) throws -> [String: [String: String]] {
    var result: [String: [String: String]] = [:]
    let tasks = store.appendingPathComponent("tasks")
    for hash in try FileManager.default.contentsOfDirectory(atPath: tasks.path) {
      let url = tasks.appendingPathComponent(hash).appendingPathComponent("outputs.json")
      guard let data = FileManager.default.contents(atPath: url.path),
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
        let hashes = object["output_hashes"] as? [String: String]
      else { continue }
      result[hash] = hashes
    }
    return result
  }

  static func checkpoints(_ store: URL) -> [String] {
    let tasks = store.appendingPathComponent("tasks")
    guard let enumerator = FileManager.default.enumerator(atPath: tasks.path) else { return [] }
    return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".safetensors") }
  }

  @Test("quickstart runs, a second run is all cached, --force reproduces the same hashes, show and rerun agree")
  func quickstartCachingRerunShow() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = CLI.root.appendingPathComponent("examples/quickstart.yaml").path
    let first = try CLI.run(["run", spec, "--store", dir.appendingPathComponent("s").path])
    #expect(first.status == 0, "\(first.stderr)")
    let hashes = try Self.outputHashes(dir.appendingPathComponent("s"))
    #expect(!hashes.isEmpty)

    let second = try CLI.run(["run", spec, "--store", dir.appendingPathComponent("s").path])
    #expect(second.status == 0)
    #expect(second.stderr.contains("cached"))
    #expect(!second.stderr.contains("started"))

    let plan = try CLI.run(["plan", spec, "--store", dir.appendingPathComponent("s").path])
    #expect(plan.stdout.contains(" 0 stale, 0 new"), "\(plan.stdout)")

    let forced = try CLI.run(["run", spec, "--force", "--store", dir.appendingPathComponent("s").path])
    #expect(forced.status == 0)
    #expect(try Self.outputHashes(dir.appendingPathComponent("s")) == hashes)

    let show = try CLI.run(["show", "latest", "--store", dir.appendingPathComponent("s").path])
    #expect(show.status == 0)
    #expect(show.stdout.contains("t0000/train"))
    let json = try CLI.run(["show", "latest", "--format", "json", "--store", dir.appendingPathComponent("s").path])
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    #expect((object?["tasks"] as? [Any])?.isEmpty == false)

    let rerun = try CLI.run(["rerun", "latest", "--store", dir.appendingPathComponent("s").path])
    #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
    #expect(rerun.stdout.contains("reproduce bit for bit"))
  }

  @Test("--jobs 2 gives bit-identical outputs to --jobs 1")
  func jobsDoNotChangeResults() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = CLI.root.appendingPathComponent("examples/quickstart.yaml").path
    let one = try CLI.run(["run", spec, "--jobs", "1", "--store", dir.appendingPathComponent("a").path])
    let two = try CLI.run(["run", spec, "--jobs", "2", "--store", dir.appendingPathComponent("b").path])
    #expect(one.status == 0 && two.status == 0, "\(one.stderr)\(two.stderr)")
    let a = try Self.outputHashes(dir.appendingPathComponent("a"))
    #expect(!a.isEmpty)
    #expect(a == (try Self.outputHashes(dir.appendingPathComponent("b"))))
  }

  @Test("after kill -9 mid-training, running again resumes and ends bit-identical to an uninterrupted run")
  func killNineAndResume() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = dir.appendingPathComponent("resume.yaml")
    try Self.longSpec().write(to: spec, atomically: true, encoding: .utf8)
    let reference = dir.appendingPathComponent("reference")
    let clean = try CLI.run(["run", spec.path, "--store", reference.path])
    #expect(clean.status == 0, "\(clean.stderr)")
    let expected = try Self.outputHashes(reference)
    #expect(expected.count == 2)

    // Kill at two different moments: soon after the first checkpoints, and later.
    for (index, wantCheckpoints) in [2, 9].enumerated() {
      let store = dir.appendingPathComponent("killed\(index)")
      let process = Process()
      process.executableURL = CLI.binary
      process.arguments = ["run", spec.path, "--store", store.path]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      let deadline = Date().addingTimeInterval(120)
      while process.isRunning && Self.checkpoints(store).count < wantCheckpoints && Date() < deadline {
        usleep(2_000)
      }
      let wasRunning = process.isRunning
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(wasRunning, "the run finished before it could be killed; make the spec longer")
      #expect(process.terminationReason == .uncaughtSignal)

      let resumed = try CLI.run(["run", spec.path, "--store", store.path])
      #expect(resumed.status == 0, "\(resumed.stderr)")
      #expect(resumed.stderr.contains("resuming from step"), "\(resumed.stderr)")
      #expect(try Self.outputHashes(store) == expected)
    }
  }

  @Test("Ctrl-C (SIGINT) stops after writing a checkpoint; running again finishes bit-identical")
  func interruptAndContinue() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = dir.appendingPathComponent("int.yaml")
    try Self.longSpec().write(to: spec, atomically: true, encoding: .utf8)
    let reference = dir.appendingPathComponent("reference")
    #expect(try CLI.run(["run", spec.path, "--store", reference.path]).status == 0)
    let expected = try Self.outputHashes(reference)

    let store = dir.appendingPathComponent("interrupted")
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = ["run", spec.path, "--store", store.path]
    let err = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = err
    try process.run()
    let deadline = Date().addingTimeInterval(120)
    while process.isRunning && Self.checkpoints(store).count < 3 && Date() < deadline { usleep(2_000) }
    let wasRunning = process.isRunning
    kill(process.processIdentifier, SIGINT)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(wasRunning, "the run finished before it could be interrupted")
    #expect(process.terminationReason == .exit, "SIGINT must be handled, not kill the process")
    #expect(process.terminationStatus == 130, "a run stopped by Ctrl-C exits 128 + SIGINT")
    #expect(stderr.contains("stopped"), "\(stderr)")

    let resumed = try CLI.run(["run", spec.path, "--store", store.path])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("resuming from step"))
    #expect(try Self.outputHashes(store) == expected)
  }

  @Test("a NaN loss stops the task with an error naming the step and the stage's line, keeping checkpoints")
  func nonFiniteLoss() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = dir.appendingPathComponent("nan.yaml")
    try Self.longSpec(steps: 200, lr: "1.0e30").write(to: spec, atomically: true, encoding: .utf8)
    let result = try CLI.run(["run", spec.path, "--store", dir.appendingPathComponent("s").path])
    #expect(result.status == 1)
    #expect(result.stderr.contains("nan.yaml:18:3: error:"), "\(result.stderr)")
    #expect(result.stderr.contains("at step"))
    #expect(result.stderr.contains("[run.non-finite-loss]"))
    #expect(!Self.checkpoints(dir.appendingPathComponent("s")).isEmpty)
  }

  @Test("plan --out writes a plan whose tasks another process runs one by one")
  func planFileTasks() throws {
    let dir = try CLI.temporaryDirectory()
    let spec = dir.appendingPathComponent("p.yaml")
    try Self.longSpec(steps: 40).write(to: spec, atomically: true, encoding: .utf8)
    let planFile = dir.appendingPathComponent("plan.json").path
    let store = dir.appendingPathComponent("s").path
    let plan = try CLI.run(["plan", spec.path, "--out", planFile, "--store", store])
    #expect(plan.status == 0, "\(plan.stderr)")
    let train = try CLI.run(["run", "--plan", planFile, "--task", "t0000/train", "--store", store])
    #expect(train.status == 0, "\(train.stderr)")
    let test = try CLI.run(["run", "--plan", planFile, "--task", "t0000/test", "--store", store])
    #expect(test.status == 0, "\(test.stderr)")
    #expect(try Self.outputHashes(URL(fileURLWithPath: store)).count == 2)
    let missing = try CLI.run(["run", "--plan", planFile, "--task", "t9/none", "--store", store])
    #expect(missing.status == 2)
  }
}
