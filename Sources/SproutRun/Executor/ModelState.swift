import SproutTensor
import SproutTrain

/// Moving a network's state in and out of checkpoint tensors, and evaluating it on a data split.
enum ModelState {
  /// Parameters and buffers (Dice running statistics) under their names, in model order.
  static func tensors(of network: Network) -> [NamedTensor] {
    (network.parameters + network.buffers).map { NamedTensor(name: $0.name, shape: $0.shape, values: $0.value.array) }
  }

  /// The optimizer's state tensors (`optimizer.<parameter>.<slot>`, `optimizer.step`).
  static func tensors(of optimizer: any Optimizer) -> [NamedTensor] {
    optimizer.stateTensors().map { NamedTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.array) }
  }

  /// Copies every parameter and buffer of `network` from `tensors` (by name), checking shapes.
  static func load(_ tensors: [NamedTensor], into network: Network, path: String) throws {
    var byName: [String: NamedTensor] = [:]
    for t in tensors { byName[t.name] = t }
    for p in network.parameters + network.buffers {
      guard let t = byName[p.name] else {
        throw RunError(.corruptCheckpoint, "checkpoint '\(path)' has no tensor '\(p.name)'", path: path)
      }
      guard t.shape == p.shape else {
        throw RunError(
          .corruptCheckpoint, "checkpoint '\(path)' tensor '\(p.name)' has shape \(t.shape), the model needs \(p.shape)",
          path: path)
      }
      t.values.withUnsafeBufferPointer { src in
        for i in 0..<src.count { p.value[i] = src[i] }
      }
    }
  }

  /// Mean loss (and accuracy, for classification losses) of `network` in eval mode over all rows of `data`,
  /// in fixed chunks of `network.maxBatch` rows, summed in Float64 in row order: independent of threads.
  static func evaluate(_ network: Network, loss: Loss, data: TrainingData) -> (loss: Double, accuracy: Double?) {
    let chunk = network.maxBatch
    let input = Tensor(zeros: [chunk, data.inputWidth])
    let target = Tensor(zeros: [chunk, data.targetWidth])
    let scratch = Tensor(zeros: [chunk, network.outputWidth])
    let order = Array(0..<data.rows)
    var total = 0.0
    var correct = 0
    var start = 0
    let width = network.outputWidth
    while start < data.rows {
      let count = min(chunk, data.rows - start)
      data.gather(order, start: start, count: count, input: input.mutablePointer, target: target.mutablePointer)
      let y = network.forward(input.pointer, batch: count, training: false)
      let value = loss.value(
        output: y, target: target.pointer, batch: count, width: width, scratch: scratch.mutablePointer)
      total += Double(value) * Double(count)
      for r in 0..<count {
        switch loss {
        case .crossEntropy:
          var best = 0
          for c in 1..<max(width, 1) where y[r * width + c] > y[r * width + best] { best = c }
          if Float(best) == target[r] { correct += 1 }
        case .bceWithLogits:
          var all = true
          for c in 0..<width where (y[r * width + c] > 0) != (target[r * width + c] > 0.5) { all = false }
          if all { correct += 1 }
        case .mse:
          break
        }
      }
      start += count
    }
    let rows = Double(max(data.rows, 1))
    return (total / rows, loss == .mse ? nil : Double(correct) / rows)
  }
}
