import Foundation
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain
import SproutConfig
import Testing

@testable import SproutRun

/// The training loop's checkpoints: resume from every checkpoint is bit-identical, corrupt checkpoints are
/// skipped, a changed stamp is refused, NaN stops with the step and the spec line.
struct TrainTaskTests {
  /// A small regression problem: y = tanh(x · w) for a fixed w, 40 rows of 4 features.
  static let data: Dataset = {
    var inputs: [Float] = []
    var targets: [Float] = []
    for r in 0..<40 {
      var dot: Float = 0
      for c in 0..<4 {
        let x = Float((r * 7 + c * 13) % 17) / 8 - 1
        inputs.append(x)
        dot += x * Float(c + 1) * 0.5
      }
      targets.append(Float(Foundation.tanh(Double(dot))))
    }
    // The arrays fit their counts by construction; a failure here is a broken test, not input.
    guard
      let d = try? Dataset(
        features: inputs, targets: targets, count: 40, featureCount: 4, target: .regression(width: 1))
    else { preconditionFailure("test data does not fit its shape") }
    return d
  }()

  static let span = SourceSpan(
    SourceRange(file: "spec.yaml", start: SourceLocation(line: 12, column: 3), end: SourceLocation(line: 12, column: 8))
  )

  static func setup(lr: Float = 0.05, steps: Int = 20, optimizer: UpdateRule? = nil) -> TrainSetup {
    TrainSetup(
      model: ModelConfig(
        input: 4,
        layers: [
          .dense(units: 8, bias: true), .activation(.tanh), .dropout(rate: 0.1), .dense(units: 1, bias: true),
        ]),
      configuration: TrainerConfiguration(
        loss: .mse, optimizer: optimizer ?? .sgd(momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0), lr: lr,
        schedule: .step(stepSize: 7, gamma: 0.5), batchSize: 8, length: .steps(steps), shuffle: true,
        record: [.loss, .lr, .weightNorm(layers: .all), .weightChange(layers: .all, relative: true), .gradNorm],
        every: 3, checkpointEvery: 5),
      seed: 42, streamPath: ["t0000", "train"],
      initialize: { network in
        try Initialization.apply(
          InitConfig(rule: .kaimingNormal(mode: .fanIn, nonlinearity: .tanh)), to: network.parameters, seed: 42,
          path: ["t0000", "train", "init"])
      },
      data: data)
  }

  static func context(
    _ store: Store, backend: String = "cpu", options: ExecutorOptions = ExecutorOptions(),
    events: EventLog = EventLog()
  ) throws -> TaskContext {
    let task = PlanTask(
      key: TaskKey(trial: "t0000", stage: "train"), trialIndex: 0, kind: "train", hash: "task0hash", inputs: [],
      config: nil, seed: 42, span: span)
    return TaskContext(
      store: store, runID: "test-run", task: task, stamp: .init(specHash: "task0hash", toolVersion: options.toolVersion, backend: backend),
      options: options, backend: try Backends.make(name: "cpu", threads: 1), inputs: [:],
      emit: { events.append($0) })
  }

  static func run(
    _ store: Store, setup: TrainSetup = setup(), options: ExecutorOptions = ExecutorOptions(),
    events: EventLog = EventLog(), backend: String = "cpu"
  ) throws -> TrainTask.Result {
    try AtomicFile.makeDirectory(store.taskDirectory("task0hash"))
    return try TrainTask(context: context(store, backend: backend, options: options, events: events), setup: setup)
      .run()
  }

  static func same(_ a: TrainTask.Result, _ b: TrainTask.Result) -> Bool {
    a.steps == b.steps && a.records == b.records && a.finalTensors.count == b.finalTensors.count
      && zip(a.finalTensors, b.finalTensors).allSatisfy { $0.bitEqual($1) }
  }

