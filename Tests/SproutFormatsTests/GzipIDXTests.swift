import Foundation
import Testing

@testable import SproutFormats

/// MNIST's own distribution files are gzip-compressed IDX; they are read directly (zlib), and a damaged or lying gzip
/// file is a `DataError` before anything of the size it claims is allocated. Fixtures: Fixtures/make_gzip_fixtures.py.
@Suite struct GzipIDXTests {
  func gz(_ name: String) -> String { dataFixture("gzip/\(name)") }

  @Test("gzip IDX images and labels read as the uncompressed files would, header and labels included")
  func readsCompressedIDX() throws {
    let images = try IDXReader.read(file: gz("images-idx3-ubyte.gz"))
    #expect(images.shape == [3, 2, 3])
    #expect(images.values == (0..<18).map { Float($0 * 10) })
    #expect(images.dtype == "u1")
    let header = try IDXReader.header(file: gz("images-idx3-ubyte.gz"))
    #expect(header.shape == [3, 2, 3] && header.rowWidth == 6)
    #expect(try IDXReader.read(file: gz("labels-idx1-ubyte.gz")).values == [7, 2, 1])
    for chunk in [1, 2, 3, 1 << 20] {
      let labels = try IDXReader.labels(file: gz("labels-idx1-ubyte.gz"), chunkSize: chunk)
      #expect(labels.header.shape == [3] && labels.targets == .classes(count: 8), "chunk \(chunk)")
    }
    let floats = try IDXReader.read(file: gz("f32-idx2.gz"))
    #expect(floats.values == [0.5, -1.25, 3.0, 1e-3])
  }

  @Test("the same bytes gzip-compressed and plain give the same array")
  func compressedEqualsPlain() throws {
    let files = ScratchFiles()
    let plain = try IDXReader.read(file: gz("images-idx3-ubyte.gz"))
    var bytes: [UInt8] = [0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3]
    bytes += (0..<18).map { UInt8($0 * 10) }
    #expect(try IDXReader.read(file: files.write("x.idx", bytes)) == plain)
  }

  @Test("a truncated gzip stream, a bad CRC and a trailer that disagrees are errors, never a crash")
  func corruptFiles() {
    // Cut short, its last four bytes are not the trailer's: the sizes disagree before anything is inflated.
    let t = expectDataError("data.bad-gzip") { try IDXReader.header(file: gz("truncated.gz")) }
    #expect(t?.file == gz("truncated.gz"))
    #expect(t?.suggestion?.contains("cut short") == true)
    // Cut inside the data with the trailer kept: the stream itself ends early.
    let cut = expectDataError("data.truncated") { try IDXReader.read(file: gz("cut.gz")) }
    #expect(cut?.message.hasPrefix("the gzip stream ends early") == true, "\(String(describing: cut))")
    let crc = expectDataError("data.bad-gzip") { try IDXReader.read(file: gz("bad-crc.gz")) }
    #expect(crc?.message.contains("incorrect data check") == true, "\(String(describing: crc))")
    // The trailer's ISIZE is checked against the IDX header before the data is read, by lint and by the reader.
    let isize = expectDataError("data.bad-gzip") { try IDXReader.header(file: gz("isize.gz")) }
    #expect(isize?.message == "the IDX header announces 34 bytes (an IDX array of shape [3, 2, 3]), but the gzip "
      + "trailer says the file inflates to 38 bytes")
    expectDataError("data.bad-gzip") { try IDXReader.read(file: gz("isize.gz")) }
    expectDataError("data.bad-gzip") { try IDXReader.header(file: gz("short-data.gz")) }
    expectDataError("data.trailing-data") { try IDXReader.read(file: gz("trailing.gz")) }
    expectDataError("data.bad-magic") { try IDXReader.header(file: gz("not-idx.gz")) }
    let files = ScratchFiles()
    let two = files.write("two.gz", GzipChunks.magic)
    expectDataError("data.truncated") { try IDXReader.read(file: two) }
  }

  @Test("a gzip bomb inflates only to what its header announces, then fails; a huge header is refused unread")
  func bombsAreRefused() {
    // 3.9 KB that inflate to 4 MB behind a header announcing 24 bytes (its ISIZE patched to agree).
    let bomb = expectDataError("data.trailing-data") { try IDXReader.read(file: gz("bomb.gz")) }
    #expect(bomb?.message == "the gzip stream holds more than the 24 bytes its header announces")
    // Its header and trailer agree, so lint's header check passes; only inflating finds the excess.
    #expect((try? IDXReader.header(file: gz("bomb.gz")))?.shape == [2, 2, 2])
    // 35 bytes announcing 60000×1000×1000 bytes: more than DEFLATE can inflate 35 bytes to.
    let huge = expectDataError("data.bad-gzip") { try IDXReader.header(file: gz("huge.gz")) }
    #expect(huge?.message.contains("more than a gzip file of 35 bytes can inflate to") == true)
    expectDataError("data.bad-gzip") { try IDXReader.read(file: gz("huge.gz")) }
  }

  @Test("a gzip IDX file is held to the memory budget from its header, counting the compressed bytes")
  func budget() throws {
    // 48 compressed + 34 inflated bytes + 18 floats (72 bytes) = 154 bytes.
    let e = expectDataError("data.too-large") {
      try IDXReader.header(file: gz("images-idx3-ubyte.gz"), budget: MemoryBudget(bytes: 153))
    }
    #expect(e?.message == "an IDX array of shape [3, 2, 3] needs 154 bytes in memory, more than the budget of 153 bytes")
    #expect(throws: Never.self) {
      try IDXReader.read(file: gz("images-idx3-ubyte.gz"), budget: MemoryBudget(bytes: 154))
    }
  }
}
