import Foundation
import SproutDiagnostics
import Testing

@testable import SproutSyntax

/// Hostile input is a diagnostic, quickly, with bounded memory and no deep recursion.
@Suite struct LimitsTests {
  /// Peak resident memory of this process in bytes (VmHWM), or 0 where unavailable.
  static func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
  }

  static func timed<T>(_ body: () -> T) -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = body()
    return (result, clock.now - start)
  }

  @Test func billionLaughsIsRejectedQuicklyAndSmall() throws {
    var text = "lol0: &lol0 \"lol\"\n"
    for i in 1...9 {
      text += "lol\(i): &lol\(i) [" + Array(repeating: "*lol\(i - 1)", count: 9).joined(separator: ", ") + "]\n"
    }
    text += "bomb: *lol9\n"
    let before = Self.peakResidentBytes()
    let ((document, diagnostics), elapsed) = Self.timed { parseSpec(text) }
    let grown = Self.peakResidentBytes() - before
    #expect(elapsed < .seconds(2), "took \(elapsed)")
    #expect(grown < 50 << 20, "peak memory grew by \(grown) bytes")
    #expect(diagnostics.map(\.id) == ["syntax.too-many-nodes"])
    #expect(diagnostics.first?.message.contains("aliases") == true)
    #expect(document.root == nil)
    // The expansion crosses the limit (250,000) while reading lol6 (9^6 = 531,441 nodes), on line 7.
    #expect(diagnostics.first?.range.start.line == 7)
  }

  @Test func repeatedAliasesWithinLimitAreFine() throws {
    var limits = ParseLimits()
    limits.maxNodes = 10_000
    var text = "a: &a [1, 2, 3]\nb: ["
    text += Array(repeating: "*a", count: 100).joined(separator: ", ") + "]\n"
    let (document, diagnostics) = parseSpec(text, limits: limits)
    #expect(diagnostics.isEmpty)
    #expect(document.root?["b"]?.sequence?.count == 100)
    limits.maxNodes = 300
    #expect(parseSpec(text, limits: limits).1.map(\.id) == ["syntax.too-many-nodes"])
  }

  @Test func deepFlowNestingIsRejectedQuickly() throws {
    let depth = 100_000
    let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
    let ((document, diagnostics), elapsed) = Self.timed { parseSpec(text) }
    #expect(elapsed < .seconds(2), "took \(elapsed)")
    #expect(diagnostics.map(\.id) == ["syntax.nesting-too-deep"])
    // The root mapping is level 1, so the 256th '[' (column 259) is the first one too deep.
    #expect(span(diagnostics.first?.range) == "1:259-1:260")
    #expect(document.root == nil)
  }

  @Test func deepBlockNestingIsRejected() throws {
    var text = ""
    for level in 0..<400 { text += String(repeating: " ", count: level) + "k\(level):\n" }
    text += String(repeating: " ", count: 400) + "leaf: 1\n"
    let ((_, diagnostics), elapsed) = Self.timed { parseSpec(text) }
    #expect(elapsed < .seconds(2), "took \(elapsed)")
    #expect(diagnostics.map(\.id) == ["syntax.nesting-too-deep"])
    #expect(diagnostics.first?.range.start.line == 257)
  }

  @Test func aliasesCannotNestDeeperThanTheLimit() throws {
    var limits = ParseLimits()
    limits.maxDepth = 10
    // Each anchor adds four levels on top of the one it repeats.
    let text = "a: &a [[[[1]]]]\nb: &b [[[[*a]]]]\nc: &c [[[[*b]]]]\n"
    let (_, diagnostics) = parseSpec(text, limits: limits)
    #expect(diagnostics.map(\.id) == ["syntax.nesting-too-deep"])
    #expect(span(diagnostics.first?.range) == "3:11-3:13")
  }

  @Test func limitsAreExactBoundaries() {
    var limits = ParseLimits()
    limits.maxDepth = 3
    #expect(parseSpec("a: [[1]]\n", limits: limits).1.isEmpty)
    #expect(parseSpec("a: [[[1]]]\n", limits: limits).1.map(\.id) == ["syntax.nesting-too-deep"])
    limits = ParseLimits()
    limits.maxBytes = 10
    #expect(parseSpec("a: 123456\n", limits: limits).1.isEmpty)
    #expect(parseSpec("a: 1234567\n", limits: limits).1.map(\.id) == ["syntax.file-too-large"])
  }
}
