import Foundation
import Testing

@testable import SproutFormats

/// A header is believed only after it is checked against the file's size and the memory budget: a few bytes
/// claiming a huge image or array are refused with the size stated, before any buffer of that size is made.
@Suite struct MemoryBudgetTests {
  @Test("a binary PGM header claiming 100000×100000 is refused by the header check and by the reader")
  func hugeBinaryImageIsRefused() {
    let files = ScratchFiles()
    let file = files.write("huge.pgm", Array("P5\n100000 100000\n255\n".utf8))
    let e = expectDataError("data.truncated") { try PNMReader.header(file: file) }
    #expect(e?.message.contains("expected 10000000000 bytes") == true)
    expectDataError("data.truncated") { try PNMReader.read(file: file) }
    expectDataError("data.truncated") { try PNMReader.parse(Array("P5\n100000 100000\n255\n".utf8)) }
  }

  @Test("a plain PGM header claiming 100000×100000 over three samples is refused before the pixels are allocated")
  func hugePlainImageIsRefused() {
    let files = ScratchFiles()
    let bytes = Array("P2\n100000 100000\n255\n1 2 3\n".utf8)
    let file = files.write("huge.pgm", bytes)
    let e = expectDataError("data.truncated") { try PNMReader.header(file: file) }
    #expect(e?.message.contains("need at least 20000000000 bytes") == true)
    #expect(e?.file == file)
    expectDataError("data.truncated") { try PNMReader.read(file: file) }
    expectDataError("data.truncated") { try PNMReader.parse(bytes) }
  }

  @Test("a PGM header claiming 4e9×4e9 is a bad header, in both forms")
  func impossibleImageIsRefused() {
    let files = ScratchFiles()
    for magic in ["P5", "P2"] {
      let file = files.write("impossible.pgm", Array("\(magic)\n4000000000 4000000000\n255\n".utf8))
      let e = expectDataError("data.bad-header") { try PNMReader.read(file: file) }
      #expect(e?.message == "image size 4000000000×4000000000 is too large")
    }
  }

  @Test("a complete file larger than the budget is refused with both sizes stated")
  func budgetRefusesWhatTheFileHolds() throws {
    let files = ScratchFiles()
    let image = files.write("img.pgm", Array("P5\n20 10\n255\n".utf8) + [UInt8](repeating: 7, count: 200))
    let small = MemoryBudget(bytes: 500)
    let e = expectDataError("data.too-large") { try PNMReader.read(file: image, budget: small) }
    #expect(e?.message == "a 20×10 image needs 1.0 KB in memory, more than the budget of 500 bytes")
    #expect(e?.file == image)
    #expect(throws: Never.self) { try PNMReader.read(file: image, budget: MemoryBudget(bytes: 2_000)) }

    var idx: [UInt8] = [0, 0, 0x08, 2, 0, 0, 0, 10, 0, 0, 0, 10]
    idx += [UInt8](repeating: 1, count: 100)
    let idxFile = files.write("x.idx", idx)
    expectDataError("data.too-large") { try IDXReader.header(file: idxFile, budget: small) }
    expectDataError("data.too-large") { try IDXReader.read(file: idxFile, budget: small) }
    #expect(try IDXReader.read(file: idxFile, budget: MemoryBudget(bytes: 1_000)).values.count == 100)

    var header = "{'descr': '|u1', 'fortran_order': True, 'shape': (10, 10), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    let npy =
      [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
      + [UInt8](repeating: 1, count: 100)
    let npyFile = files.write("x.npy", npy)
    // Fortran order is reordered into a second buffer, so its 100 values count twice: 128 + 100 bytes of file
    // and 800 of floats are more than 700, where one copy (628) would fit.
    let n = expectDataError("data.too-large") { try NPYReader.read(file: npyFile, budget: MemoryBudget(bytes: 700)) }
    #expect(n?.message == "an array of shape [10, 10] needs 1.0 KB in memory, more than the budget of 700 bytes")

    let csv = files.write("t.csv", Array("a,b\n1,2\n3,4\n".utf8))
    expectDataError("data.too-large") {
      try CSVReader.read(file: csv, options: CSVOptions(label: "b"), budget: MemoryBudget(bytes: 20))
    }
  }

  @Test func sizesAreStatedForPeople() {
    #expect(MemoryBudget.describe(17) == "17 bytes")
    #expect(MemoryBudget.describe(40_000_000_000) == "40.0 GB")
    #expect(MemoryBudget.default.bytes > 0)
  }
}
