import SproutPlanner

/// One axis's value in a trial (`init = xavier`), as a run's plan records it: the planner's ``AxisValue``
/// under the name the results readers use.
public typealias AxisAssignment = AxisValue
