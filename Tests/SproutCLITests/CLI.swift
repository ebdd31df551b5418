import Foundation
import Testing

/// Runs the built `sprout` executable (from the same build folder as the tests) and captures its output.
enum CLI {
  /// The package root, found from this file's path.
  static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The `sprout` binary beside the test bundle, or the one `SPROUT_TEST_BINARY` names (`make test-release` runs the
  /// examples with the release build, which the optimiser can make behave differently from the debug one).
  static var binary: URL {
    if let path = ProcessInfo.processInfo.environment["SPROUT_TEST_BINARY"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("sprout")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return root.appendingPathComponent(".build/debug/sprout")
  }

  /// The result of one run.
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs `sprout args...` in `directory` (the package root by default) with extra environment; `executable`
  /// runs another program (a shell that limits and then starts `sprout`) instead.
  @discardableResult
  static func run(
    _ args: [String], in directory: URL? = nil, environment: [String: String] = [:], stdin: String? = nil,
    executable: URL? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = executable ?? binary
    process.arguments = args
    process.currentDirectoryURL = directory ?? root
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a full pipe never blocks the child.
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

  /// Every spec in examples/.
  static var examples: [String] {
    let dir = root.appendingPathComponent("examples")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "examples/" + $0 }
  }

  /// A fresh temporary directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

extension CLI {
  /// The conformance data in `Tests/Conformance` (see its README for sources and licences).
  static var conformanceData: URL { root.appendingPathComponent("Tests/Conformance") }

  /// Runs a Python snippet with arguments.
  static func python(_ code: String, arguments: [String]) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", code] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }
}
