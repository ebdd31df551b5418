import Foundation
import SproutDiagnostics
import SproutGraph
import SproutSpec
import Testing

@testable import SproutPlanner

/// Datasets whose files depend on the trial are checked per trial against the class counts in their label files,
/// and every file is read once in the whole plan, however many trials name it.
@Suite struct DataFileCheckTests {
  /// A version 1.0 `.npy` file of unsigned bytes.
  static func npy(shape: [Int], bytes: [UInt8]) -> Data {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '|u1', 'fortran_order': False, 'shape': \(tuple), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let n = header.utf8.count
    return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + bytes)
  }

  static let spec = """
    sprout: 1
    name: labels
    matrix:
      labels: [three.npy, five.npy]
      seed: [0, 1, 2]
    datasets:
      d: {kind: npy, inputs: x.npy, targets: "${matrix.labels}"}
    models:
      net: {input: 2, layers: [{dense: 8}, relu, {dense: 3}]}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train: {kind: train, model: net, init: he, data: d, loss: cross_entropy, optimizer: {kind: sgd, lr: 0.1}, steps: 1}
    """

  @Test func perTrialLabelFilesAreCheckedAndReadOnce() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sprout-plan-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.npy(shape: [6, 2], bytes: [UInt8](repeating: 1, count: 12)).write(to: dir.appendingPathComponent("x.npy"))
    try Self.npy(shape: [6], bytes: [0, 1, 2, 0, 1, 2]).write(to: dir.appendingPathComponent("three.npy"))
    try Self.npy(shape: [6], bytes: [0, 1, 2, 3, 4, 0]).write(to: dir.appendingPathComponent("five.npy"))

    var d = Diagnostics()
    let file = dir.appendingPathComponent("spec.yaml").path
    let spec = try #require(SpecDecoder.decode(text: Self.spec, file: file, diagnostics: &d))
    let files = DataFiles()
    let graph = try #require(GraphBuilder.build(spec, files: files, diagnostics: &d))
    let plan = Planner.plan(graph, options: PlanOptions(checkOnly: true), store: nil, diagnostics: &d)
    #expect(plan == nil)
    let errors = d.sorted.filter { $0.severity == .error }
    #expect(errors.map(\.id) == [GraphDiagnostics.lossTarget])
    let mismatch = try #require(errors.first)
    #expect(mismatch.range.start.line == 13)
    #expect(mismatch.message == "cross_entropy over 5 classes needs an output width of 5, but the model outputs 3")
    #expect(mismatch.notes.last?.message.contains("labels=five.npy") == true, "\(mismatch.notes)")
    // x.npy's header and each label file, once each across six trials.
    #expect(files.readCount == 3)
  }
}
