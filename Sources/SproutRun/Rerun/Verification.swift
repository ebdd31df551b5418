import Foundation
import SproutPlanner

/// `sprout verify RUN`: every file a run's completed tasks recorded is still there and still holds what was
/// recorded, checked by re-reading the files (nothing is retrained).
///
/// For each task the manifest lists as completed or cached:
///
/// ```
///   outputs.json     present, parses, names the task's hash             (the record the others are checked against)
///   task.json        present, parses, names the task's hash
///   every file       the manifest's checkpoints and metrics, outputs.json's checkpoints and final_checkpoint: present
///   checkpoints      decode, pass both of their checksums, carry the task's hash and their own step
///   final tensors    each `tensor:<name>` output hash = the hash of that tensor in the final checkpoint
///   metrics.jsonl    its SHA-256 = the `metrics.jsonl` output hash; every line a metric record
/// ```
///
/// A tensor hash without a checkpoint to hold it (a `measure` task's) and the `selected` hash of a select task
/// can only be checked by running the task again: `sprout rerun` does that.
public enum Verification {
  /// One thing wrong with one file.
  public struct Problem: Hashable, Sendable {
    /// The task key (`t0001/train`).
    public var key: String
    /// The file, relative to the store root (`tasks/<hash>/step-000008.safetensors`).
    public var file: String
    /// The checkpoint's step, when the file is a checkpoint.
    public var step: Int?
    /// The tensor or metric concerned, if one is (`tensor layers.0.weight`, `metrics.jsonl line 4`).
    public var item: String?
    /// What is wrong (`missing`, `checksum of the data section does not match`, …).
    public var message: String
  }

  /// What `verify` found.
  public struct Report: Sendable {
    /// The run checked.
    public var runID: String
    /// Tasks checked (completed or cached in the manifest).
    public var tasks: Int
    /// Files read.
    public var files: Int
    /// Every problem, in plan order, then file order within a task.
    public var problems: [Problem]

    /// True when nothing is wrong.
    public var ok: Bool { problems.isEmpty }
  }

  /// Checks every completed or cached task of run `runID` in `store`.
  public static func run(_ runID: String, store: Store) throws -> Report {
    let manifest = try store.manifest(runID)
    var report = Report(runID: manifest.runID, tasks: 0, files: 0, problems: [])
    for entry in manifest.tasks where entry.status == "completed" || entry.status == "cached" {
      let (files, problems) = task(entry, store: store)
      report.tasks += 1
      report.files += files
      report.problems += problems
    }
    return report
  }

  /// The files checked and the problems found for one task of a manifest.
  public static func task(_ entry: RunManifest.TaskEntry, store: Store) -> (files: Int, problems: [Problem]) {
    var files = 0
    var problems: [Problem] = []
    let hash = entry.hash
    let dir = "tasks/\(hash)"
    func problem(_ file: String, _ message: String, step: Int? = nil, item: String? = nil) {
      problems.append(Problem(key: entry.key, file: file, step: step, item: item, message: message))
    }
    func exists(_ relative: String) -> Bool { AtomicFile.exists("\(store.root)/\(relative)") }

    // outputs.json: what every other file is checked against.
    let outputsFile = "\(dir)/outputs.json"
    files += 1
    let outputs: TaskOutputs?
    do {
      outputs = try store.outputs(hash)
      if outputs == nil { problem(outputsFile, "missing: the task is recorded as \(entry.status)") }
    } catch {
      outputs = nil
      problem(outputsFile, "cannot be read: \(Self.reason(error))")
    }
    if let outputs, outputs.hash != hash { problem(outputsFile, "names the task hash \(outputs.hash)") }

    files += 1
    if !exists("\(dir)/task.json") {
      problem("\(dir)/task.json", "missing")
    } else if let record = store.taskRecord(hash) {
      if record.hash != hash { problem("\(dir)/task.json", "names the task hash \(record.hash)") }
    } else {
      problem("\(dir)/task.json", "cannot be read as a task record")
    }

    // Every file that is listed anywhere must exist.
    var checkpointFiles = entry.checkpoints
    for name in (outputs?.checkpoints ?? []) + [outputs?.finalCheckpoint].compactMap({ $0 }) {
      checkpointFiles.append("\(dir)/\(name)")
    }
    var seen = Set<String>()
    checkpointFiles = checkpointFiles.filter { seen.insert($0).inserted }
    var listedMetrics = [entry.metrics].compactMap { $0 }
    if outputs?.outputHashes["metrics.jsonl"] != nil { listedMetrics.append("\(dir)/metrics.jsonl") }
    listedMetrics = Array(Set(listedMetrics)).sorted()

    // Checkpoints: each decodes (length, JSON, dtypes, offsets, both checksums) and belongs to this task.
    let finalFile = outputs?.finalCheckpoint.map { "\(dir)/\($0)" }
    for file in checkpointFiles {
      files += 1
      let step = Checkpoint.step(fromFileName: String(file.split(separator: "/").last ?? ""))
      guard exists(file) else {
        problem(file, "missing", step: step)
        continue
      }
      let checkpoint: Checkpoint
      do { checkpoint = try Checkpoint.read("\(store.root)/\(file)") } catch {
        problem(file, Self.reason(error), step: step)
        continue
      }
      if checkpoint.stamp.specHash != hash {
        problem(file, "belongs to task \(checkpoint.stamp.specHash), not \(hash)", step: step)
      }
      if let step, checkpoint.step != step {
        problem(file, "holds step \(checkpoint.step) under the name of step \(step)", step: step)
      }
      guard file == finalFile, let outputs else { continue }
      let byName = Dictionary(checkpoint.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
      for (output, recorded) in outputs.outputHashes.sorted(by: { $0.key < $1.key }) where output.hasPrefix("tensor:") {
        let name = String(output.dropFirst("tensor:".count))
        guard let tensor = byName[name] else {
          problem(file, "has no tensor '\(name)', which outputs.json records", step: checkpoint.step, item: "tensor \(name)")
          continue
        }
        let actual = TaskOutputs.hash(of: tensor)
        if actual != recorded {
          problem(
            file, "hashes to \(actual), outputs.json records \(recorded)", step: checkpoint.step, item: "tensor \(name)")
        }
      }
    }

    // metrics.jsonl: present, hashing to what outputs.json recorded, every line a record.
    for file in listedMetrics {
      files += 1
      let path = "\(store.root)/\(file)"
      guard AtomicFile.exists(path) else {
        problem(file, "missing")
        continue
      }
      let bytes: [UInt8]
      do { bytes = try AtomicFile.read(path) } catch {
        problem(file, "cannot be read: \(Self.reason(error))")
        continue
      }
      if let recorded = outputs?.outputHashes["metrics.jsonl"], file == "\(dir)/metrics.jsonl" {
        let actual = TaskOutputs.hash(of: bytes)
        if actual != recorded { problem(file, "hashes to \(actual), outputs.json records \(recorded)") }
      }
      let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      for (i, line) in lines.enumerated() where !(line.isEmpty && i == lines.count - 1) {
        if MetricRecord(line: String(line)) == nil {
          problem(file, "is not a metric record", item: "metrics.jsonl line \(i + 1)")
          break
        }
      }
    }
    return (files, problems)
  }

  /// A store error's message without the code's decoration.
  static func reason(_ error: any Error) -> String {
    (error as? RunError)?.message ?? "\(error)"
  }
}
