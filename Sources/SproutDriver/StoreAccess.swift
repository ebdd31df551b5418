import SproutPlanner

/// Opens the on-disk store for the planner.
enum StoreAccess {
  /// A read-only view of the store at `path`, or nil when it does not exist yet (then nothing is cached).
  static func view(at path: String) -> StoreView? { nil }
}
