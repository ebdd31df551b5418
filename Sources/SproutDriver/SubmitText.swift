import SproutCluster

/// The lines `sprout submit` prints about what it submitted.
public enum SubmitText {
  /// `run ID: 8 tasks in 2 waves submitted (jobs 12, 13); 0 cached` and how to follow it.
  public static func summary(_ result: Submitter.Result, store: String, dryRun: Bool) -> String {
    let tasks = result.waves.taskCount
    guard tasks > 0 else { return "nothing to submit: all \(result.cached) tasks are cached\n" }
    let waves = result.waves.waves.count
    var text = dryRun ? "dry run: would submit " : "run \(result.runID): submitted "
    text += "\(tasks) task\(tasks == 1 ? "" : "s") in \(waves) wave\(waves == 1 ? "" : "s")"
    if let jobs = result.submission?.jobIDs, !jobs.isEmpty {
      text += " (job\(jobs.count == 1 ? "" : "s") \(jobs.joined(separator: ", ")))"
    } else if dryRun {
      text += " (\(result.scripts.count) sbatch call\(result.scripts.count == 1 ? "" : "s"))"
    }
    text += "; \(result.cached) cached\n"
    if !dryRun {
      let storeOption = store == ".sprout" ? "" : " --store \(store)"
      text += "follow it: sprout status \(result.runID)\(storeOption)\n"
    }
    return text
  }
}
