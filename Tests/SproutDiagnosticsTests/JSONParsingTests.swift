import SproutDiagnostics
import Testing

/// The JSON reader: canonical round trips, strings with and without escapes, integers against doubles, errors
/// with offsets, and skipped members.
@Suite struct JSONParsingTests {
  @Test func canonicalTextReadsBackToTheSameValue() throws {
    let values: [JSONValue] = [
      .null, .bool(true), .int(0), .int(-42), .int(Int.max), .int(Int.min), .double(5.0), .double(-0.125),
      .double(1e-300), .string(""), .string("plain"), .string("tab\tquote\"back\\slash\u{01}é😀"),
      .array([.int(1), .array([]), .object([:])]),
      .object(["b": .int(2), "a": .object(["x": .string("y")]), "ü": .null]),
    ]
    for v in values {
      #expect(try JSONValue.parse(v.canonical) == v)
      #expect(try JSONValue.parse(bytes: v.canonicalBytes) == v)
    }
  }

  @Test func escapesAndWhitespace() throws {
    let text = #" { "k" : [ "a\nb" , "\u00e9\ud83d\ude00" , "x\/y" , 12 , 1.5e3 , -0 , 123456789012345678901 ] } "#
    let k = try #require(items(JSONValue.parse(text)["k"]))
    #expect(k[0] == .string("a\nb"))
    #expect(k[1] == .string("é😀"))
    #expect(k[2] == .string("x/y"))
    #expect(k[3] == .int(12))
    #expect(k[4] == .double(1500))
    #expect(k[5] == .int(0))
    // Beyond Int: read as a double, not wrapped around.
    #expect(k[6] == .double(123456789012345678901))
  }

  @Test func malformedTextIsAnErrorWithItsOffset() {
    for (text, offset) in [("[1,", 3), ("{\"a\" 1}", 5), ("\"abc", 4), ("[1] x", 4), ("tru", 0), ("-", 0)] {
      #expect(throws: JSONValue.ParseError.self, "\(text)") { try JSONValue.parse(text) }
      do { _ = try JSONValue.parse(text) } catch let e as JSONValue.ParseError {
        #expect(e.offset == offset, "\(text)")
      } catch { Issue.record("\(error)") }
    }
  }

  @Test func omittedMembersAreSkippedButChecked() throws {
    let text = #"{"tasks": [{"key": "t0/train", "config": {"deep": [1, {"s": "a\"}b"}], "n": null}}, {"key": "k2"}]}"#
    let full = try #require(items(JSONValue.parse(text)["tasks"]))
    let thin = try #require(items(JSONValue.parse(bytes: Array(text.utf8), omitting: ["tasks.config"])["tasks"]))
    #expect(full[0]["config"] != nil)
    #expect(thin[0]["config"] == nil)
    #expect(thin[0]["key"] == .string("t0/train"))
    #expect(thin[1]["key"] == .string("k2"))
    // Only the path is skipped: a "config" elsewhere is kept, and a path ending in an array skips it whole.
    let other = #"{"config": 1, "plan": {"tasks": [{"config": 2}], "trials": [3]}}"#
    let kept = try JSONValue.parse(bytes: Array(other.utf8), omitting: ["plan.tasks"])
    #expect(kept["config"] == .int(1))
    #expect(kept["plan"]?["tasks"] == nil)
    #expect(kept["plan"]?["trials"] == .array([.int(3)]))
    // A skipped value is still read as JSON: an error inside it is an error.
    for bad in [#"{"config": [1, 2}"#, #"{"config": {"a" 1}}"#, #"{"config": "open"#, #"{"config": [tru]}"#] {
      #expect(throws: JSONValue.ParseError.self, "\(bad)") {
        try JSONValue.parse(bytes: Array(bad.utf8), omitting: ["config"])
      }
    }
  }
}

/// The elements of an array value, or nil for any other value.
private func items(_ value: JSONValue?) -> [JSONValue]? {
  if case .array(let elements)? = value { return elements }
  return nil
}
