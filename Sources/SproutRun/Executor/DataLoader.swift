import SproutPlanner
import SproutTrain

/// A task's `data` definition → the rows of the split it names.
enum DataLoader {
  /// Loads a data reference as the planner resolves it.
  static func load(_ d: Definition, seed: UInt64) throws -> SproutTrain.TrainingData {
    let (kind, _) = try (d["dataset"] ?? d).kindAndArguments()
    throw d.fail("dataset kind '\(kind)' cannot be loaded: the executor's dataset support is not merged yet")
  }
}
