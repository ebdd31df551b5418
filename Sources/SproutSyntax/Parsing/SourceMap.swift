import CYAML
import SproutDiagnostics

/// Turns libyaml's marks into `SourceLocation`s with byte offsets.
///
/// libyaml reports 0-based lines and columns and an `index` that counts characters (Unicode scalars),
/// not bytes, and does not count a leading byte-order mark. Renderers want byte offsets, so this map
/// keeps, for every character that follows a multi-byte one, its (character index, byte offset) pair;
/// in between, characters are ASCII and the two advance together.
///
/// The line table (`lines`) is built on first use: a file that parses cleanly and has no block scalar never
/// needs it, as libyaml's marks carry lines and columns already.
final class SourceMap {
  /// The UTF-8 bytes of the source.
  let bytes: [UInt8]
  /// Length of a UTF-8 byte-order mark at the start (0 or 3).
  private let bomLength: Int
  /// `(characterIndex, byteOffset)` after each multi-byte character, increasing.
  private let anchors: [(character: Int, byte: Int)]

  /// Lines of the source, for byte ↔ line/column conversions.
  private(set) lazy var lines = SourceLines(bytes: bytes)

  init(bytes: [UInt8]) {
    self.bytes = bytes
    let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    bomLength = bom
    var anchors: [(character: Int, byte: Int)] = []
    bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let raw = UnsafeRawPointer(base)
      let n = buffer.count
      var character = 0
      var i = bom
      while i < n {
        // Eight ASCII bytes at a time: most specs are all ASCII.
        if i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
          i += 8
          character += 8
          continue
        }
        let b = buffer[i]
        if b < 0x80 {
          i += 1
          character += 1
          continue
        }
        i += b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
        character += 1
        anchors.append((character, i))
      }
    }
    self.anchors = anchors
  }

  /// The byte offset of libyaml character index `index`.
  @inline(__always)
  func byteOffset(ofCharacter index: Int) -> Int {
    if anchors.isEmpty { return min(bomLength + index, bytes.count) }
    var lo = 0
    var hi = anchors.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if anchors[mid].character <= index { lo = mid + 1 } else { hi = mid }
    }
    let base = lo == 0 ? (character: 0, byte: bomLength) : anchors[lo - 1]
    return min(base.byte + (index - base.character), bytes.count)
  }

  /// The 1-based location of a libyaml mark.
  @inline(__always)
  func location(_ mark: yaml_mark_t) -> SourceLocation {
    SourceLocation(
      line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: byteOffset(ofCharacter: Int(mark.index)))
  }

  /// The location of a byte offset.
  func location(ofByte offset: Int) -> SourceLocation { lines.location(ofByte: offset) }

  /// A range in `file` from one mark to another.
  @inline(__always)
  func range(_ file: SourceFileID, _ start: yaml_mark_t, _ end: yaml_mark_t) -> SourceRange {
    SourceRange(fileID: file, start: location(start), end: location(end))
  }

  /// A range covering bytes `start ..< end`.
  func range(_ file: String, bytes start: Int, _ end: Int) -> SourceRange {
    SourceRange(file: file, start: location(ofByte: start), end: location(ofByte: end))
  }
}
