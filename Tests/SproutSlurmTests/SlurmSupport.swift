import Foundation
import Testing

/// What the Slurm tests need: the built `sprout`, the cluster scripts/slurm-up.sh started (`make test-slurm`
/// brings it up and down and sets `SPROUT_SLURM_TESTS=1` and `SLURM_CONF`), and a few Slurm commands.
enum Slurm {
  /// Whether a cluster is up for the tests (`make test-slurm`); otherwise the suite is skipped.
  static let enabled = ProcessInfo.processInfo.environment["SPROUT_SLURM_TESTS"] == "1"

  /// The package root.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The `sprout` binary beside the test bundle.
  static var binary: URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("sprout")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return root.appendingPathComponent(".build/debug/sprout")
  }

  /// The result of a command.
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs `sprout args…` (or another executable) with extra environment.
  @discardableResult
  static func run(_ args: [String], executable: String? = nil, environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable ?? binary.path)
    process.arguments = args
    process.currentDirectoryURL = root
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
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
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Runs a Slurm command found on PATH (`squeue`, `scancel`, `scontrol`).
  @discardableResult
  static func command(_ name: String, _ args: [String]) throws -> Result {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
      let path = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path) { return try run(args, executable: path) }
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
  }

  /// A fresh directory for one test.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-slurm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// A directory holding an `sbatch` that logs each call to `log` and passes it on to the real one; put it
  /// first on PATH to count sbatch calls.
  static func countingSbatch(in dir: URL, log: URL) throws -> String {
    let real = try #require(
      (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/sbatch" }
        .first { FileManager.default.isExecutableFile(atPath: $0) })
    let bin = dir.appendingPathComponent("wrapped-bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    let script = bin.appendingPathComponent("sbatch")
    try """
    #!/bin/sh
    echo "sbatch $*" >> '\(log.path)'
    exec '\(real)' "$@"

    """.write(to: script, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    return bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
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

  /// The one run id in a store (the tests submit into fresh stores).
  static func runIDs(_ store: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("runs").path).sorted()
  }

  /// The submission record of a run, as JSON.
  static func submission(_ store: URL, run: String) throws -> [String: Any] {
    let data = try Data(contentsOf: store.appendingPathComponent("runs/\(run)/submission.json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// Every log of a run, concatenated.
  static func logs(_ store: URL, run: String) -> String {
    let dir = store.appendingPathComponent("runs/\(run)/logs")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    return names.map { (try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) ?? "" }
      .joined(separator: "\n")
  }

  /// Lines `<key>  started` in some output, counted by key.
  static func started(in output: String) -> [String: Int] {
    var counts: [String: Int] = [:]
    for line in output.split(separator: "\n") {
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      if parts.count >= 2, parts[1] == "started", parts[0].contains("/") { counts[String(parts[0]), default: 0] += 1 }
    }
    return counts
  }

  /// Checkpoint files of one task.
  static func checkpoints(_ store: URL, hash: String) -> [String] {
    let names =
      (try? FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("tasks/\(hash)").path)) ?? []
    return names.filter { $0.hasPrefix("step-") && $0.hasSuffix(".safetensors") }
  }

  /// Polls until `condition` holds or `seconds` pass; returns whether it held.
  static func wait(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if try condition() { return true }
      usleep(100_000)
    }
    return try condition()
  }

  /// The task hash of `key` in a run's plan file.
  static func hash(of key: String, store: URL, run: String) throws -> String {
    let data = try Data(contentsOf: store.appendingPathComponent("runs/\(run)/plan.json"))
    let plan = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let tasks = plan?["tasks"] as? [[String: Any]] ?? []
    return try #require(tasks.first { $0["key"] as? String == key }?["hash"] as? String)
  }

  /// Modification time of a file (nanosecond resolution where the file system has it).
  static func modified(_ path: String) throws -> Date {
    try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
  }
}
