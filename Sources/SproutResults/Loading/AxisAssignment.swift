import SproutDiagnostics

/// One axis's value in a trial (`init = xavier`), as recorded in a run's plan.
public struct AxisAssignment: Sendable, Hashable {
  /// The axis name.
  public var axis: String
  /// Its value.
  public var value: JSONValue

  /// Creates an assignment.
  public init(axis: String, value: JSONValue) {
    self.axis = axis
    self.value = value
  }
}
