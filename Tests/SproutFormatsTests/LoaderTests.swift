import Foundation
import Testing

@testable import SproutFormats

/// The readers over files NumPy, the MNIST tools and netpbm write, and over broken ones.
@Suite struct LoaderTests {
  @Test func npyEveryDtypeAndByteOrder() throws {
    let names = [
      "i1_na", "u1_na", "i2_le", "i2_be", "u2_le", "u2_be", "i4_le", "i4_be", "u4_le", "u4_be", "i8_le", "i8_be",
      "u8_le", "u8_be", "f2_le", "f2_be", "f4_le", "f4_be", "f8_le", "f8_be", "f4_v1", "f4_v2", "f4_v3",
    ]
    for name in names {
      let a = try NPYReader.read(file: dataFixture("npy/\(name).npy"))
      #expect(a.shape == [2, 3], "\(name)")
      #expect(a.values == [0, 1, 2, 3, 4, 5], "\(name)")
    }
    let b = try NPYReader.read(file: dataFixture("npy/b1_na.npy"))
    #expect(b.values == [1, 0, 1, 0, 1, 0] && b.dtype == "|b1")
    #expect(try NPYReader.read(file: dataFixture("npy/i8_negative.npy")).values == [-16_777_216, -1, 0, 16_777_216])
    let half = try NPYReader.read(file: dataFixture("npy/f2_special.npy")).values
    #expect(half[0] == 0.5 && half[1] == -2 && half[4] == 65504)
    #expect(abs(half[2] - 6.1e-05) < 1e-7 && half[3] == 0x1p-24)  // smallest normal-ish and the smallest subnormal
  }

  @Test func npyFortranOrderBecomesRowMajor() throws {
    for name in ["fortran_f8_le", "fortran_i2_be", "fortran_u4_le"] {
      let a = try NPYReader.read(file: dataFixture("npy/\(name).npy"))
      #expect(a.shape == [2, 3, 4])
      #expect(a.values == (0..<24).map(Float.init), "\(name)")
    }
  }

  @Test func npyBadFilesSayWhereAndWhy() {
    var e = expectDataError("data.truncated") { try NPYReader.read(file: dataFixture("npy/truncated.npy")) }
    #expect(e?.file?.hasSuffix("truncated.npy") == true && e?.byteOffset == 128)
    e = expectDataError("data.bad-magic") { try NPYReader.read(file: dataFixture("npy/bad_magic.npy")) }
    #expect(e?.byteOffset == 0)
    e = expectDataError("data.not-finite") { try NPYReader.read(file: dataFixture("npy/nan.npy")) }
    #expect(e?.row == 2 && e?.column == 1 && e?.byteOffset == 128 + 8)
    e = expectDataError("data.not-finite") { try NPYReader.read(file: dataFixture("npy/inf.npy")) }
    #expect(e?.row == 2)
    e = expectDataError("data.inexact") { try NPYReader.read(file: dataFixture("npy/i4_inexact.npy")) }
    #expect(e?.row == 2 && e?.message.contains("16777217") == true)
    e = expectDataError("data.unsupported") { try NPYReader.read(file: dataFixture("npy/complex.npy")) }
    #expect(e?.field == "descr")
    expectDataError("data.unreadable") { try NPYReader.read(file: dataFixture("npy/missing.npy")) }
  }

  @Test func idxEveryTypeCode() throws {
    let expected: [(String, [Float])] = [
      ("u8", [0, 1, 2, 3, 4, 5]), ("i8", [0, -1, -2, -3, -4, -5]), ("i16", [0, -1000, -2000, -3000, -4000, -5000]),
      ("i32", [0, 100_000, 200_000, 300_000, 400_000, 500_000]), ("f32", [0, 0.25, 0.5, 0.75, 1, 1.25]),
      ("f64", [0, 0.125, 0.25, 0.375, 0.5, 0.625]),
    ]
    for (name, values) in expected {
      let a = try IDXReader.read(file: dataFixture("idx/\(name).idx"))
      #expect(a.shape == [2, 3] && a.values == values, "\(name)")
    }
    #expect(try IDXReader.read(file: dataFixture("idx/labels3.idx")).values == [7, 2, 1])
    let e = expectDataError("data.truncated") { try IDXReader.read(file: dataFixture("idx/truncated.idx")) }
    #expect(e?.byteOffset == 12)
    expectDataError("data.bad-magic") { try IDXReader.read(file: dataFixture("idx/bad_type.idx")) }
    expectDataError("data.bad-magic") { try IDXReader.parse([0x1F, 0x8B, 0x08, 0x00]) }  // a gzip file
  }

