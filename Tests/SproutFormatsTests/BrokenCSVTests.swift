import Foundation
import Testing

@testable import SproutFormats

/// Broken CSV files are errors with a code and a place, never a crash, in both readers: the trainer's (the whole
/// table) and lint's (the label column, in chunks).
@Suite struct BrokenCSVTests {
  /// Name, bytes, and the code both readers must give (nil: the file is valid, whatever it means).
  static let cases: [(String, [UInt8], String?)] = [
    ("empty", [], "data.empty"),
    ("bom only", [0xEF, 0xBB, 0xBF], "data.empty"),
    ("half a bom", [0xEF], "data.unknown-column"),
    ("header only", Array("a,b,label\n".utf8), "data.empty"),
    ("ragged", Array("a,b,label\n1,2,0\n1,2\n".utf8), "data.ragged-row"),
    ("unclosed quote", Array("a,b,label\n1,\"2,0\n".utf8), "data.bad-quote"),
    ("quote in a field", Array("a,b,label\n1,2\"x,0\n".utf8), "data.bad-quote"),
    ("text after a quote", Array("a,b,label\n1,\"2\"x,0\n".utf8), "data.bad-quote"),
    ("a lone quote", Array("\"".utf8), "data.bad-quote"),
    ("blank lines", Array("a,b,label\n\n1,2,0\n\n".utf8), "data.ragged-row"),
    ("only newlines", Array("\n\n\n".utf8), "data.unknown-column"),
    ("no label column", Array("a,b,c\n1,2,0\n".utf8), "data.unknown-column"),
    ("label too large", Array("a,b,label\n1,2,99999999999\n".utf8), "data.bad-label"),
    ("label of 40 digits", Array(("a,b,label\n1,2," + String(repeating: "9", count: 40) + "\n").utf8), nil),
    ("every byte", (0...255).map { UInt8($0) }, nil),
    ("invalid UTF-8", Array("a,b,label\n1,2,".utf8) + [0xFF, 0xFE, 0x0A], nil),
    ("CR line ends", Array("a,b,label\r1,2,0\r3,4,1\r".utf8), nil),
    ("empty label", Array("a,b,label\n1,2,\n".utf8), nil),
    ("fractional label", Array("a,b,label\n1,2,0.5\n".utf8), nil),
    ("label 1e30", Array("a,b,label\n1,2,1e30\n".utf8), nil),
  ]

  @Test("every broken file is a DataError in both readers", arguments: 0..<cases.count)
  func brokenFile(index: Int) throws {
    let (name, bytes, code) = Self.cases[index]
    let files = ScratchFiles()
    let file = files.write("t.csv", bytes)
    var codes: [String] = []
    for read in [
      { _ = try CSVReader.read(file: file, options: CSVOptions(label: "label")) },
      { _ = try CSVReader.summary(file: file, header: true, label: "label").label.get() },
    ] as [() throws -> Void] {
      do { try read() } catch let e as DataError {
        #expect(e.file == file, "\(name): \(e)")
        codes.append(e.code)
      } catch {
        Issue.record("\(name): not a DataError: \(error)")
      }
    }
    if let code {
      // The label column alone may be fine where the whole table is not (and the reverse for labels).
      #expect(codes.contains(code), "\(name): \(codes)")
    }
  }

  @Test("non-numeric, non-finite and overflowing cells are errors of the trainer's reader")
  func badCells() throws {
    let files = ScratchFiles()
    for (cell, code) in [
      ("abc", "data.not-a-number"), ("nan", "data.not-finite"), ("1e400", "data.not-finite"),
      ("0x10", "data.not-a-number"), ("", "data.not-a-number"), ("3.5e38", "data.out-of-range"),
    ] {
      let file = files.write("t.csv", Array("a,b,label\n1,\(cell),0\n".utf8))
      let e = expectDataError(code) { try CSVReader.read(file: file, options: CSVOptions(label: "label")) }
      #expect(e?.row == 2 && e?.column == 2, "\(cell): \(String(describing: e))")
    }
  }
}
