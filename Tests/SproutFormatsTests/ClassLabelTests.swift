import Foundation
import Testing

@testable import SproutFormats

/// The rule that makes targets class labels, and lint's streamed class counts against the trainer's full reads.
@Suite struct ClassLabelTests {
  @Test func whichNpyTargetsAreClassLabels() {
    func kind(_ shape: [Int], _ dtype: String) -> TargetKind {
      TargetRule.npy(NumericArray(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)), dtype: dtype))
    }
    #expect(kind([4], "<i8") == .classLabels)
    #expect(kind([4, 1], "u1") == .classLabels)
    #expect(kind([4], "|b1") == .classLabels)
    #expect(kind([4], "<f4") == .values(width: 1))
    #expect(kind([4, 3], "<i4") == .values(width: 3))
    #expect(kind([4, 2, 3], "<f8") == .values(width: 6))
    #expect(throws: Never.self) { try TargetRule.idxLabels(shape: [4, 1]) }
    expectDataError("data.shape-mismatch") { try TargetRule.idxLabels(shape: [4, 2]) }
  }

  @Test func classCountIsLargestPlusOne() throws {
    #expect(try ClassTally.count(of: [0, 4, 2]) == 5)
    #expect(try ClassTally.count(of: []) == 1)
    for (labels, row) in [([0, 1, -1], 3), ([0, 1.5], 2), ([3e38, 0], 1), ([Float(1 << 24)], 1), ([.nan], 1)] {
      let e = expectDataError("data.bad-label") { try ClassTally.count(of: labels as [Float]) }
      #expect(e?.row == row)
    }
    #expect(try ClassTally.count(of: [Float(ClassTally.limit - 1)]) == ClassTally.limit)
  }

  /// Lint reads labels in chunks; every chunk size gives the count the trainer gets from the whole array.
  @Test func streamedCountsEqualFullReads() throws {
    let files = ScratchFiles()
    var generator = SystemRandomNumberGenerator()
    let labels = (0..<5000).map { _ in UInt16.random(in: 0..<37, using: &generator) } + [36]
    let npy = files.write("y.npy", Encode.npy(descr: "<u2", shape: [labels.count], data: Encode.littleEndian(labels)))
    let idx = files.write(
      "y.idx", Encode.idx(code: 0x0B, shape: [labels.count], data: labels.flatMap { Encode.bigEndian($0) }))
    let full = try ClassTally.count(of: try NPYReader.read(file: npy).values)
    #expect(full == 37)
    for chunk in [1, 3, 4096, FileChunks.defaultChunkSize] {
      let n = try NPYReader.targets(file: npy, chunkSize: chunk)
      #expect(n.targets == .classes(count: full) && n.header.shape == [labels.count], "chunk \(chunk)")
      #expect(try IDXReader.labels(file: idx, chunkSize: chunk).targets == .classes(count: full), "chunk \(chunk)")
    }
    let values = files.write(
      "v.npy", Encode.npy(descr: "<f4", shape: [2, 3], data: Encode.float32([0, 1, 2, 3, 4, 5])))
    #expect(try NPYReader.targets(file: values).targets == .values(width: 3))
  }

  /// A bad label is the same error, at the same row, whether lint streams the file or the trainer loads it; and a
  /// value that cannot be decoded further on is reported before it, as a full read reports it.
  @Test func badLabelsAreTheSameErrorInLintAndTraining() throws {
    let files = ScratchFiles()
    let negative = files.write(
      "neg.npy", Encode.npy(descr: "<i8", shape: [4], data: Encode.littleEndian([0, 3, -1, 2] as [Int64])))
    let lint = dataError { try NPYReader.targets(file: negative, chunkSize: 8) }
    let train = dataError { try ClassTally.count(of: try NPYReader.read(file: negative).values) }
    #expect(lint?.code == "data.bad-label" && lint?.row == 3 && lint?.file == negative)
    #expect(lint?.code == train?.code && lint?.row == train?.row && lint?.message == train?.message)

    let later = files.write(
      "later.idx",
      Encode.idx(code: 0x0D, shape: [3], data: [-1, 0, .nan].flatMap { Encode.bigEndian(($0 as Float).bitPattern) }))
    let first = dataError { try IDXReader.labels(file: later, chunkSize: 4) }
    let full = dataError { try IDXReader.read(file: later) }
    #expect(first?.code == "data.not-finite" && first?.row == 3 && first?.byteOffset == full?.byteOffset)
    expectDataError("data.shape-mismatch") {
      try IDXReader.labels(file: files.write("pairs.idx", Encode.idx(code: 0x08, shape: [2, 2], data: [0, 1, 2, 3])))
    }
  }

  @Test func csvLabelColumnsAreIndicesOrNames() throws {
    func labels(_ cells: [String]) throws -> (labels: [Float], count: Int, names: [String]?) {
      var column = CSVLabelColumn(keepingCells: true)
      var lint = CSVLabelColumn(keepingCells: false)
      for (i, cell) in cells.enumerated() {
        column.add(cell, row: i + 2) { DataError(code: "", message: "", row: i + 2) }
        lint.add(cell, row: i + 2) { DataError(code: "", message: "", row: i + 2) }
      }
      let result = try column.labels()
      #expect(try lint.classCount() == result.count, "\(cells)")
      return result
    }
    #expect(try labels(["2", "0", "1"]) == ([2, 0, 1], 3, nil))
    #expect(try labels([" 3 ", "007"]) == ([3, 7], 8, nil))
    #expect(try labels(["dog", "cat", "dog"]) == ([1, 0, 1], 2, ["cat", "dog"]))
    // One cell that is not an index makes every cell a name, "1" included.
    #expect(try labels(["1", "x", "1", "-2"]) == ([1, 2, 1, 0], 3, ["-2", "1", "x"]))
    let huge = String(repeating: "9", count: 40)
    #expect(try labels([huge, "x"]).count == 2)
    let e = expectDataError("data.out-of-range") { try labels(["0", huge]) }
    #expect(e?.row == 3)
    expectDataError("data.bad-label") { try labels(["0", "16777216"]) }

    var many = CSVLabelColumn(keepingCells: false)
    var kept = CSVLabelColumn(keepingCells: true)
    for i in 0...CSVLabelColumn.countLimit {
      many.add("c\(i)", row: i + 1) { DataError(code: "", message: "") }
      kept.add("c\(i)", row: i + 1) { DataError(code: "", message: "") }
    }
    #expect(try many.classCount() == nil)
    #expect(try kept.classCount() == CSVLabelColumn.countLimit + 1)
  }

  /// The chunked scanner splits a file into the same records as the in-memory one, whatever the chunk size: quoted
  /// fields with commas, doubled quotes and line breaks, CRLF line ends and a byte-order mark.
  @Test func csvScannedInChunksEqualsInMemory() throws {
    let text = "\u{FEFF}a,\"b, quoted\",label\r\n1,\"say \"\"hi\"\"\",cat\r\n2,\"two\nlines\",dog\n3,x,cat\n"
    let files = ScratchFiles()
    let path = files.write("t.csv", text)
    var memory = CSVScanner(bytes: Array(text.utf8))
    var expected: [CSVRecord] = []
    while let r = try memory.next() { expected.append(r) }
    #expect(expected.count == 4 && expected[0].fields == ["a", "b, quoted", "label"])
    for chunk in 1...17 {
      var scanner = try CSVScanner(chunks: FileChunks(path: path, chunkSize: chunk))
      var records: [CSVRecord] = []
      while let r = try scanner.next() { records.append(r) }
      #expect(records == expected, "chunk \(chunk)")
      let summary = try CSVReader.summary(file: path, header: true, label: "label", chunkSize: chunk)
      #expect(summary.columns == ["a", "b, quoted", "label"] && summary.label == .success(.classes(count: 2)))
    }
  }

  @Test func csvSummaryErrorsMatchTheFullRead() throws {
    let ragged = dataFixture("csv/ragged.csv")
    let lint = try CSVReader.summary(file: ragged, header: true, label: "c", chunkSize: 5)
    let full = dataError { try CSVReader.read(file: ragged, options: CSVOptions(label: "c")) }
    guard case .failure(let e) = lint.label else {
      Issue.record("a ragged row is an error at lint: \(lint)")
      return
    }
    #expect(e.code == "data.ragged-row" && e.row == full?.row && e.byteOffset == full?.byteOffset && e.file == ragged)

    let files = ScratchFiles()
    let table = files.write("t.csv", "x,y,label\n1,2,a\n")
    let unknown = try CSVReader.summary(file: table, header: true, label: "lable")
    #expect(unknown.columns == ["x", "y", "label"])
    if case .failure(let e) = unknown.label {
      #expect(e.code == "data.unknown-column")
    } else {
      Issue.record("\(unknown)")
    }
    #expect(try CSVReader.summary(file: table, header: false, label: "2").label == .success(.classes(count: 2)))
    #expect(try CSVReader.summary(file: table, header: true, label: "2").label == .success(.classes(count: 1)))
    let empty = try CSVReader.summary(file: files.write("h.csv", "x,label\n"), header: true, label: "label")
    if case .failure(let e) = empty.label { #expect(e.code == "data.empty") } else { Issue.record("\(empty)") }
    expectDataError("data.empty") { try CSVReader.summary(file: files.write("e.csv", ""), header: true, label: "x") }
  }
}