  @Test func uninterruptedRunWritesCheckpointsAndRecords() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let result = try Self.run(store)
    #expect(result.steps == 20)
    #expect(store.checkpointSteps("task0hash") == [0, 5, 10, 15, 20])
    #expect(result.records.map(\.step) == [0, 3, 6, 9, 12, 15, 18, 20])
    #expect(try store.metrics("task0hash") == result.records)
    let first = try #require(result.records.first?.values["loss"]?.doubleValue)
    let last = try #require(result.records.last?.values["loss"]?.doubleValue)
    #expect(last < first, "training lowers the loss")
    let again = try Self.run(Store(root: TemporaryDirectory().path))
    #expect(Self.same(result, again), "same inputs, same bits")
  }

  @Test func resumeFromEveryCheckpointIsBitIdentical() throws {
    let reference = try Self.run(Store(root: TemporaryDirectory().path))
    for stopAt in [0, 5, 10, 15, 20] {
      let dir = TemporaryDirectory()
      let store = Store(root: dir.path)
      _ = try Self.run(store)
      // A crash right after checkpoint `stopAt`: later checkpoints never got written; metrics.jsonl holds
      // records past it (it is written before each checkpoint), which the resume must cut back.
      for s in store.checkpointSteps("task0hash") where s > stopAt {
        try FileManager.default.removeItem(atPath: store.checkpointPath("task0hash", step: s))
      }
      // An append killed mid-line leaves a torn last record; only the prefix a checkpoint counts is read.
      try AtomicFile.append(Array(#"{"loss":0.1,"st"#.utf8), to: store.metricsPath("task0hash"))
      // A writer killed mid-checkpoint leaves a temporary file; it is never read.
      try AtomicFile.write([1, 2, 3], to: "\(store.taskDirectory("task0hash"))/.step-000025.safetensors.tmp-1-1")
      let events = EventLog()
      let resumed = try Self.run(store, events: events)
      #expect(Self.same(resumed, reference), "resume from step \(stopAt)")
      #expect(events.resumedSteps == [stopAt])
    }
  }

  @Test func checkpointWhoseRecordsAreMissingIsSkipped() throws {
    let reference = try Self.run(Store(root: TemporaryDirectory().path))
    let store = Store(root: TemporaryDirectory().path)
    _ = try Self.run(store)
    try FileManager.default.removeItem(atPath: store.checkpointPath("task0hash", step: 20))
    // Keep the records up to step 6 (0, 3, 6): checkpoints 15 and 10 count more, step 5 counts two.
    let kept = try store.metrics("task0hash").filter { $0.step <= 6 }
    try store.writeMetrics(kept, hash: "task0hash")
    let events = EventLog()
    let resumed = try Self.run(store, events: events)
    #expect(Self.same(resumed, reference))
    #expect(events.resumedSteps == [5])
    #expect(events.warnings.count == 2)
  }

  @Test func cancellationWritesACheckpointAndResumes() throws {
    let reference = try Self.run(Store(root: TemporaryDirectory().path))
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let error = #expect(throws: RunError.self) {
      try Self.run(store, options: ExecutorOptions(stopAfterSteps: 6))
    }
    #expect(error?.code == .cancelled)
    #expect(store.checkpointSteps("task0hash").last == 6, "a checkpoint at the stop step")
    let stop = StopFlag()
    stop.set()
    #expect(throws: RunError.self) { try Self.run(store, options: ExecutorOptions(stop: stop)) }
    let resumed = try Self.run(store)
    #expect(Self.same(resumed, reference))
  }

  @Test func corruptCheckpointsAreSkippedWithAWarning() throws {
    let reference = try Self.run(Store(root: TemporaryDirectory().path))
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    _ = try Self.run(store)
    try FileManager.default.removeItem(atPath: store.checkpointPath("task0hash", step: 20))
    // Tear step 15 (truncate it) and flip a byte in step 10: resume must fall back to step 5.
    let p15 = store.checkpointPath("task0hash", step: 15)
    let bytes15 = try AtomicFile.read(p15)
    try AtomicFile.write(Array(bytes15.prefix(bytes15.count / 2)), to: p15)
    let p10 = store.checkpointPath("task0hash", step: 10)
    var bytes10 = try AtomicFile.read(p10)
    bytes10[bytes10.count - 3] ^= 0x10
    try AtomicFile.write(bytes10, to: p10)
    let events = EventLog()
    let resumed = try Self.run(store, events: events)
    #expect(Self.same(resumed, reference))
    #expect(events.resumedSteps == [5])
    #expect(events.warnings.count == 2)
    #expect(events.warnings.allSatisfy { $0.contains("corrupt") })
  }

  @Test func resumeWithAnotherBackendOrVersionIsRefused() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    #expect(throws: RunError.self) { try Self.run(store, options: ExecutorOptions(stopAfterSteps: 6)) }
    let error = #expect(throws: RunError.self) { try Self.run(store, backend: "blas") }
    #expect(error?.code == .resumeMismatch)
    #expect(error?.message.contains("backend changed from cpu to blas") == true)
    #expect(error?.range?.start.line == 12)
    let versionError = #expect(throws: RunError.self) {
      try Self.run(store, options: ExecutorOptions(toolVersion: "9.9.9"))
    }
    #expect(versionError?.message.contains("tool version changed from 0.1.0 to 9.9.9") == true)
  }

  @Test func nonFiniteLossStopsWithStepAndSpecLine() throws {
    let dir = TemporaryDirectory()
    let store = Store(root: dir.path)
    let setup = Self.setup(lr: 1e30)
    let error = #expect(throws: RunError.self) { try Self.run(store, setup: setup) }
    #expect(error?.code == .nonFiniteLoss)
    #expect(error?.range?.description == "spec.yaml:12:3")
    #expect(error?.message.contains("at step") == true)
    let steps = store.checkpointSteps("task0hash")
    #expect(steps.first == 0, "the initialization checkpoint is kept")
    for s in steps {
      #expect(throws: Never.self) { _ = try Checkpoint.read(store.checkpointPath("task0hash", step: s)) }
    }
  }

  @Test func adamStateSurvivesResume() throws {
    let adam = UpdateRule.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)
    let reference = try Self.run(Store(root: TemporaryDirectory().path), setup: Self.setup(lr: 0.01, optimizer: adam))
    let store = Store(root: TemporaryDirectory().path)
    #expect(throws: RunError.self) {
      try Self.run(store, setup: Self.setup(lr: 0.01, optimizer: adam), options: ExecutorOptions(stopAfterSteps: 9))
    }
    let resumed = try Self.run(store, setup: Self.setup(lr: 0.01, optimizer: adam))
    #expect(Self.same(resumed, reference))
  }
}

/// Collects events from any thread.
final class EventLog: @unchecked Sendable {
  // @unchecked Sendable: `events` is read and written under `lock`.
  private let lock = NSLock()
  private var events: [RunEvent] = []

  func append(_ e: RunEvent) {
    lock.lock()
    events.append(e)
    lock.unlock()
  }

  var all: [RunEvent] {
    lock.lock()
    defer { lock.unlock() }
    return events
  }

  var resumedSteps: [Int] {
    all.compactMap { if case .taskResumed(_, let step, _) = $0 { return step } else { return nil } }
  }

  var warnings: [String] {
    all.compactMap { if case .warning(_, let message, _) = $0 { return message } else { return nil } }
  }
}
