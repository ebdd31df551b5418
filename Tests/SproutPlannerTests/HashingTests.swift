import SproutDiagnostics
import Testing

@testable import SproutPlanner

/// NIST FIPS 180-4 example vectors (csrc.nist.gov "SHA256.pdf" and the SHAVS short/long messages).
@Suite struct SHA256Tests {
  @Test func emptyString() {
    #expect(SHA256.hash("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  }

  @Test func abc() {
    #expect(SHA256.hash("abc").hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test func twoBlock448BitMessage() {
    let m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    #expect(m.utf8.count * 8 == 448)
    #expect(SHA256.hash(m).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func millionAs() {
    let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    #expect(SHA256.hash(bytes).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func streamingInOddPiecesMatchesOneShot() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    var h = SHA256()
    var i = 0
    for size in [1, 63, 64, 65, 7, 200, 3] where i < bytes.count {
      h.update(bytes[i..<min(bytes.count, i + size)])
      i += size
    }
    h.update(bytes[min(i, bytes.count)...])
    #expect(h.finalize() == SHA256.hash(bytes))
    // A non-contiguous sequence takes the byte-at-a-time path.
    #expect(SHA256.hash(AnySequence(bytes)) == SHA256.hash(bytes))
  }

  @Test func lengthsAroundThePaddingBoundary() {
    // 55 bytes fit padding in one block, 56 need a second one; both must still match a reference.
    #expect(
      SHA256.hash(String(repeating: "a", count: 55)).hex
        == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
    #expect(
      SHA256.hash(String(repeating: "a", count: 56)).hex
        == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
  }
}

@Suite struct CanonicalJSONTests {
  @Test func sortsKeysAndDropsWhitespace() {
    let v = JSONValue.object(["b": .int(1), "a": .array([.bool(true), .null]), "A": .string("x")])
    #expect(v.canonical == #"{"A":"x","a":[true,null],"b":1}"#)
  }

  @Test func shortestRoundTripNumbers() throws {
    #expect(JSONValue.double(0.1).canonical == "0.1")
    #expect(JSONValue.double(1e-5).canonical == "1e-5")
    #expect(JSONValue.double(5).canonical == "5.0")
    #expect(JSONValue.double(1e300).canonical == "1e300")
    #expect(JSONValue.double(-2.5e-300).canonical == "-2.5e-300")
    #expect(JSONValue.int(-42).canonical == "-42")
    for d in [0.1, 1.0 / 3.0, 6.02214076e23, 5e-324, 123456.789] {
      #expect(try JSONValue.parse(JSONValue.double(d).canonical) == .double(d))
    }
  }

  @Test func escapesOnlyWhatJSONRequires() {
    #expect(JSONValue.string("a\"b\\c\nd\u{01}é").canonical == #""a\"b\\c\nd\u0001é""#)
  }

  @Test func parseRoundTripsCanonicalText() throws {
    let v = JSONValue.object([
      "n": .int(3), "x": .double(2.0), "s": .string("q\"\u{1F600}"), "l": .array([.object([:]), .array([])]),
    ])
    #expect(try JSONValue.parse(v.canonical) == v)
    #expect(try JSONValue.parse(" { \"k\" : [ 1 , 2.5e1 ] } ") == .object(["k": .array([.int(1), .double(25)])]))
    #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse("{\"k\": }") }
    #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse("[1] x") }
  }
}

@Suite struct SplitMix64Tests {
  @Test func referenceOutputs() {
    // Reference values of the published SplitMix64 (Vigna's splitmix64.c) seeded with 1234567.
    var g = SplitMix64(seed: 1_234_567)
    #expect(g.next() == 6_457_827_717_110_365_317)
    #expect(g.next() == 3_203_168_211_198_807_973)
    #expect(g.next() == 9_817_491_932_198_370_423)
  }

  @Test func boundedDrawsAreInRangeAndDeterministic() {
    var a = SplitMix64(rootSeed: 7, purpose: "matrix.sample")
    var b = SplitMix64(rootSeed: 7, purpose: "matrix.sample")
    var c = SplitMix64(rootSeed: 7, purpose: "matrix.order")
    let xs = (0..<100).map { _ in a.next(below: 10) }
    #expect(xs == (0..<100).map { _ in b.next(below: 10) })
    #expect(xs != (0..<100).map { _ in c.next(below: 10) })
    #expect(xs.allSatisfy { (0..<10).contains($0) })
    #expect(Set(xs).count == 10)
  }
}
