import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Several `sprout` processes on one store, and the signals that stop a run: claims keep any task from being
/// trained twice, nothing is corrupted, and SIGINT/SIGTERM stop at a checkpoint with 130/143.
@Suite("a store shared by processes", .serialized)
struct SharedStoreTests {
  /// A process whose standard error is collected as it arrives.
  final class Running: @unchecked Sendable {
    // @unchecked Sendable: `collected` is read and written under `lock`; `process` is configured in init, before
    // it runs, and afterwards only queried, signalled and waited on.
    let process = Process()
    private let lock = NSLock()
    private var collected = Data()

    init(_ args: [String]) throws {
      process.executableURL = CLI.binary
      process.arguments = args
      var env = ProcessInfo.processInfo.environment
      env["NO_COLOR"] = "1"
      process.environment = env
      let err = Pipe()
      process.standardOutput = FileHandle.nullDevice
      process.standardError = err
      err.fileHandleForReading.readabilityHandler = { [weak self] handle in
        let data = handle.availableData
        guard let self, !data.isEmpty else { return }
        self.lock.lock()
        self.collected.append(data)
        self.lock.unlock()
      }
      try process.run()
    }

    var stderr: String {
      lock.lock()
      defer { lock.unlock() }
      return String(decoding: collected, as: UTF8.self)
    }

    /// Waits (at most `seconds`) until standard error contains `text`.
    func waitFor(_ text: String, seconds: Double = 120) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      while !stderr.contains(text) && Date() < deadline && process.isRunning { usleep(5_000) }
      return stderr.contains(text)
    }

