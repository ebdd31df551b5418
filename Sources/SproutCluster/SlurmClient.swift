import Foundation

/// Slurm's command-line clients (`sbatch`, `squeue`, `scontrol`), found on `PATH` like a user's shell finds
/// them, so a wrapper earlier on `PATH` (a site's, or a test's that counts calls) is honoured.
public struct SlurmClient: Sendable {
  /// A Slurm command that failed or could not be started.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    /// The command line.
    public var command: String
    /// Its exit status (nil when it could not be started).
    public var status: Int32?
    /// What it printed on standard error.
    public var message: String

    /// `sbatch …: exit 1: sbatch: error: …`.
    public var description: String {
      "\(command): " + (status.map { "exit \($0): " } ?? "") + message.trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  /// The state of one array element (or job) in `squeue`.
  public struct QueueEntry: Hashable, Sendable {
    /// The array job id.
    public var job: String
    /// The element index.
    public var index: Int
    /// `PENDING`, `RUNNING`, `COMPLETING`, …
    public var state: String
    /// Why it is pending (`Dependency`, `Resources`, `BeginTime`, …) or `None`.
    public var reason: String
    /// The node it runs on, when running.
    public var node: String
  }

  /// Creates a client using the commands on `PATH`.
  public init() {}

  /// Whether `sbatch` is on `PATH`.
  public var isAvailable: Bool { Self.find("sbatch") != nil }

  /// Submits a batch script; returns the job id (`sbatch --parsable`).
  public func submit(scriptPath: String) throws(Failure) -> String {
    let output = try run("sbatch", ["--parsable", scriptPath])
    // `--parsable` prints `jobid` or `jobid;cluster`.
    let id = output.split(separator: "\n").last.map { String($0.split(separator: ";")[0]) } ?? ""
    guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
      throw Failure(command: "sbatch --parsable \(scriptPath)", status: 0, message: "unexpected output '\(output)'")
    }
    return id
  }

  /// The queued and running elements of `jobs` (one line per element with `-r`). Jobs that have left the
  /// queue are simply absent.
  public func queue(jobs: [String]) throws(Failure) -> [QueueEntry] {
    guard !jobs.isEmpty else { return [] }
    // squeue exits 1 when every listed job has been purged; that is an empty queue, not an error.
    let output = try run(
      "squeue", ["-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%i|%T|%r|%N"], acceptingStatus: [0, 1])
    return output.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 4 else { return nil }
      let id = fields[0].split(separator: "_")
      guard id.count == 2, let index = Int(id[1]) else { return nil }
      return QueueEntry(job: String(id[0]), index: index, state: fields[1], reason: fields[2], node: fields[3])
    }
  }

  /// The largest number of elements one array may have here (`MaxArraySize` − 1; nil when the setting is
  /// missing). Asking is also how `submit` checks that the controller answers before it writes anything.
  public func maxArrayElements() throws(Failure) -> Int? {
    let config = try run("scontrol", ["show", "config"])
    for line in config.split(separator: "\n") where line.hasPrefix("MaxArraySize") {
      if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
        return value - 1
      }
    }
    return nil
  }

  /// Runs a command, returns its standard output; a status outside `acceptingStatus` is a failure.
  private func run(_ name: String, _ arguments: [String], acceptingStatus: Set<Int32> = [0]) throws(Failure) -> String {
    let line = ([name] + arguments).joined(separator: " ")
    guard let path = Self.find(name) else {
      throw Failure(command: line, status: nil, message: "'\(name)' is not on PATH (is this a Slurm login node?)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw Failure(command: line, status: nil, message: "cannot start: \(error)")
    }
    // Read both pipes at once, so a full pipe never blocks the child.
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
    let status = process.terminationStatus
    guard acceptingStatus.contains(status) else {
      throw Failure(command: line, status: status, message: String(decoding: errData, as: UTF8.self))
    }
    return String(decoding: outData, as: UTF8.self)
  }

  /// The first executable `name` on `PATH`.
  static func find(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for dir in path.split(separator: ":") where !dir.isEmpty {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }
}
