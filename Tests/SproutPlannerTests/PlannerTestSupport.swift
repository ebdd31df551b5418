import Foundation
import SproutDiagnostics
import SproutPlanner

/// The rich-versus-lazy example (examples/rich-vs-lazy.yaml), shortened: 2 inits × 3 seeds, a train and an
/// evaluate stage.
let richVsLazy = """
  sprout: 1
  name: rich-vs-lazy
  seed: 7
  backend: cpu
  params: {width: 32, lr: 0.05}
  matrix:
    init: [full, lowrank]
    seed: [0, 1, 2]
  datasets:
    teacher:
      kind: teacher_student
      inputs: 16
      outputs: 1
      samples: 256
      split: {train: 0.8, test: 0.2}
  models:
    net:
      input: 16
      layers: [{dense: "${params.width}"}, relu, {dense: "${params.width}"}, relu, {dense: 1}]
  initializers:
    full: {kind: kaiming_normal, nonlinearity: relu}
    lowrank: {kind: low_rank, rank: 2, base: kaiming_normal, layers: {last: {kind: kaiming_normal}}}
  stages:
    train:
      kind: train
      model: net
      init: ${matrix.init}
      data: teacher.train
      loss: mse
      optimizer: {kind: sgd, lr: "${params.lr}", momentum: 0.9}
      epochs: 3
      batch: 64
      record: [loss, weight_change]
    test:
      kind: evaluate
      from: train
      data: teacher.test
      record: [loss]
  """

/// Plans YAML text with options; returns the plan and every diagnostic.
func planText(
  _ yaml: String, overrides: [String] = [], store: StoreView? = nil, force: Bool = false, only: [String] = [],
  trials: [String] = []
) -> (Plan?, Diagnostics) {
  var d = Diagnostics()
  let plan = Planner.plan(
    text: yaml, file: "spec.yaml",
    options: PlanOptions(overrides: overrides, force: force, onlyStages: only, onlyTrials: trials), store: store,
    diagnostics: &d)
  return (plan, d)
}

/// A store in memory: output hashes and the last record per task key.
struct MemoryStore: StoreView {
  var outputs: Set<String> = []
  var records: [String: TaskRecord] = [:]

  func hasOutputs(hash: String) -> Bool { outputs.contains(hash) }
  func lastRecord(taskKey: String) -> TaskRecord? { records[taskKey] }

  /// Records every task of `plan` as run.
  mutating func run(_ plan: Plan) {
    for task in plan.tasks {
      outputs.insert(task.hash)
      records[task.key.description] = TaskRecord(task: task, plan: plan)
    }
  }
}
