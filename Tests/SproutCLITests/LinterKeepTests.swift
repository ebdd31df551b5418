import Foundation
import SproutDriver
import Testing

/// `LintOptions.keptSourceBytes` (what the CLI sets, so that a process about to exit frees nothing) changes what the
/// report holds, never what it says.
@Suite struct LinterKeepTests {
  @Test func keptFrontEndsChangeNoFinding() throws {
    let dir = try CLI.temporaryDirectory()
    let broken = dir.appendingPathComponent("b.yaml").path
    try "sprout: 1\nname: b\nseeed: 3\n".write(toFile: broken, atomically: true, encoding: .utf8)
    let paths = CLI.examples.prefix(3).map { CLI.root.appendingPathComponent($0).path } + [broken, dir.path + "/none.yaml"]
    let freed = Linter.lint(paths: paths)
    let kept = Linter.lint(paths: paths, options: LintOptions(keptSourceBytes: 1 << 20))
    #expect(freed.frontEnds.isEmpty)
    // One per readable file, in argument order, each with its tree and the phases it reached.
    #expect(kept.frontEnds.map(\.file) == Array(paths.prefix(4)))
    #expect(kept.frontEnds.allSatisfy { $0.document?.root != nil })
    #expect(kept.frontEnds.prefix(3).allSatisfy { $0.graph != nil && $0.stream != nil })
    #expect(kept.frontEnds[3].spec == nil && !kept.frontEnds[3].diagnostics.sorted.isEmpty)
    for format in DiagnosticFormat.allCases {
      #expect(kept.render(format: format, color: false) == freed.render(format: format, color: false))
    }
    #expect(kept.exitCode(strict: true) == freed.exitCode(strict: true))
    // Within a budget: the kept files' sources add up to at most that many bytes.
    let sizes = try paths.prefix(4).map { try Data(contentsOf: URL(fileURLWithPath: $0)).count }
    let budget = sizes.max()! + 1
    let some = Linter.lint(paths: paths, options: LintOptions(keptSourceBytes: budget))
    #expect(!some.frontEnds.isEmpty && some.frontEnds.count < 4)
    #expect(some.frontEnds.map { $0.text.utf8.count }.reduce(0, +) <= budget)
    #expect(some.render(format: .json, color: false) == freed.render(format: .json, color: false))
  }
}