  @Test func pnmAllFourKinds() throws {
    let grey: [Float] = [0, 128, 255, 64, 32, 16].map { $0 / 255 }
    for name in ["gray.pgm", "gray.pgm.bin"] {
      let img = try PNMReader.read(file: dataFixture("pnm/\(name)"))
      #expect(img.width == 3 && img.height == 2 && img.channels == 1 && img.values == grey, "\(name)")
    }
    let ascii = try PNMReader.read(file: dataFixture("pnm/color.ppm"))
    #expect(ascii.channels == 3 && ascii.values == [1, 0, 0, 0, 1, 0])
    let wide = try PNMReader.read(file: dataFixture("pnm/color.ppm.bin"))
    #expect(wide.values == [1, 0, 0, 0, Float(32768) / 65535, 1])

    let e = expectDataError("data.truncated") { try PNMReader.read(file: dataFixture("pnm/truncated.pgm")) }
    #expect(e?.byteOffset == 11)
    expectDataError("data.bad-magic") { try PNMReader.read(file: dataFixture("pnm/bad_magic.pgm")) }
    let over = expectDataError("data.out-of-range") { try PNMReader.read(file: dataFixture("pnm/over.pgm")) }
    #expect(over?.column == 2)
  }

  @Test func csvQuotedFieldsLabelsAndColumns() throws {
    let path = dataFixture("csv/quoted.csv")
    let d = try CSVReader.read(file: path, options: CSVOptions(columns: ["x", "y, with comma"], label: "label"))
    #expect(d.count == 3 && d.featureCount == 2)
    #expect(d.features == [1.5, 2, -3, 0.4, 0, 0.25])
    #expect(d.targets == .classes(labels: [0, 1, 0], count: 2, names: ["cat", "dog"]))
    let table = try CSVReader.table([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), header: true)
    #expect(table.rows[0][2] == "say \"hi\"" && table.rows[1][2] == "two\nlines")
    #expect(table.lines == [2, 3, 5])

    let regression = try CSVReader.read(file: path, options: CSVOptions(columns: ["x"], targets: ["y, with comma"]))
    #expect(regression.targets == .values([2, 0.4, 0.25], width: 1))
    let numeric = try CSVReader.read(
      file: dataFixture("csv/noheader.csv"), options: CSVOptions(header: false, label: "2"))
    #expect(numeric.features == [1, 2, 3, 4, 5, 6])
    guard case .classes(_, 3, nil) = numeric.targets else {
      Issue.record("integer labels are class indices: \(numeric.targets)")
      return
    }
    // With a header, an index that is not a header name selects by position.
    let byIndex = try CSVReader.read(file: path, options: CSVOptions(columns: ["0"], label: "3"))
    #expect(byIndex.targets == .classes(labels: [0, 1, 0], count: 2, names: ["cat", "dog"]))
    #expect(byIndex.features == [1.5, -3, 0])
  }

  @Test func csvBadFilesSayWhere() {
    let ragged = expectDataError("data.ragged-row") {
      try CSVReader.read(file: dataFixture("csv/ragged.csv"), options: CSVOptions(targets: ["c"]))
    }
    #expect(ragged?.row == 3 && ragged?.byteOffset == 12)
    let text = expectDataError("data.not-a-number") {
      try CSVReader.read(file: dataFixture("csv/nonnumeric.csv"), options: CSVOptions(targets: ["c"]))
    }
    #expect(text?.row == 3 && text?.column == 2 && text?.field == "b" && text?.byteOffset == 14)
    #expect(text?.description.contains("nonnumeric.csv (row 3, column 2, field 'b', byte 14)") == true)
    let nan = expectDataError("data.not-finite") {
      try CSVReader.read(file: dataFixture("csv/nan.csv"), options: CSVOptions(targets: ["a"]))
    }
    #expect(nan?.field == "b")
    expectDataError("data.bad-quote") {
      try CSVReader.read(file: dataFixture("csv/unterminated.csv"), options: CSVOptions(targets: ["a"]))
    }
    expectDataError("data.unknown-column") {
      try CSVReader.read(file: dataFixture("csv/nan.csv"), options: CSVOptions(label: "species"))
    }
    expectDataError("data.bad-quote") { try CSVReader.table(Array("a,b\"c\n".utf8), header: false) }
  }

  /// The bundled real datasets (examples/data), nobody here wrote them.
  @Test func realDigitsAndIris() throws {
    let root = packageRoot().appendingPathComponent("examples/data")
    let images = try NPYReader.read(file: root.appendingPathComponent("digits/digits_images.npy").path)
    let labels = try NPYReader.read(file: root.appendingPathComponent("digits/digits_labels.npy").path)
    #expect(images.shape == [1797, 64] && labels.shape == [1797])
    #expect(Array(images.values[0..<16]) == [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0])
    #expect(Array(labels.values[0..<10]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    #expect(images.values.allSatisfy { $0 >= 0 && $0 <= 16 })
    #expect(TargetRule.npy(labels) == .classLabels && TargetRule.npy(images) == .values(width: 64))

    let iris = try CSVReader.read(
      file: root.appendingPathComponent("iris/iris.csv").path, options: CSVOptions(label: "species"))
    #expect(iris.count == 150 && iris.featureCount == 4)
    #expect(
      Array(iris.features[0..<4]) == [5.1, 3.5, 1.4, 0.2] && Array(iris.features[596..<600]) == [5.9, 3.0, 5.1, 1.8])
    guard case .classes(let species, 3, ["setosa", "versicolor", "virginica"]) = iris.targets else {
      Issue.record("iris species are three named classes: \(iris.targets)")
      return
    }
    #expect((0..<3).map { c in species.filter { $0 == Float(c) }.count } == [50, 50, 50])
  }
}
