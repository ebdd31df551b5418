import Crypto

/// SHA-256 (FIPS 180-4), streaming: swift-crypto's, with the lower-case hex form task hashes, file digests and
/// checkpoint checksums are written in.
///
/// ```swift
/// var h = SHA256()
/// h.update("abc")
/// h.finalize().hex  // "ba7816bf…"
/// ```
public struct SHA256 {
  /// A finished 32-byte digest.
  public struct Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]
    /// Lower-case hexadecimal, 64 characters.
    public var hex: String {
      // Written in place: every task hash of a plan goes through here.
      String(unsafeUninitializedCapacity: bytes.count * 2) { out in
        var i = 0
        for b in bytes {
          out[i] = Self.digits[Int(b >> 4)]
          out[i + 1] = Self.digits[Int(b & 0xF)]
          i += 2
        }
        return i
      }
    }
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
    /// The hex form.
    public var description: String { hex }
  }

  private var inner = Crypto.SHA256()

  /// A fresh hasher.
  public init() {}

  /// Feeds bytes.
  public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
    let done: Void? = bytes.withContiguousStorageIfAvailable { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    if done == nil { inner.update(data: Array(bytes)) }
  }

  /// Feeds a buffer.
  public mutating func update(_ buffer: UnsafeRawBufferPointer) { inner.update(bufferPointer: buffer) }

  /// Feeds the UTF-8 bytes of a string.
  public mutating func update(_ string: String) {
    var s = string
    s.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
  }

  /// The digest of everything fed so far.
  public func finalize() -> Digest { Digest(bytes: inner.finalize().withUnsafeBytes { Array($0) }) }

  /// `finalize().hex` without the intermediate byte array (one allocation: the string).
  public func finalizeHex() -> String {
    inner.finalize().withUnsafeBytes { bytes in
      String(unsafeUninitializedCapacity: bytes.count * 2) { out in
        var i = 0
        for b in bytes {
          out[i] = Self.hexDigits[Int(b >> 4)]
          out[i + 1] = Self.hexDigits[Int(b & 0xF)]
          i += 2
        }
        return i
      }
    }
  }
  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// The digest of a string's UTF-8 bytes.
  public static func hash(_ string: String) -> Digest {
    var h = SHA256()
    h.update(string)
    return h.finalize()
  }

  /// The digest of bytes.
  public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
    var h = SHA256()
    h.update(bytes)
    return h.finalize()
  }
}
