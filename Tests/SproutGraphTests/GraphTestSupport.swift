import Foundation
import SproutDiagnostics
import SproutGraph
import SproutSpec

/// Decodes `yaml` and builds its graph; returns the graph and every diagnostic of both phases.
func buildGraph(_ yaml: String, file: String = "spec.yaml") -> (ExperimentGraph?, Diagnostics) {
  var d = Diagnostics()
  guard let spec = SpecDecoder.decode(text: yaml, file: file, diagnostics: &d) else { return (nil, d) }
  let graph = GraphBuilder.build(spec, diagnostics: &d)
  return (graph, d)
}

/// The graph-phase diagnostics only, as `id@line` strings (the spec phase's warnings are not under test here).
func graphFindings(_ d: Diagnostics) -> [String] {
  d.sorted.filter { $0.id.domain == "graph" }.map { "\($0.id.rawValue)@\($0.range.start.line)" }
}

/// A valid spec to vary: a 16→1 regression with one train and one evaluate stage.
let baseSpec = """
  sprout: 1
  name: base
  seed: 7
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
      layers: [{dense: 32}, relu, {dense: 1}]
  initializers:
    he: {kind: kaiming_normal}
  stages:
    train:
      kind: train
      model: net
      init: he
      data: teacher.train
      loss: mse
      optimizer: {kind: sgd, lr: 0.1}
      steps: 10
    test:
      kind: evaluate
      from: train
      data: teacher.test
  """

/// A scratch directory removed at the end of the test.
final class ScratchDirectory {
  let path: String
  init() {
    path = NSTemporaryDirectory() + "sprout-graph-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  func write(_ name: String, _ bytes: [UInt8]) -> String {
    let p = path + "/" + name
    FileManager.default.createFile(atPath: p, contents: Data(bytes))
    return p
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }
}
