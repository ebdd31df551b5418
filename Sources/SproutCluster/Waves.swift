import SproutPlanner

/// The tasks of a plan that must run, grouped into dependency waves: wave 0 reads nothing that is still to
/// run, and every task of wave k reads at least one task of wave k − 1 and nothing of a later wave.
///
/// ```
///   wave 0:  t0000/train  t0001/train  t0002/train  t0003/train     one job array
///   wave 1:  t0000/test   t0001/test   t0002/test   t0003/test      afterok: wave 0
///   wave 2:  all/best                                               afterok: wave 1
/// ```
/// A wave is submitted as one Slurm job array that starts after the previous wave's arrays succeed, so the
/// number of `sbatch` calls follows the depth of the graph, never the number of tasks. Cached tasks are left
/// out; a task reading only cached tasks is in wave 0.
public struct Waves: Hashable, Sendable {
  /// Task keys per wave, each wave in plan order.
  public var waves: [[TaskKey]]

  /// Groups `tasks` (in plan order, every task after those it reads) into waves. An input that is not among
  /// `tasks` is taken to be done already.
  /// - Complexity: O(tasks + inputs).
  public init(tasks: [PlanTask]) {
    var depth: [TaskKey: Int] = [:]
    var waves: [[TaskKey]] = []
    for task in tasks {
      let d = task.inputs.compactMap { depth[$0] }.max().map { $0 + 1 } ?? 0
      depth[task.key] = d
      if d == waves.count { waves.append([]) }
      waves[d].append(task.key)
    }
    self.waves = waves
  }

  /// The number of tasks in all waves.
  public var taskCount: Int { waves.reduce(0) { $0 + $1.count } }
}
