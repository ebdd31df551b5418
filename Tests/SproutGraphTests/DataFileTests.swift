import SproutDiagnostics
import SproutSpec
import Testing

@testable import SproutGraph

/// Data shapes from file headers: only the header is read, and problems point at the path's argument.
@Suite struct DataFileTests {
  static func npy(shape: String, descr: String = "<f4") -> [UInt8] {
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let n = header.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + [0, 0, 0, 0]
  }

  func spec(_ dataset: String, input: Int = 4) -> String {
    """
    sprout: 1
    datasets:
      d:
    \(dataset)
    models:
      net: {input: \(input), layers: [{dense: 3}]}
    initializers:
      he: {kind: kaiming_normal}
    stages:
      train: {kind: train, model: net, init: he, data: d, loss: mse, optimizer: {kind: sgd, lr: 0.1}, steps: 1}
    """
  }

  @Test func npyHeaderGivesFeaturesAndTargets() throws {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Self.npy(shape: "(150, 4)"))
    _ = dir.write("y.npy", Self.npy(shape: "(150, 3)", descr: "<f8"))
    let (graph, d) = buildGraph(
      spec("    kind: npy\n    inputs: x.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(!d.hasErrors, "\(d.all)")
    #expect(try #require(graph).datasets["d"]?.shape == DataShape(features: 4, target: .values(width: 3)))
    let header = try DataFileHeader.npy(at: dir.path + "/x.npy")
    #expect(header.shape == [150, 4] && header.dtype == "<f4")
  }

  @Test func npyWidthMismatchAndSampleCountMismatch() {
    let dir = ScratchDirectory()
    _ = dir.write("x.npy", Self.npy(shape: "(150, 5)"))
    _ = dir.write("y.npy", Self.npy(shape: "(149, 3)"))
    let (_, d) = buildGraph(spec("    kind: npy\n    inputs: x.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(graphFindings(d) == ["graph.bad-file@6", "graph.input-mismatch@12"])
  }

  @Test func missingFileIsAnErrorAtThePath() {
    let dir = ScratchDirectory()
    _ = dir.write("y.npy", Self.npy(shape: "(150,)", descr: "<i8"))
    let (graph, d) = buildGraph(
      spec("    kind: npy\n    inputs: nope.npy\n    targets: y.npy"), file: dir.path + "/s.yaml")
    #expect(graph == nil)
    let diag = d.all.first { $0.id == GraphDiagnostics.missingFile }
    #expect(diag?.range.start.line == 5)
    #expect(diag?.range.start.column == 13)
    #expect(diag?.message.hasSuffix("nope.npy' does not exist") ?? false)
  }

  @Test func badMagicNamesTheByte() {
    let dir = ScratchDirectory()
    let p = dir.write("x.npy", Array("not numpy at all".utf8))
    #expect(throws: DataFileHeader.Problem.self) { try DataFileHeader.npy(at: p) }
    do {
      _ = try DataFileHeader.npy(at: p)
    } catch {
      #expect(error.offset == 0 && !error.isMissing)
    }
  }

  @Test func csvHeaderAndTargetColumn() throws {
    let dir = ScratchDirectory()
    _ = dir.write("t.csv", Array("a,\"b, quoted\",c,label\n1,2,3,0\n".utf8))
    #expect(try DataFileHeader.csvColumns(at: dir.path + "/t.csv") == ["a", "b, quoted", "c", "label"])
    let ok = buildGraph(spec("    kind: csv\n    path: t.csv\n    target: label", input: 3), file: dir.path + "/s.yaml")
    #expect(!ok.1.hasErrors, "\(ok.1.all)")
    let bad = buildGraph(
      spec("    kind: csv\n    path: t.csv\n    target: lable", input: 3), file: dir.path + "/s.yaml")
    #expect(graphFindings(bad.1) == ["graph.bad-file@6"])
    #expect(bad.1.all.first { $0.id == GraphDiagnostics.badFile }?.help?.hasPrefix("did you mean 'label'?") ?? false)
  }

  @Test func idxDimensions() throws {
    let dir = ScratchDirectory()
    _ = dir.write("img", [0, 0, 0x08, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28])
    _ = dir.write("lab", [0, 0, 0x08, 1, 0, 0, 0, 10])
    let (graph, d) = buildGraph(
      spec("    kind: idx\n    images: img\n    labels: lab\n    one_hot: true", input: 784).replacingOccurrences(
        of: "loss: mse", with: "loss: cross_entropy"), file: dir.path + "/s.yaml")
    #expect(!d.hasErrors, "\(d.all)")
    #expect(
      try #require(graph).datasets["d"]?.shape == DataShape(features: 784, target: .classes(count: nil, oneHot: true)))
  }
}
