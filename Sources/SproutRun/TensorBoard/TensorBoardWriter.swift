import Foundation
import SproutDiagnostics
import SproutPlanner

/// Writes one TensorBoard run (one trial) record by record: the HParams session start with the trial's axis
/// values, a scalar event per metric record (tags `<stage>/<metric>`, per-layer values under
/// `<stage>/<metric>/<layer>`), and the session end. Written while training by a stage with `tensorboard: true`
/// (``TrainTask``) and after the fact by `sprout export --format tensorboard`.
public final class TensorBoardWriter: Sendable {
  /// The run's directory (`<root>/<run name>`).
  public let directory: String
  private let file: EventFile
  private let wallTime: Double

  /// Opens the run `name` under `root`; with `hparams`, starts an HParams session with those values.
  public init(root: String, name: String, hparams: [AxisAssignment]?, wallTime: Double = Date().timeIntervalSince1970)
    throws
  {
    directory = "\(root)/\(Self.directoryName(name))"
    self.wallTime = wallTime
    file = try EventFile(directory: directory, wallTime: wallTime)
    if let hparams { try file.write([TensorBoardEvents.sessionStart(hparams, group: name, wallTime: wallTime)]) }
  }

  /// Adds one metric record of a stage: every number it holds, at its step.
  public func add(_ record: MetricRecord, stage: String, wallTime: Double? = nil) throws {
    try file.write([TensorBoardEvents.scalars(Self.scalars(record, stage: stage), step: record.step, wallTime: wallTime ?? self.wallTime)])
  }

  /// Adds many records of a stage in one write, stamped `wallTime` (default: the writer's).
  public func add(_ records: [MetricRecord], stage: String, wallTime: Double? = nil) throws {
    guard !records.isEmpty else { return }
    let time = wallTime ?? self.wallTime
    try file.write(records.map { TensorBoardEvents.scalars(Self.scalars($0, stage: stage), step: $0.step, wallTime: time) })
  }

  /// Ends the HParams session (success or failure) and syncs the file.
  public func finish(success: Bool) throws {
    try file.write([TensorBoardEvents.sessionEnd(success: success, wallTime: wallTime)])
    file.sync()
  }

  /// `(tag, value)` of every number in a record, tags `<stage>/<metric>[/<leaf>]`, in name order.
  public static func scalars(_ record: MetricRecord, stage: String) -> [(tag: String, value: Double)] {
    record.values.keys.sorted().flatMap { name in
      MetricScalar.leaves(record.values[name] ?? .null).map { suffix, x in
        (tag: suffix.isEmpty ? "\(stage)/\(name)" : "\(stage)/\(name)/\(suffix)", value: x)
      }
    }
  }

  /// The TensorBoard run name of a trial: its axis values joined by commas (`init=xavier,seed=0`), or `id` when
  /// it has none.
  public static func runName(_ values: [AxisAssignment], id: String) -> String {
    guard !values.isEmpty else { return id }
    return values.map { "\($0.axis)=\($0.value.display)" }.joined(separator: ",")
  }

  /// A run name safe as one directory name (`/` would nest runs).
  static func directoryName(_ name: String) -> String {
    let cleaned = name.map { $0 == "/" || $0 == "\0" ? "_" : $0 }
    let s = String(cleaned)
    return s.isEmpty || s == "." || s == ".." ? "run" : s
  }
}
