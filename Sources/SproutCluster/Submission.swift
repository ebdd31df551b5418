import Foundation
import SproutRun

/// What `sprout submit` did, kept in the store as `runs/<run-id>/submission.json` so that `sprout status` and
/// the next `submit` need nothing but the store: which job arrays run which tasks, and where their logs go.
///
/// ```
/// runs/<run-id>/
///   manifest.json          the run: spec, plan, every task (status `submitted` or `cached`)
///   plan.json              the plan file every job reads (`sprout run --plan`)
///   submission.json        this record
///   slurm/w1.tasks         wave 1's task keys, one per line: element i runs line i + 1
///   slurm/w1.sh            wave 1's batch script (w1-2.sh, … when a wave is split into several arrays)
///   logs/w1-<i>.log        element i's output (both attempts when it was requeued)
///   tasks/<trial>/<stage>.json   each task's status, written by the job running it
/// ```
public struct Submission: Hashable, Sendable, Codable {
  /// One job array.
  public struct JobArray: Hashable, Sendable, Codable {
    /// The Slurm job id (empty for a dry run).
    public var job: String
    /// The position in the wave's task list of element 0.
    public var offset: Int
    /// Elements.
    public var count: Int
    /// The batch script, relative to the store.
    public var script: String
    /// The log pattern, relative to the store; `%a` is the element index.
    public var log: String
  }

  /// One dependency wave.
  public struct Wave: Hashable, Sendable, Codable {
    /// The task list, relative to the store.
    public var tasks: String
    /// The wave's task keys in list order.
    public var keys: [String]
    /// The arrays running it (one unless the wave is longer than the largest array allowed).
    public var arrays: [JobArray]
  }

  /// `slurm`.
  public var scheduler: String
  /// The run id.
  public var runID: String
  /// When it was submitted (ISO 8601, UTC).
  public var submitted: String
  /// The sprout executable the jobs run.
  public var sprout: String
  /// The waves, in order.
  public var waves: [Wave]

  /// Every job id, in submission order.
  public var jobIDs: [String] { waves.flatMap { $0.arrays.map(\.job) }.filter { !$0.isEmpty } }

  /// Where a task runs: its wave, array and element index, and its log path relative to the store.
  public struct Placement: Hashable, Sendable {
    /// 0-based wave.
    public var wave: Int
    /// The array's job id.
    public var job: String
    /// The element index within the array.
    public var element: Int
    /// The log file, relative to the store.
    public var log: String
  }

  /// Each submitted task's placement, by key.
  public var placements: [String: Placement] {
    var out: [String: Placement] = [:]
    for (w, wave) in waves.enumerated() {
      for array in wave.arrays {
        for i in 0..<array.count where array.offset + i < wave.keys.count {
          out[wave.keys[array.offset + i]] = Placement(
            wave: w, job: array.job, element: i, log: array.log.replacingOccurrences(of: "%a", with: String(i)))
        }
      }
    }
    return out
  }

  /// `runs/<run>/submission.json` in a store.
  public static func path(store: Store, run: String) -> String { "\(store.runDirectory(run))/submission.json" }

  /// Reads a run's submission record; nil when the run was not submitted (a local `sprout run`).
  public static func load(store: Store, run: String) throws -> Submission? {
    let path = path(store: store, run: run)
    guard AtomicFile.exists(path) else { return nil }
    let bytes = try AtomicFile.read(path)
    do { return try JSONDecoder().decode(Submission.self, from: Data(bytes)) } catch {
      throw RunError(.corruptStore, "'\(path)' is not a submission record", cause: error, path: path)
    }
  }

  /// Writes the record atomically.
  public func save(store: Store) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data: Data
    do { data = try encoder.encode(self) } catch {
      throw RunError(.io, "cannot encode the submission record", cause: error)
    }
    try AtomicFile.write(Array(data) + [0x0A], to: Self.path(store: store, run: runID))
  }
}
