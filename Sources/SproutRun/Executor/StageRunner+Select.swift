import Foundation
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import SproutTensor
import SproutTrain

/// `select`: the best trial of a matrix by a metric its tasks recorded.
extension StageRunner {
  func select(from: String, metric: String, mode: SelectMode) throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    var best: (key: String, value: Double)?
    var candidates: [String: JSONValue] = [:]
    for key in context.task.inputs where key.stage == from {
      guard let outputs = context.inputs[key.description] else { continue }
      guard let value = outputs.finalMetrics[metric]?.doubleValue else {
        throw context.error(.invalidTask, "task \(key) did not record metric '\(metric)'")
      }
      candidates[key.description] = .double(value)
      // Strictly better only: ties keep the earlier task in plan order, whatever order tasks finished in.
      if value.isFinite, best.map({ mode == .max ? value > $0.value : value < $0.value }) ?? true {
        best = (key.description, value)
      }
    }
    guard let best else { throw context.error(.missingInput, "no candidate for select recorded a finite '\(metric)'") }
    let record = MetricRecord(step: 0, values: [metric: .double(best.value)])
    var out = try outputs(steps: 0, records: [record], tensors: [], checkpoints: [], finalCheckpoint: nil)
    out.extra = ["selected": .string(best.key), "metric": .string(metric), "mode": .string(mode.rawValue),
      "candidates": .object(candidates)]
    out.outputHashes["selected"] = TaskOutputs.hash(of: Array(best.key.utf8))
    return out
  }
}
