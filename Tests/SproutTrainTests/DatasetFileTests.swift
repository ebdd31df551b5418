import Foundation
import SproutConfig
import SproutFormats
import Testing

@testable import SproutTrain

/// Runs `body`, which must throw a `DataError` with `code`; returns it for further checks.
@discardableResult
func expectDataError(_ code: String, _ body: () throws -> Any) -> DataError? {
  do {
    _ = try body()
    Issue.record("expected \(code), got success")
  } catch let e as DataError {
    #expect(e.code == code, "\(e)")
    return e
  } catch {
    Issue.record("expected a DataError, got \(error)")
  }
  return nil
}

/// Datasets made from what SproutFormats reads: arrays, CSV numbers, images, and whole dataset sources loaded from
/// files, whose class counts must be the ones lint reads from the same files.
@Suite struct DatasetFileTests {
  @Test func arraysMustAgreeOnSamples() throws {
    let f = NumericArray(shape: [4, 2], values: (0..<8).map(Float.init), dtype: "<f4")
    let labels = NumericArray(shape: [5], values: [0, 1, 2, 3, 4], dtype: "<i8")
    let e = expectDataError("data.shape-mismatch") { try Dataset.fromArrays(features: f, targets: labels, classes: 0) }
    #expect(e?.message.contains("[4, 2]") == true && e?.message.contains("[5]") == true)
    let d = try Dataset.fromArrays(
      features: f, targets: NumericArray(shape: [4], values: [0, 1, 2, 1], dtype: "u1"), classes: 0)
    #expect(d.target == .classes(count: 3))
    expectDataError("data.shape-mismatch") { try d.checkFits(inputs: 3, outputs: 3) }
    expectDataError("data.shape-mismatch") { try d.checkFits(inputs: 2, outputs: 2) }
    try d.checkFits(inputs: 2, outputs: 3)
    // MNIST-shaped images [n, h, w] flatten to n × (h·w) features.
    let images = NumericArray(shape: [2, 2, 3], values: (0..<12).map(Float.init), dtype: "u1")
    let flat = try Dataset.fromArrays(
      features: images, targets: NumericArray(shape: [2], values: [7, 2], dtype: "u1"), classes: 10)
    #expect(flat.featureCount == 6 && Array(flat.featureRow(1)) == [6, 7, 8, 9, 10, 11])
    let bad = expectDataError("data.bad-label") {
      try Dataset.fromArrays(
        features: f, targets: NumericArray(shape: [4], values: [0, 1.5, 2, 1], dtype: "f4"), classes: 0,
        targetFile: "y.npy")
    }
    #expect(bad?.row == 2 && bad?.file == "y.npy")
    expectDataError("data.shape-mismatch") {
      try Dataset.fromArrays(
        features: f, targets: NumericArray(shape: [4, 2], values: [Float](repeating: 0, count: 8), dtype: "u1"),
        classes: 0)
    }
  }

  @Test func csvNumbersBecomeADataset() throws {
    let table = try CSVReader.table(Array("x,y,species\n1,2,dog\n3,4,cat\n5,6,dog\n".utf8), header: true)
    let d = try Dataset(csv: CSVReader.data(table, options: CSVOptions(label: "species")))
    #expect(d.count == 3 && d.featureCount == 2 && d.features == [1, 2, 3, 4, 5, 6])
    #expect(d.target == .classes(count: 2) && d.classNames == ["cat", "dog"] && d.targets == [1, 0, 1])
    let r = try Dataset(csv: CSVReader.data(table, options: CSVOptions(columns: ["x"], targets: ["y"])))
    #expect(r.target == .regression(width: 1) && r.targets == [2, 4, 6])
  }

  @Test func imagesBecomeCoordinateDatasets() throws {
    let image = PixelImage(width: 2, height: 1, channels: 3, values: [1, 0, 0, 0, Float(32768) / 65535, 1])
    let d = try DatasetGenerator.image(image)
    #expect(d.grid == [1, 2] && d.featureCount == 2 && d.target == .regression(width: 3))
    #expect(Array(d.featureRow(1)) == [1, 0] && d.targets[0] == 1 && d.targets[1] == -1)
  }

