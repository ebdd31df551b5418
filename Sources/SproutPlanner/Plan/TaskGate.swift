import SproutConfig

/// A condition on a task planned for one candidate of a `select` stage: it runs only when the select chose that
/// candidate for the task's group. The select task is also among the task's inputs (so it runs first), but its hash
/// is not part of the task's: the choice decides whether the task runs, not what it computes.
public struct TaskGate: Hashable, Sendable, Codable {
  /// The select task (`all/best`).
  public var select: TaskKey
  /// The trial's values of the select's `per` axes.
  public var group: [AxisSetting]
  /// The trial's values of the select's `over` axes: the candidate this task belongs to.
  public var candidate: [AxisSetting]

  /// Creates a gate.
  public init(select: TaskKey, group: [AxisSetting], candidate: [AxisSetting]) {
    self.select = select
    self.group = group
    self.candidate = candidate
  }

  /// `best chooses omega=80` (and ` for target="rings"` with a group).
  public var description: String {
    "if \(select.stage) chooses \(AxisSetting.text(candidate))"
      + (group.isEmpty ? "" : " for \(AxisSetting.text(group))")
  }
}
