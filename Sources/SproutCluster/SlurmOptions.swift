/// What `sprout submit --scheduler slurm` passes to Slurm for every job array it submits.
///
/// Each field becomes one `#SBATCH` line of the batch scripts; nil fields are left to the cluster's defaults.
public struct SlurmOptions: Hashable, Sendable {
  /// `--partition`.
  public var partition: String?
  /// `--time` (a time limit in any form Slurm accepts: `30`, `2:00:00`, `1-00:00:00`).
  public var time: String?
  /// `--cpus-per-task`; the task's backend uses this many threads.
  public var cpusPerTask: Int?
  /// `--mem` (`4G`).
  public var memory: String?
  /// `--account`.
  public var account: String?
  /// `--qos`.
  public var qos: String?
  /// At most this many elements of one array run at once (`--array=0-N%K`).
  public var arrayLimit: Int?
  /// Anything else, one `#SBATCH` argument each (`--constraint=avx2`, `--gres=gpu:1`).
  public var extraArguments: [String] = []
  /// The `sprout` executable the jobs run (an absolute path valid on every node).
  public var sproutPath: String
  /// Largest array Slurm accepts (`MaxArraySize` − 1 elements, 1000 by default); longer waves are split.
  public var maxArrayElements = 1000

  /// Options with Slurm's defaults, running `sproutPath`.
  public init(sproutPath: String) { self.sproutPath = sproutPath }

  /// The `#SBATCH` arguments for these options, in a fixed order.
  var sbatchArguments: [String] {
    var args: [String] = []
    if let partition { args.append("--partition=\(partition)") }
    if let time { args.append("--time=\(time)") }
    if let cpusPerTask { args.append("--cpus-per-task=\(cpusPerTask)") }
    if let memory { args.append("--mem=\(memory)") }
    if let account { args.append("--account=\(account)") }
    if let qos { args.append("--qos=\(qos)") }
    return args + extraArguments
  }
}
