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
      let digits = Array("0123456789abcdef".utf8)
      var out = [UInt8]()
      out.reserveCapacity(64)
      for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
      }
      return String(decoding: out, as: UTF8.self)
    }
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
  public func finalize() -> Digest { Digest(bytes: Array(inner.finalize())) }

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
