import Foundation
import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Data shapes from data files: the headers of feature files and the classes of label files, read with the
/// trainer's readers; problems point at the argument that names the file.
@Suite struct DataFileTests {
  /// A version 1.0 `.npy` file of `shape`, with `data` (zeros of the right length when not given).
  static func npy(shape: [Int], descr: String = "<f4", data: [UInt8]? = nil) -> [UInt8] {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let n = header.utf8.count
    let size = Int(descr.dropFirst(2)) ?? 1
    let body = data ?? [UInt8](repeating: 0, count: shape.reduce(1, *) * size)
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + body
  }

  /// An unsigned-byte IDX file of `shape` holding `data` (zeros when not given).
  static func idx(shape: [Int], data: [UInt8]? = nil) -> [UInt8] {
    let dims = shape.flatMap { d in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: d >> $0) } }
    return [0, 0, 0x08, UInt8(shape.count)] + dims + (data ?? [UInt8](repeating: 0, count: shape.reduce(1, *)))
  }

  /// Labels 0…4, one per sample (5 classes).
  static let fiveClasses: [UInt8] = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]

  func spec(_ dataset: String, input: Int = 4, outputs: Int = 3, loss: String = "mse") -> String {
    """
    sprout: 1
    datasets:
      d:
    \(dataset)
    models:
      net: {input: \(input), layers: [{dense: 8}, relu, {dense: \(outputs)}]}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train: {kind: train, model: net, init: he, data: d, loss: \(loss), optimizer: {kind: sgd, lr: 0.1}, steps: 1}
    """
  }

  @Test func npyHeaderGivesFeaturesAndTargets() throws {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Self.npy(shape: [150, 4]))
    _ = dir.write("y.npy", Self.npy(shape: [150, 3], descr: "<f8"))
    let (graph, d) = buildGraph(
      spec("    kind: npy\n    inputs: x.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(!d.hasErrors, "\(d.all)")
    #expect(try #require(graph).datasets["d"]?.shape == DataShape(features: 4, target: .values(width: 3)))
    // One integer per row is class labels, counted.
    _ = dir.write("labels.npy", Self.npy(shape: [10, 1], descr: "|u1", data: Self.fiveClasses))
    _ = dir.write("x10.npy", Self.npy(shape: [10, 2, 2]))
    let (labelled, d2) = buildGraph(
      spec("    kind: npy\n    inputs: x10.npy\n    targets: labels.npy", outputs: 5, loss: "cross_entropy"),
      file: dir.path + "/s.yaml")
    #expect(!d2.hasErrors, "\(d2.all)")
    #expect(
      try #require(labelled).datasets["d"]?.shape == DataShape(features: 4, target: .classes(count: 5, oneHot: false), sampleDimensions: [2, 2]))
  }

  @Test func npyWidthMismatchAndSampleCountMismatch() {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Self.npy(shape: [150, 5]))
    _ = dir.write("y.npy", Self.npy(shape: [149, 3]))
    let (_, d) = buildGraph(spec("    kind: npy\n    inputs: x.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(graphFindings(d) == ["graph.bad-file@6", "graph.input-mismatch@12"])
  }

  @Test func missingFileIsAnErrorAtThePath() {
    let dir = ScratchDirectory()
    _ = dir.write("y.npy", Self.npy(shape: [150], descr: "<i8"))
    let (graph, d) = buildGraph(
      spec("    kind: npy\n    inputs: nope.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(graph == nil)
    let diag = d.all.first { $0.id == GraphDiagnostics.missingFile }
    #expect(diag?.range.start.line == 5)
    #expect(diag?.range.start.column == 13)
    #expect(diag?.message.hasSuffix("nope.npy' does not exist") ?? false)
  }

  /// A broken file is a `graph.bad-file` at its argument, naming the reader's code and the place in the file.
  @Test func badFilesNameTheCodeAndThePlace() {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Array("not numpy at all".utf8))
    _ = dir.write("y.npy", Self.npy(shape: [4], descr: "<i8", data: [0, 0, 0, 0, 0, 0, 0, 0]))
    let (graph, d) = buildGraph(
      spec("    kind: npy\n    inputs: x.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(graph == nil)
    #expect(graphFindings(d) == ["graph.bad-file@5", "graph.bad-file@6"])
    let messages = d.sorted.filter { $0.id == GraphDiagnostics.badFile }.map(\.message)
    #expect(
      messages.first?.hasSuffix("x.npy' (byte 0): not a .npy file: it does not start with \\x93NUMPY (data.bad-magic)")
        == true)
    #expect(messages.last?.contains("y.npy' (byte 128): array data of shape [4] is truncated") == true)

    // A negative label: the row, and the same code the trainer reports.
    let negative: [Int64] = [0, 2, -1, 1]
    _ = dir.write(
      "neg.npy",
      Self.npy(
        shape: [4], descr: "<i8",
        data: negative.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }))
    _ = dir.write("x4.npy", Self.npy(shape: [4, 4]))
    let (_, bad) = buildGraph(
      spec("    kind: npy\n    inputs: x4.npy\n    targets: neg.npy", loss: "cross_entropy"), file: dir.path + "/s.yaml"
    )
    let label = bad.all.first { $0.id == GraphDiagnostics.badFile }
    #expect(label?.range.start.line == 6)
    #expect(label?.message.contains("neg.npy' (row 3): label -1.0 is not a class index") == true)
    #expect(label?.message.hasSuffix("(data.bad-label)") == true)
    #expect(label?.help != nil)
  }

  @Test func csvHeaderAndTargetColumn() throws {
    let dir = ScratchDirectory()
    _ = dir.write("t.csv", Array("a,\"b, quoted\",c,label\n1,2,3,0\n4,5,6,1\n".utf8))
    let ok = buildGraph(spec("    kind: csv\n    path: t.csv\n    target: label", input: 3), file: dir.path + "/s.yaml")
    #expect(graphFindings(ok.1) == ["graph.loss-target@12"])  // mse on class labels with 3 outputs
    let fits = buildGraph(
      spec("    kind: csv\n    path: t.csv\n    target: label", input: 3, outputs: 2, loss: "cross_entropy"),
      file: dir.path + "/s.yaml")
    #expect(!fits.1.hasErrors, "\(fits.1.all)")
    #expect(
      try #require(fits.0).datasets["d"]?.shape == DataShape(features: 3, target: .classes(count: 2, oneHot: false)))
    let bad = buildGraph(
      spec("    kind: csv\n    path: t.csv\n    target: lable", input: 3), file: dir.path + "/s.yaml")
    #expect(graphFindings(bad.1) == ["graph.bad-file@6"])
    #expect(bad.1.all.first { $0.id == GraphDiagnostics.badFile }?.help?.hasPrefix("did you mean 'label'?") ?? false)
    let index = buildGraph(spec("    kind: csv\n    path: t.csv\n    target: 7", input: 3), file: dir.path + "/s.yaml")
    #expect(
      index.1.all.first { $0.id == GraphDiagnostics.badFile }?.message.hasPrefix("column 7 is out of range") == true)
    _ = dir.write("ragged.csv", Array("a,label\n1,x\n2,y,3\n".utf8))
    let ragged = buildGraph(
      spec("    kind: csv\n    path: ragged.csv\n    target: label", input: 1), file: dir.path + "/s.yaml")
    #expect(
      ragged.1.all.first { $0.id == GraphDiagnostics.badFile }?.message.hasSuffix(
        "(row 3, byte 12): a record of 3 fields where every record has 2 fields (data.ragged-row)") == true)
  }

  @Test func idxDimensionsAndClasses() throws {
    let dir = ScratchDirectory()
    _ = dir.write("img", Self.idx(shape: [10, 28, 28]))
    _ = dir.write("lab", Self.idx(shape: [10], data: Self.fiveClasses))
    let (graph, d) = buildGraph(
      spec(
        "    kind: idx\n    images: img\n    labels: lab\n    one_hot: true", input: 784, outputs: 5,
        loss: "cross_entropy"),
      file: dir.path + "/s.yaml")
    #expect(!d.hasErrors, "\(d.all)")
    #expect(
      try #require(graph).datasets["d"]?.shape == DataShape(features: 784, target: .classes(count: 5, oneHot: true), sampleDimensions: [28, 28]))
  }

  /// cross_entropy with fewer outputs than the label file has classes is a lint error at the loss, noting the
  /// model's last layer: for each file format.
  @Test func classCountMismatchIsALintErrorAtTheLoss() throws {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Self.npy(shape: [10, 4]))
    _ = dir.write(
      "y.npy",
      Self.npy(shape: [10], descr: "<i8", data: Self.fiveClasses.flatMap { [$0] + [UInt8](repeating: 0, count: 7) }))
    _ = dir.write("img", Self.idx(shape: [10, 2, 2]))
    _ = dir.write("lab", Self.idx(shape: [10], data: Self.fiveClasses))
    _ = dir.write("t.csv", Array(("a,b,c,d,label\n" + Self.fiveClasses.map { "1,2,3,4,\($0)\n" }.joined()).utf8))
    _ = dir.write("named.csv", Array(("a,b,c,d,label\n" + Self.fiveClasses.map { "1,2,3,4,k\($0)\n" }.joined()).utf8))
    let datasets = [
      "    kind: npy\n    inputs: x.npy\n    targets: y.npy", "    kind: idx\n    images: img\n    labels: lab",
      "    kind: csv\n    path: t.csv\n    target: label", "    kind: csv\n    path: named.csv\n    target: 4",
    ]
    for dataset in datasets {
      let yaml = spec(dataset, outputs: 3, loss: "cross_entropy")
      let (graph, d) = buildGraph(yaml, file: dir.path + "/s.yaml")
      #expect(graph == nil)
      let loss = try #require(Self.position(of: "cross_entropy", in: yaml))
      #expect(graphFindings(d) == ["graph.loss-target@\(loss.line)"], "\(dataset)")
      let diag = d.all.first { $0.id == GraphDiagnostics.lossTarget }
      #expect(diag?.message == "cross_entropy over 5 classes needs an output width of 5, but the model outputs 3")
      #expect(diag?.range.start.column == loss.column)
      #expect(diag?.notes.first?.message == "the model's output width is set by its last layer")
      let last = try #require(Self.position(of: "{dense: 3}", in: yaml))
      #expect(
        diag?.notes.first?.range?.start.line == last.line && diag?.notes.first?.range?.start.column == last.column)
      #expect(diag?.help == "make the last dense layer 5 units")
      let fixed = buildGraph(spec(dataset, outputs: 5, loss: "cross_entropy"), file: dir.path + "/s.yaml")
      #expect(!fixed.1.hasErrors, "\(dataset): \(fixed.1.all)")
    }
  }

  /// The 1-based line and column of the first `text` in `yaml`.
  static func position(of text: String, in yaml: String) -> (line: Int, column: Int)? {
    let lines = yaml.components(separatedBy: "\n")
    guard let n = lines.firstIndex(where: { $0.contains(text) }), let r = lines[n].range(of: text) else { return nil }
    return (n + 1, r.lowerBound.utf16Offset(in: lines[n]) + 1)
  }

  /// The graph phase reads each data file once, however many datasets name it.
  @Test func eachFileIsReadOnce() {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Self.npy(shape: [10, 4]))
    _ = dir.write("y.npy", Self.npy(shape: [10], descr: "|u1", data: Self.fiveClasses))
    let yaml =
      spec("    kind: npy\n    inputs: x.npy\n    targets: y.npy", outputs: 5, loss: "cross_entropy")
      .replacingOccurrences(of: "models:", with: "  e: {kind: npy, inputs: x.npy, targets: y.npy}\nmodels:")
      + "\n  again: {kind: evaluate, from: train, data: e}"
    var d = Diagnostics()
    let spec = SpecDecoder.decode(text: yaml, file: dir.path + "/s.yaml", diagnostics: &d)
    let files = DataFiles()
    let graph = spec.flatMap { GraphBuilder.build($0, files: files, diagnostics: &d) }
    #expect(graph != nil && !d.hasErrors, "\(d.all)")
    #expect(files.readCount == 2)
    #expect(graph?.dataFiles === files)
  }
}
