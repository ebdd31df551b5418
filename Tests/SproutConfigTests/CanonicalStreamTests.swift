import SproutConfig
import SproutDiagnostics
import Testing

/// `CanonicalEncoder.encode` writes bytes as `encode(to:)` runs; the tree of nodes (`treeBytes`) is the reference it
/// must equal byte for byte, on random values of shapes synthesized conformances produce (enums with payloads,
/// optionals, nested arrays, unsigned and float fields) and on encodings that write their containers out of order
/// (which the stream hands back to the tree).
@Suite struct CanonicalStreamTests {
  indirect enum Shape: Codable {
    case unit
    case pair(Int, label: String?)
    case list(x: [Double], next: Shape?)
    case record(Record)
  }

  struct Record: Codable {
    var count: Int
    var name: String?
    var children: [Record]
    var byte: UInt8
    var ratio: Float
    var flag: Bool
    var big: UInt64
  }

  /// Random shapes from the project's deterministic generator, so a failure reproduces.
  struct Generator {
    var rng: SplitMix64
    mutating func next() -> UInt64 { rng.next() }
    mutating func below(_ n: Int) -> Int { rng.next(below: n) }
    mutating func coin() -> Bool { below(2) == 0 }

    mutating func record(_ depth: Int) -> Record {
      Record(
        count: below(11) - 5, name: coin() ? "n\(below(100))" : nil,
        children: depth > 0 ? (0..<below(3)).map { _ in record(depth - 1) } : [], byte: UInt8(below(256)),
        ratio: Float(bitPattern: UInt32(truncatingIfNeeded: next())), flag: coin(), big: next())
    }

    mutating func shape(_ depth: Int) -> Shape {
      switch below(4) {
      case 0: return .unit
      case 1: return .pair(Int(bitPattern: UInt(next())), label: coin() ? "é\(below(9))" : nil)
      case 2:
        return .list(
          x: (0..<below(4)).map { _ in Double(bitPattern: next()) }, next: depth > 0 && coin() ? shape(depth - 1) : nil)
      default: return .record(record(depth))
      }
    }
  }

  /// Writes into its keyed container after a nested one, then into the nested one again, then asks for the keyed
  /// container a second time: legal for an `Encoder`, never done by synthesized code.
  struct OutOfOrder: Encodable {
    enum Key: CodingKey { case a, b, c }
    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: Key.self)
      var nested = c.nestedUnkeyedContainer(forKey: .a)
      try c.encode(1, forKey: .b)
      try nested.encode("late")
      var again = encoder.container(keyedBy: Key.self)
      try again.encode(2, forKey: .c)
    }
  }

  /// Asks for its keyed container twice, in order (the tree merges the two into one object).
  struct TwoRequests: Encodable {
    enum Key: CodingKey { case a, b }
    func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: Key.self)
      try c.encode(1, forKey: .a)
      var again = encoder.container(keyedBy: Key.self)
      try again.encode([1, 2], forKey: .b)
    }
  }

  /// Writes nothing (null in the tree).
  struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

  /// A single value holding a keyed value.
  struct Wrapped: Encodable {
    var inner: Shape
    func encode(to encoder: any Encoder) throws {
      var c = encoder.singleValueContainer()
      try c.encode(inner)
    }
  }

  let encoder = CanonicalEncoder()

  @Test func randomValuesEncodeAsTheTreeDoes() throws {
    var g = Generator(rng: SplitMix64(seed: 15))
    for _ in 0..<2_000 {
      let s = g.shape(3)
      #expect(try encoder.encode(s) == encoder.treeBytes(s))
      #expect(try encoder.encode([s, s]) == encoder.treeBytes([s, s]))
      #expect(try encoder.encode(Wrapped(inner: s)) == encoder.treeBytes(Wrapped(inner: s)))
    }
  }

  @Test func unusualEncodingsFallBackToTheTree() throws {
    #expect(try encoder.encode(OutOfOrder()) == encoder.treeBytes(OutOfOrder()))
    #expect(try encoder.encode(TwoRequests()) == encoder.treeBytes(TwoRequests()))
    #expect(try encoder.encode(Nothing()) == [UInt8(ascii: "n")])
    #expect(try encoder.encode([Nothing(), Nothing()]) == encoder.treeBytes([Nothing(), Nothing()]))
    #expect(try encoder.encode(Int?.none) == encoder.treeBytes(Int?.none))
    #expect(try encoder.encode([String]()) == encoder.treeBytes([String]()))
    #expect(try encoder.encode("x") == encoder.treeBytes("x"))
  }

  @Test func configurationsEncodeAsTheTreeDoes() throws {
    let values: [LayerConfig] = [
      .residual([.dense(units: 4, bias: true), .activation(.relu)]), .dense(units: 3, bias: false),
      .activation(.leakyRelu(slope: 0.01)),
    ]
    for v in values { #expect(try encoder.encode(v) == encoder.treeBytes(v)) }
  }
}
