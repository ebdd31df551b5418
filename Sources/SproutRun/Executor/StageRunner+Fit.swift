import Foundation
import SproutConfig
import SproutDiagnostics
import SproutPlanner
import SproutTrain

/// `fit`: a parametric form fitted to the trajectory of a metric the upstream task of the same trial recorded.
extension StageRunner {
  func fit(_ c: FitConfig) throws -> TaskOutputs {
    context.emit(.taskStarted(key: context.key, hash: context.hash, totalSteps: 0))
    guard let key = context.task.inputs.first(where: { $0.stage == c.from }),
      let upstream = context.inputs[key.description]
    else { throw context.error(.missingInput, "task \(context.key) reads no completed task of '\(c.from)'") }
    var x: [Double] = []
    var y: [Double] = []
    for record in try context.store.metrics(upstream.hash) {
      if let first = c.firstStep, record.step < first { continue }
      if let last = c.lastStep, record.step > last { continue }
      guard let value = MetricPath.value(c.metric, in: record.values) else { continue }
      x.append(Double(record.step))
      y.append(value)
    }
    let result: CurveFit.Result
    do {
      result = try CurveFit.fit(c.form, x: x, y: y, start: c.start, lower: c.lower, upper: c.upper)
    } catch {
      throw context.error(.invalidTask, "cannot fit \(c.form.rawValue) to '\(c.metricText)' of \(key): \(error)")
    }
    var values: [String: JSONValue] = [:]
    func number(_ d: Double) -> JSONValue { d.isFinite ? .double(d) : .string(d.isNaN ? "NaN" : "Infinity") }
    for (i, name) in c.form.parameters.enumerated() {
      values[name] = number(result.parameters[i])
      values["\(name)_se"] = number(result.standardErrors[i])
    }
    for (name, value) in c.form.derived(result.parameters) { values[name] = number(value) }
    values["r2"] = number(result.r2)
    values["rmse"] = number(result.rmse)
    values["points"] = .int(result.points)
    values["converged"] = .bool(result.converged)
    let step = Int(x.max() ?? 0)
    var out = try outputs(
      steps: 0, records: [MetricRecord(step: step, values: values)], tensors: [], checkpoints: [], finalCheckpoint: nil)
    out.extra = [
      "form": .string(c.form.rawValue), "formula": .string(c.form.formula), "metric": .string(c.metricText),
      "iterations": .int(result.iterations),
    ]
    return out
  }
}
