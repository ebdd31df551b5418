import Foundation
import Testing

@testable import SproutFormats

/// Lint's header reads against the trainer's full reads of the same files: the same shapes from good files, the
/// same error (code and byte) from files broken in their header or length, and no trap on absurd headers.
@Suite struct HeaderTests {
  static func files(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dataFixture(folder)).sorted().map {
      dataFixture("\(folder)/\($0)")
    }
  }

  /// Errors the header check must find as the full read does (the others are in the values, which it skips).
  static let structural: Set<String> = [
    "data.bad-magic", "data.bad-header", "data.truncated", "data.trailing-data", "data.unsupported",
  ]

  @Test func npyHeadersAgreeWithFullReads() throws {
    let files = try Self.files("npy")
    #expect(files.count > 30)
    for file in files {
      switch Result(catching: { try NPYReader.read(file: file) }) {
      case .success(let array):
        let header = try NPYReader.header(file: file)
        #expect(header.shape == array.shape && header.descr == array.dtype, "\(file)")
      case .failure(let error as DataError) where Self.structural.contains(error.code):
        let e = dataError { try NPYReader.header(file: file) }
        #expect(e?.code == error.code && e?.byteOffset == error.byteOffset && e?.file == file, "\(file)")
      case .failure(let error as DataError):
        #expect(["data.not-finite", "data.inexact"].contains(error.code), "\(file): \(error)")
        #expect(throws: Never.self) { try NPYReader.header(file: file) }
      case .failure(let error):
        Issue.record("\(file): \(error)")
      }
    }
  }

  @Test func idxHeadersAgreeWithFullReads() throws {
    for file in try Self.files("idx") {
      switch Result(catching: { try IDXReader.read(file: file) }) {
      case .success(let array):
        let header = try IDXReader.header(file: file)
        #expect(header.shape == array.shape && header.dtype == array.dtype, "\(file)")
      case .failure(let error as DataError):
        #expect(Self.structural.contains(error.code), "\(file): \(error)")
        let e = dataError { try IDXReader.header(file: file) }
        #expect(e?.code == error.code && e?.byteOffset == error.byteOffset, "\(file)")
      case .failure(let error):
        Issue.record("\(file): \(error)")
      }
    }
  }

  @Test func pnmHeadersAgreeWithFullReads() throws {
    for file in try Self.files("pnm") {
      switch Result(catching: { try PNMReader.read(file: file) }) {
      case .success(let image):
        let header = try PNMReader.header(file: file)
        #expect(header.width == image.width && header.height == image.height && header.channels == image.channels)
      case .failure(let error as DataError) where Self.structural.contains(error.code):
        let e = dataError { try PNMReader.header(file: file) }
        #expect(e?.code == error.code && e?.byteOffset == error.byteOffset, "\(file)")
      case .failure(let error as DataError):
        // A sample above maxval is found only by reading the samples.
        #expect(error.code == "data.out-of-range", "\(file): \(error)")
        #expect(throws: Never.self) { try PNMReader.header(file: file) }
      case .failure(let error):
        Issue.record("\(file): \(error)")
      }
    }
    // A long comment pushes the header past the first chunk read.
    let files = ScratchFiles()
    let comment = "# " + String(repeating: "x", count: 70_000) + "\n"
    let long = files.write("long.pgm", Array("P5\n\(comment)2 1\n255\n".utf8) + [7, 9])
    #expect(try PNMReader.header(file: long).width == 2)
    #expect(try PNMReader.read(file: long).values == [7 / 255, 9 / 255])
  }

  @Test func absurdHeadersAreErrorsNotTraps() {
    let files = ScratchFiles()
    let huge = files.write("huge.npy", Encode.npy(descr: "<f4", shape: [1 << 40, 1 << 40], data: []))
    expectDataError("data.bad-header") { try NPYReader.header(file: huge) }
    expectDataError("data.bad-header") { try NPYReader.read(file: huge) }
    let wide = files.write(
      "wide.idx", Encode.idx(code: 0x08, shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], data: []))
    expectDataError("data.bad-header") { try IDXReader.header(file: wide) }
    // A version 2.0 header announcing 2 GB in a file of 12 bytes.
    let long = files.write("long.npy", [0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0x7F])
    let e = expectDataError("data.truncated") { try NPYReader.header(file: long) }
    #expect(e?.byteOffset == 12)
    expectDataError("data.unreadable") { try NPYReader.header(file: files.path + "/missing.npy") }
    let directory = expectDataError("data.unreadable") {
      try CSVReader.summary(file: files.path, header: true, label: "y")
    }
    #expect(directory?.message == "this is a directory, not a data file" && directory?.file == files.path)
    expectDataError("data.unreadable") { try NPYReader.read(file: files.path) }
  }
}
