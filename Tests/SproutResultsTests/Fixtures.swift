import Foundation
import SproutDiagnostics
import SproutDriver
import SproutResults
import SproutRun
import SproutTrain
import Testing

/// Real runs of small specs into temporary stores, and the tools the tests read Sprout's outputs with.
enum Fixtures {
  /// The package root.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// A small two-spirals experiment: 2 initializers × 3 seeds, a train stage with a learning curve, an evaluate
  /// stage, and a select stage over the test accuracy. A second of CPU.
  static let spec = """
    sprout: 1
    name: tiny
    seed: 3
    params: {lr: 0.05, width: 16}
    matrix:
      init: [xavier, orthogonal]
      seed: [0, 1, 2]
    datasets:
      spirals: {kind: two_spirals, samples: 200, noise: 0.05, one_hot: true, split: {train: 0.75, test: 0.25}}
    models:
      mlp: {input: 2, layers: [{dense: "${params.width}"}, tanh, {dense: 2}]}
    initializers:
      xavier: {kind: xavier_normal}
      orthogonal: {kind: orthogonal}
    stages:
      train:
        kind: train
        model: mlp
        init: ${matrix.init}
        data: spirals.train
        loss: cross_entropy
        optimizer: {kind: adam, lr: "${params.lr}"}
        steps: 60
        batch: 32
        record: [loss, accuracy, weight_change]
        every: 10
      test:
        kind: evaluate
        from: train
        data: spirals.test
        record: [loss, accuracy]
      best:
        kind: select
        from: test
        metric: accuracy
        mode: max

    """

  /// A temporary directory (removed at exit of the test process is not needed: it lives in /tmp).
  static func directory(_ name: String = "results") -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-\(name)-\(UUID().uuidString.prefix(8))").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// Writes `text` as `<dir>/<name>` and runs it into the store `<dir>/.sprout`; returns the run id.
  @discardableResult
  static func run(
    _ text: String = spec, in dir: String, name: String = "tiny.yaml", overrides: [String] = [], tags: [String] = []
  ) throws -> String {
    let path = "\(dir)/\(name)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    var plan = PlanRequest(path: path)
    plan.store = "\(dir)/.sprout"
    plan.overrides = overrides
    var request = RunRequest(plan: plan)
    request.jobs = 2
    request.tags = tags
    let outcome = try Running.run(request, stop: StopFlag()) { _ in }
    try #require(outcome.exitCode == 0, "run failed: \(outcome.diagnostics.map { $0.message })")
    return try #require(outcome.summary?.runID)
  }

  /// The store of a directory.
  static func store(_ dir: String) -> Store { Store(root: "\(dir)/.sprout") }

  /// The Python of the test venv (TensorBoard, pandas, polars), made by scripts/test-venv.sh (`make test`).
  static var python: String {
    get throws {
      let path = root.appendingPathComponent(".venv-test/bin/python").path
      try #require(
        FileManager.default.isExecutableFile(atPath: path),
        "no test venv at \(path): run `make test-deps` (or scripts/test-venv.sh) to create it")
      return path
    }
  }

  /// Runs a program; returns status, stdout and stderr.
  static func exec(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, out: String, err: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
  }

  /// Writes a run by hand through the store's own types: `values[trial]` are the final values of `metric`
  /// (any JSON, non-finite ones as the store spells them), one train task per trial over axes `init` and
  /// `seed`. For what real training cannot be made to produce on demand (a diverged trial) and for size.
  static func syntheticRun(
    store: Store, runID: String, started: String = "2026-11-29T15:10:02Z", spec: String = "synthetic",
    trials: [(initializer: String, seed: Int, value: JSONValue)], metric: String = "loss"
  ) throws {
    var tasks: [RunManifest.TaskEntry] = []
    var planTrials: [JSONValue] = []
    for (i, t) in trials.enumerated() {
      let id = String(format: "t%04d", i)
      let hash = "\(runID)-\(id)".utf8.reduce(into: "") { $0 += String(format: "%02x", $1) }
      try AtomicFile.makeDirectory(store.taskDirectory(hash))
      try store.writeMetrics([MetricRecord(step: 0, values: [metric: .double(1)]), MetricRecord(step: 10, values: [metric: t.value])], hash: hash)
      try store.writeOutputs(
        TaskOutputs(hash: hash, kind: "train", steps: 10, finalMetrics: [metric: t.value], outputHashes: [:], seconds: 0.5))
      tasks.append(
        RunManifest.TaskEntry(
          key: "\(id)/train", hash: hash, trial: id, stage: "train", kind: "train", status: "completed",
          metrics: "tasks/\(hash)/metrics.jsonl", seconds: 0.5))
      planTrials.append([
        "index": .int(i), "id": .string(id), "seed": .int(t.seed),
        "assignment": [["axis": "init", "value": .string(t.initializer)], ["axis": "seed", "value": .int(t.seed)]],
      ])
    }
    let plan: JSONValue = [
      "spec": ["name": .string(spec), "path": .string("\(spec).yaml"), "textHash": ""], "backend": "cpu",
      "rootSeed": 0, "overrides": [], "trials": .array(planTrials), "tasks": [],
    ]
    try store.writeManifest(
      RunManifest(
        runID: runID, specPath: "\(spec).yaml", specText: "name: \(spec)\n", plan: plan, toolVersion: "0.1.0",
        backend: "cpu", jobs: 1, machine: ["hostname": "test"], started: started, seconds: 1, tasks: tasks))
  }
}