    /// Waits for the process to end and returns its exit status.
    func finish() -> Int32 {
      process.waitUntilExit()
      usleep(50_000)  // let the last output arrive
      return process.terminationStatus
    }
  }

  /// Lines `<key>  <word>` in a run's output, counted by key.
  static func count(_ word: String, in output: String) -> [String: Int] {
    var counts: [String: Int] = [:]
    for line in output.split(separator: "\n") {
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      if parts.count >= 2, parts[1] == word, parts[0].contains("/") { counts[String(parts[0]), default: 0] += 1 }
    }
    return counts
  }

  /// Every file under `dir` whose name marks an unfinished atomic write.
  static func temporaries(_ dir: URL) -> [String] {
    let names = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []
    return names.filter { $0.contains(".tmp-") }
  }

  @Test("three sprout runs on one store, eight times: none fails, no task is trained twice, all outputs match")
  func concurrentRunsShareTheWork() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = CLI.root.appendingPathComponent("examples/quickstart.yaml").path
    let reference = dir.appendingPathComponent("reference")
    let single = try CLI.run(["run", spec, "--store", reference.path])
    #expect(single.status == 0, "\(single.stderr)")
    let expected = try RunCommandTests.outputHashes(reference)
    let keys = Set(Self.count("started", in: single.stderr).keys)
    #expect(keys.count == 8)

    var failures = 0
    for round in 0..<8 {
      let store = dir.appendingPathComponent("shared\(round)")
      let runs = try (0..<3).map { _ in try Running(["run", spec, "--store", store.path]) }
      let statuses = runs.map { $0.finish() }
      let output = runs.map(\.stderr).joined(separator: "\n")
      failures += statuses.filter { $0 != 0 }.count
      #expect(statuses == [0, 0, 0], "round \(round):\n\(output)")
      #expect(!output.contains("failed"), "round \(round):\n\(output)")
      // Every task trained (or evaluated) by exactly one process; the others found it cached.
      let started = Self.count("started", in: output)
      #expect(started == Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) }), "round \(round):\n\(output)")
      #expect(Self.count("done", in: output) == started)
      #expect(try RunCommandTests.outputHashes(store) == expected, "round \(round)")
      // Three runs, three manifests, each whole and with every task completed or cached.
      let runIDs = try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("runs").path)
      #expect(runIDs.count == 3)
      for id in runIDs {
        let data = try Data(contentsOf: store.appendingPathComponent("runs/\(id)/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statuses = (manifest["tasks"] as? [[String: Any]])?.compactMap { $0["status"] as? String } ?? []
        #expect(statuses.count == 8 && statuses.allSatisfy { $0 == "completed" || $0 == "cached" }, "\(statuses)")
      }
      #expect(Self.temporaries(store).isEmpty, "\(Self.temporaries(store))")
    }
    #expect(failures == 0)
  }

  /// Writes a plan of the long spec and returns (plan path, store path, task hash of t0000/train).
  static func planned(_ dir: URL, steps: Int = 600) throws -> (plan: String, store: String, hash: String) {
    let spec = dir.appendingPathComponent("long.yaml")
    try RunCommandTests.longSpec(steps: steps).write(to: spec, atomically: true, encoding: .utf8)
    let plan = dir.appendingPathComponent("plan.json").path
    let store = dir.appendingPathComponent("s").path
    let result = try CLI.run(["plan", spec.path, "--out", plan, "--store", store])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any]
    let tasks = object?["tasks"] as? [[String: Any]] ?? []
    let hash = try #require(tasks.first { $0["key"] as? String == "t0000/train" }?["hash"] as? String)
    return (plan, store, hash)
  }

  @Test(
    "a task claimed by another process: the run says it waits; Ctrl-C then exits 130, SIGTERM 143",
    arguments: [SIGINT, SIGTERM])
  func stopWhileWaitingForAClaim(signal: Int32) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (plan, store, hash) = try Self.planned(dir, steps: 40)
    // Hold the task's claim the way another sprout would: flock on tasks/<hash>/claim.
    try FileManager.default.createDirectory(atPath: "\(store)/tasks/\(hash)", withIntermediateDirectories: true)
    let fd = open("\(store)/tasks/\(hash)/claim", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    #expect(fd >= 0)
    defer { close(fd) }
    #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)

    let run = try Running(["run", "--plan", plan, "--task", "t0000/train", "--store", store])
    #expect(run.waitFor("waiting for it"), "\(run.stderr)")
    #expect(run.stderr.contains("t0000/train: being run by"), "\(run.stderr)")
    kill(run.process.processIdentifier, signal)
    let status = run.finish()
    #expect(status == 128 + signal, "\(run.stderr)")
    #expect(run.stderr.contains("skipped"), "\(run.stderr)")
    #expect(!run.stderr.contains("t0000/train  started"))
  }

  @Test("SIGTERM stops after writing a checkpoint with status 143; running again finishes bit-identical")
  func sigtermStopsLikeCtrlC() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("term.yaml")
    try RunCommandTests.longSpec().write(to: spec, atomically: true, encoding: .utf8)
    let reference = dir.appendingPathComponent("reference")
    #expect(try CLI.run(["run", spec.path, "--store", reference.path]).status == 0)
    let expected = try RunCommandTests.outputHashes(reference)

    let store = dir.appendingPathComponent("terminated")
    let run = try Running(["run", spec.path, "--store", store.path])
    let deadline = Date().addingTimeInterval(120)
    while run.process.isRunning && RunCommandTests.checkpoints(store).count < 3 && Date() < deadline { usleep(2_000) }
    let wasRunning = run.process.isRunning
    // Twice, as under Slurm, where the job's processes and the batch shell both send one.
    kill(run.process.processIdentifier, SIGTERM)
    kill(run.process.processIdentifier, SIGTERM)
    let status = run.finish()
    #expect(wasRunning, "the run finished before it could be stopped")
    #expect(run.process.terminationReason == .exit, "SIGTERM must be handled, not kill the process")
    #expect(status == 143, "\(run.stderr)")
    #expect(run.stderr.contains("SIGTERM: stopping after the next checkpoint"), "\(run.stderr)")
    #expect(run.stderr.contains("stopped"), "\(run.stderr)")

    let resumed = try CLI.run(["run", spec.path, "--store", store.path])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("resuming from step"))
    #expect(try RunCommandTests.outputHashes(store) == expected)
  }

  @Test("status exits 3 while a run trains and 1 once it was stopped (docs/cli.md's exit-code table)")
  func statusWhileRunningAndAfterAStop() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let spec = dir.appendingPathComponent("long.yaml")
    // Far more steps than the test waits for: the run is stopped long before it could finish.
    try RunCommandTests.longSpec(steps: 100_000).write(to: spec, atomically: true, encoding: .utf8)
    let store = dir.appendingPathComponent("s")
    let run = try Running(["run", spec.path, "--store", store.path])
    defer { if run.process.isRunning { kill(run.process.processIdentifier, SIGKILL) } }
    let deadline = Date().addingTimeInterval(120)
    while run.process.isRunning && RunCommandTests.checkpoints(store).isEmpty && Date() < deadline { usleep(2_000) }
    #expect(run.process.isRunning, "\(run.stderr)")
    let during = try CLI.run(["status", "latest", "--store", store.path])
    #expect(during.status == 3, "\(during.stdout)\(during.stderr)")
    kill(run.process.processIdentifier, SIGTERM)
    #expect(run.finish() == 143, "\(run.stderr)")
    let after = try CLI.run(["status", "latest", "--store", store.path])
    #expect(after.status == 1, "\(after.stdout)\(after.stderr)")
  }
}
