import Foundation
import Testing

/// `sprout lint` reads what it needs from data files: a loss that does not fit the classes in a label file is an
/// error at the loss before anything runs, and a broken file is an error at the argument that names it.
@Suite struct DataFileLintTests {
  static func spec(outputs: Int) -> String {
    """
    sprout: 1
    name: classes
    datasets:
      table: {kind: csv, path: table.csv, target: label}
      arrays: {kind: npy, inputs: x.npy, targets: y.npy}
    models:
      net: {input: 2, layers: [{dense: 8}, tanh, {dense: \(outputs)}]}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      on_table:
        kind: train
        model: net
        init: he
        data: table
        loss: cross_entropy
        optimizer: {kind: sgd, lr: 0.1}
        steps: 2
      on_arrays:
        kind: train
        model: net
        init: he
        data: arrays
        loss: cross_entropy
        optimizer: {kind: sgd, lr: 0.1}
        steps: 2
    """
  }

  /// Four classes in both files: labels 0…3.
  static func writeData(in dir: URL) throws {
    let rows = (0..<8).map { "\(Double($0) / 8),\(Double($0 % 3) / 2),\($0 % 4)" }
    try (["x,y,label"] + rows).joined(separator: "\n").write(
      to: dir.appendingPathComponent("table.csv"), atomically: true, encoding: .utf8)
    func npy(_ descr: String, _ shape: String, _ data: [UInt8]) -> Data {
      var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
      while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
      header += "\n"
      let n = header.utf8.count
      return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + data)
    }
    let x = (0..<16).flatMap { i in withUnsafeBytes(of: (Float(i) / 16).bitPattern.littleEndian, Array.init) }
    try npy("<f4", "(8, 2)", x).write(to: dir.appendingPathComponent("x.npy"))
    try npy("|u1", "(8,)", (0..<8).map { UInt8($0 % 4) }).write(to: dir.appendingPathComponent("y.npy"))
  }

  @Test("cross_entropy with fewer outputs than the label file's classes fails lint at the loss")
  func classMismatchFailsLint() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.writeData(in: dir)
    try Self.spec(outputs: 3).write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    let lint = try CLI.run(["lint", "spec.yaml"], in: dir)
    #expect(lint.status == 1, "\(lint.stderr)")
    let message =
      "error: cross_entropy over 4 classes needs an output width of 4, but the model outputs 3 [graph.loss-target]"
    // Both stages, at their `loss:` values, with the model's last layer noted.
    #expect(lint.stderr.contains("spec.yaml:16:11: \(message)"), "\(lint.stderr)")
    #expect(lint.stderr.contains("spec.yaml:24:11: \(message)"), "\(lint.stderr)")
    #expect(
      lint.stderr.contains("spec.yaml:7:46: note: the model's output width is set by its last layer"), "\(lint.stderr)")
    #expect(lint.stderr.contains("help: make the last dense layer 4 units"), "\(lint.stderr)")

    // The spec that fits lints clean and runs.
    try Self.spec(outputs: 4).write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    let clean = try CLI.run(["lint", "spec.yaml"], in: dir)
    #expect(clean.status == 0, "\(clean.stderr)")
    let run = try CLI.run(["run", "spec.yaml"], in: dir)
    #expect(run.status == 0, "\(run.stderr)")
  }

  @Test("a bad label is a lint error at the file's argument, with the reader's code and row")
  func badLabelFailsLint() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.writeData(in: dir)
    try "x,y,label\n0.1,0.2,1\n0.3,0.4,99999999999999999999999999999999999999999\n".write(
      to: dir.appendingPathComponent("table.csv"), atomically: true, encoding: .utf8)
    try Self.spec(outputs: 4).write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    let lint = try CLI.run(["lint", "spec.yaml"], in: dir)
    #expect(lint.status == 1, "\(lint.stderr)")
    #expect(lint.stderr.contains("spec.yaml:4:28: error: cannot read '"), "\(lint.stderr)")
    #expect(
      lint.stderr.contains(
        "table.csv' (row 3, column 3, field 'label', byte 28): value 1e+41 overflows a 32-bit float (data.out-of-range)"
      ),
      "\(lint.stderr)")
  }
}
