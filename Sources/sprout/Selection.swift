import ArgumentParser
import SproutDriver
import SproutPlanner

/// Options shared by `plan` and `run`: overrides, backend, store and task selection.
struct Selection: ParsableArguments {
  @Option(name: .customLong("set"), help: "Override a value: KEY=VALUE (params.lr=0.1, seed=3). Repeatable.")
  var overrides: [String] = []

  @Option(help: "Backend: cpu or blas (overrides the spec).")
  var backend: String?

  @Option(help: "Run or plan only this stage (and what it reads). Repeatable.")
  var only: [String] = []

  @Option(help: "Run or plan only this trial (id t0003 or index 3). Repeatable.")
  var trial: [String] = []

  @Flag(help: "Run tasks even when their outputs are cached.")
  var force = false

  @Option(help: "The store directory.", transform: { try PathArgument.store($0) })
  var store: String = ".sprout"

  @Option(help: "Refuse a matrix that forms more trials than this (default 1,000,000).")
  var maxTrials: Int = MatrixExpansion.defaultTrialLimit

  func validate() throws {
    if maxTrials < 1 { throw ValidationError("--max-trials must be at least 1") }
  }

  func request(for file: String) -> PlanRequest {
    var r = PlanRequest(path: file)
    r.overrides = overrides
    r.backend = backend
    r.onlyStages = only
    r.onlyTrials = trial
    r.force = force
    r.store = store
    r.maxTrials = maxTrials
    return r
  }
}
