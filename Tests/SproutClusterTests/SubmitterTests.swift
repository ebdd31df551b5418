import Foundation
import SproutCluster
import SproutDriver
import SproutPlanner
import SproutRun
import Testing

/// Waves, batch scripts and dry-run submissions from real plans, without a Slurm cluster (the Slurm tests in
/// SproutSlurmTests submit for real).
struct SubmitterTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-cluster-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The plan of a spec file against a store.
  static func plan(_ path: String, store: String, overrides: [String] = []) throws -> Plan {
    var request = PlanRequest(path: path)
    request.store = store
    request.overrides = overrides
    let outcome = try Planning.plan(request)
    return try #require(outcome.plan, "\(outcome.front.diagnostics.sorted.map(\.message))")
  }

  static let quickstart = root.appendingPathComponent("examples/quickstart.yaml").path

  /// A spec whose select stage reads every trial's evaluation: three waves.
  static let selectSpec = """
    sprout: 1
    name: three-waves
    seed: 1
    matrix:
      lr: [0.01, 0.02, 0.05]
    datasets:
      teacher: {kind: teacher_student, inputs: 4, outputs: 1, samples: 64, split: {train: 0.75, test: 0.25}}
    models:
      net: {input: 4, layers: [{dense: 8}, relu, {dense: 1}]}
    initializers:
      he: {kind: kaiming_normal, nonlinearity: relu}
    stages:
      train:
        kind: train
        model: net
        init: he
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: 20
        batch: 16
        record: [loss]
      test: {kind: evaluate, from: train, data: teacher.test, record: [loss]}
      best: {kind: select, from: test, metric: loss}

    """

  @Test func wavesFollowTheDependencyDepthAndLeaveCachedTasksOut() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let quick = try Self.plan(Self.quickstart, store: dir.appendingPathComponent("s").path)
    let waves = Waves(tasks: quick.tasks)
    #expect(
      waves.waves.map { $0.map(\.description) } == [
        ["t0000/train", "t0001/train", "t0002/train", "t0003/train"],
        ["t0000/test", "t0001/test", "t0002/test", "t0003/test"],
      ])

    let spec = dir.appendingPathComponent("select.yaml")
    try Self.selectSpec.write(to: spec, atomically: true, encoding: .utf8)
    let three = try Self.plan(spec.path, store: dir.appendingPathComponent("s").path)
    #expect(Waves(tasks: three.tasks).waves.map(\.count) == [3, 3, 1])
    // With the train tasks done, the evaluations read nothing still to run: they are the first wave.
    let pending = three.tasks.filter { $0.stage != "train" }
    #expect(Waves(tasks: pending).waves.map(\.count) == [3, 1])
  }

  @Test func aDryRunPrintsOneArrayPerWaveAndWritesNothing() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = dir.appendingPathComponent("s").path
    let plan = try Self.plan(Self.quickstart, store: store)
    var options = SlurmOptions(sproutPath: "/opt/sprout/bin/sprout")
    options.partition = "short"
    options.time = "0:30:00"
    options.cpusPerTask = 2
    options.memory = "2G"
    options.account = "lab"
    options.qos = "normal"
    options.arrayLimit = 3
    options.extraArguments = ["--constraint=avx2"]
    var request = Submitter.Request(
      plan: plan, specPath: Self.quickstart, specText: "", store: Store(root: store), options: options)
    request.dryRun = true
    let result = try Submitter().submit(request)
    #expect(result.scripts.count == 2)
    #expect(result.submission == nil)
    #expect(!FileManager.default.fileExists(atPath: store), "a dry run writes nothing")

    let first = result.scripts[0].text
    for line in [
      "#SBATCH --array=0-3%3", "#SBATCH --signal=B:TERM@60", "#SBATCH --requeue", "#SBATCH --kill-on-invalid-dep=yes",
      "#SBATCH --partition=short", "#SBATCH --time=0:30:00", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=2G",
      "#SBATCH --account=lab", "#SBATCH --qos=normal", "#SBATCH --constraint=avx2", "#SBATCH --open-mode=append",
    ] {
      #expect(first.contains(line + "\n"), "missing \(line)")
    }
    #expect(!first.contains("--dependency"))
    #expect(first.contains("'/opt/sprout/bin/sprout' run --plan"))
    #expect(result.scripts[1].text.contains("#SBATCH --dependency=afterok:<wave 1 job>\n"))
    // The scripts are valid bash.
    for script in result.scripts { try Self.checkSyntax(script.text) }
  }

  @Test func aWaveLongerThanTheLargestArrayIsSplitAndTheNextWaveWaitsForEveryPart() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let plan = try Self.plan(Self.quickstart, store: dir.appendingPathComponent("s").path)
    var options = SlurmOptions(sproutPath: "/usr/bin/sprout")
    options.maxArrayElements = 3
    var request = Submitter.Request(
      plan: plan, specPath: Self.quickstart, specText: "", store: Store(root: dir.path), options: options)
    request.dryRun = true
    let result = try Submitter().submit(request)
    #expect(result.scripts.map(\.count) == [3, 1, 3, 1])
    #expect(result.scripts.map(\.offset) == [0, 3, 0, 3])
    #expect(result.scripts[1].text.contains("sed -n \"$((SLURM_ARRAY_TASK_ID + 4))p\""))
    #expect(result.scripts[1].log.hasSuffix("/w1-2-%a.log"))
    #expect(result.scripts[2].after.count == 2)
  }

  @Test func pathsAreQuotedForTheShell() throws {
    var options = SlurmOptions(sproutPath: "/home/o'brien/bin/sprout")
    options.arrayLimit = nil
    let script = BatchScript(
      wave: 0, waveCount: 1, offset: 0, count: 1, part: 0, runID: "r", experiment: "x", store: "/data/it's here",
      plan: "/data/it's here/runs/r/plan.json", taskList: "/data/it's here/runs/r/slurm/w1.tasks",
      log: "/data/logs/w1-%a.log", directory: "/data", after: [], force: true, options: options)
    #expect(script.text.contains("'/home/o'\\''brien/bin/sprout' run"))
    #expect(script.text.contains("--store '/data/it'\\''s here'"))
    #expect(script.text.contains(" --force &\n"))
    try Self.checkSyntax(script.text)
  }

  @Test func statusOfALocalRunNamesTheFailureAndWhatItBlocked() throws {
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("failing.yaml")
    try Self.failingSpec(lr: "1.0e30").write(to: spec, atomically: true, encoding: .utf8)
    let store = dir.appendingPathComponent("s").path
    var request = RunRequest(plan: PlanRequest(path: spec.path))
    request.plan.store = store
    let outcome = try Running.run(request, stop: .init()) { _ in }
    #expect(outcome.exitCode == 1)
    let status = try Submitting.status("latest", storePath: store, client: nil)
    #expect(status.tasks.map(\.state) == [.done, .done, .failed, .notRun])
    #expect(status.tasks[2].detail.contains("run.non-finite-loss"), "\(status.tasks[2].detail)")
    #expect(status.tasks[3].detail == "input t0001/train failed")
    #expect(status.countsText == "2 done, 1 failed, 1 not run")
    #expect(status.isSettled && !status.isComplete)
    #expect(status.text.contains("t0001/test   not run  input t0001/train failed"), "\(status.text)")
  }

  /// Two trials; the second's learning rate is `lr` (1e30 makes its loss infinite within a few steps).
  static func failingSpec(lr: String, steps: Int = 50) -> String {
    """
    sprout: 1
    name: failing
    seed: 3
    matrix:
      lr: [0.01, \(lr)]
    datasets:
      teacher: {kind: teacher_student, inputs: 4, outputs: 1, samples: 128, split: {train: 0.75, test: 0.25}}
    models:
      net: {input: 4, layers: [{dense: 16}, relu, {dense: 1}]}
    initializers:
      he: {kind: kaiming_normal, nonlinearity: relu}
    stages:
      train:
        kind: train
        model: net
        init: he
        data: teacher.train
        loss: mse
        optimizer: {kind: sgd, lr: "${matrix.lr}"}
        steps: \(steps)
        batch: 32
        checkpoint_every: 10
        record: [loss]
        every: 10
      test: {kind: evaluate, from: train, data: teacher.test, record: [loss]}

    """
  }

  /// `bash -n` on a script.
  static func checkSyntax(_ text: String) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-script-\(UUID().uuidString).sh")
    try text.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let bash = Process()
    bash.executableURL = URL(fileURLWithPath: "/bin/bash")
    bash.arguments = ["-n", file.path]
    let err = Pipe()
    bash.standardError = err
    try bash.run()
    bash.waitUntilExit()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(bash.terminationStatus == 0, "\(message)\n\(text)")
  }
}