  /// Generated datasets are kept per process (a sweep's tasks all read the same rows) and come back equal to a
  /// fresh generation; a file's are not: a file rewritten between two loads in one process is read again.
  @Test func generatedDataIsCachedFilesAreReadAgain() throws {
    let generated = DataSelection(
      dataset: DatasetConfig(
        name: "t", source: .teacherStudent(
          inputs: 2, outputs: 1, samples: 64, hidden: 8, depth: 1, activation: .tanh, noise: 0, task: .regression)),
      split: nil)
    let first = try Dataset.load(generated, seed: 3, directory: ".")
    #expect(try Dataset.load(generated, seed: 3, directory: ".") == first)
    #expect(try Dataset.prepare(generated, seed: 3, directory: ".") == first)
    #expect(try Dataset.load(generated, seed: 4, directory: ".") != first)

    let dir = NSTemporaryDirectory() + "sprout-train-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let selection = DataSelection(
      dataset: DatasetConfig(
        name: "c", source: .csv(file: DataFile(path: "t.csv", digest: ""), target: .name("y"), header: true)),
      split: nil)
    _ = FileManager.default.createFile(atPath: "\(dir)/t.csv", contents: Data("x,y\n1,2\n3,4\n".utf8))
    #expect(try Dataset.load(selection, seed: 1, directory: dir).features == [1, 3])
    _ = FileManager.default.createFile(atPath: "\(dir)/t.csv", contents: Data("x,y\n5,2\n7,4\n".utf8))
    #expect(try Dataset.load(selection, seed: 1, directory: dir).features == [5, 7])
  }

  /// Loading a dataset source from files gives the class count lint reads from the same files.
  @Test func loadedClassesAreTheOnesLintCounts() throws {
    let dir = NSTemporaryDirectory() + "sprout-train-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func write(_ name: String, _ bytes: [UInt8]) -> DataFile {
      _ = FileManager.default.createFile(atPath: "\(dir)/\(name)", contents: Data(bytes))
      return DataFile(path: name, digest: "")
    }
    func npy(_ descr: String, _ shape: [Int], _ data: [UInt8]) -> [UInt8] {
      var header =
        "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
      while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
      header += "\n"
      let n = header.utf8.count
      return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + data
    }
    let x = write(
      "x.npy",
      npy("<f4", [6, 1], (0..<6).flatMap { withUnsafeBytes(of: Float($0).bitPattern.littleEndian, Array.init) }))
    let y = write("y.npy", npy("|u1", [6], [0, 4, 1, 0, 2, 1]))
    let images = write("x.idx", [0, 0, 0x08, 2, 0, 0, 0, 6, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6])
    let labels = write("y.idx", [0, 0, 0x08, 1, 0, 0, 0, 6, 9, 0, 1, 0, 2, 1])
    let csv = write("t.csv", Array("a,label\n1,b\n2,a\n3,c\n".utf8))
    let sources: [(DataSource, FileTargets)] = [
      (.npy(inputs: x, targets: y), try NPYReader.targets(file: "\(dir)/y.npy").targets),
      (.idx(images: images, labels: labels, limit: nil), try IDXReader.labels(file: "\(dir)/y.idx").targets),
      (
        .csv(file: csv, target: .name("label"), header: true),
        try CSVReader.summary(file: "\(dir)/t.csv", header: true, label: "label").label.get()
      ),
    ]
    for (source, lint) in sources {
      let d = try Dataset.load(
        DataSelection(dataset: DatasetConfig(name: "d", source: source)), seed: 1, directory: dir)
      guard case .classes(let count) = lint, let classes = d.target.classCount else {
        Issue.record("\(source): lint \(lint), loaded \(d.target)")
        continue
      }
      #expect(count == classes, "\(source)")
    }
    #expect(try NPYReader.targets(file: "\(dir)/y.npy").targets == .classes(count: 5))
  }

  /// The bundled real datasets (examples/data), nobody here wrote them.
  @Test func realDigitsAndIris() throws {
    let root = packageRoot().appendingPathComponent("examples/data")
    let images = try NPYReader.read(file: root.appendingPathComponent("digits/digits_images.npy").path)
    let labels = try NPYReader.read(file: root.appendingPathComponent("digits/digits_labels.npy").path)
    let digits = try Dataset.fromArrays(features: images, targets: labels, classes: 10)
    #expect(digits.count == 1797 && digits.featureCount == 64)

    let iris = try Dataset(
      csv: CSVReader.read(
        file: root.appendingPathComponent("iris/iris.csv").path, options: CSVOptions(label: "species")))
    #expect(iris.count == 150 && iris.featureCount == 4)
    #expect(iris.classNames == ["setosa", "versicolor", "virginica"])
    #expect(Array(iris.featureRow(0)) == [5.1, 3.5, 1.4, 0.2] && Array(iris.featureRow(149)) == [5.9, 3.0, 5.1, 1.8])
    #expect((0..<3).map { c in iris.targets.filter { $0 == Float(c) }.count } == [50, 50, 50])
  }
}
