import SproutTensor
import SproutTrain

/// Moving a network's state in and out of checkpoint tensors.
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
          .corruptCheckpoint,
          "checkpoint '\(path)' tensor '\(p.name)' has shape \(t.shape), the model needs \(p.shape)",
          path: path)
      }
      t.values.withUnsafeBufferPointer { src in
        for i in 0..<src.count { p.value[i] = src[i] }
      }
    }
  }
}
