import Foundation
import Testing

@testable import SproutGraph

/// Relative data paths are read from the spec's directory, found from the spec's path as Foundation's
/// `deletingLastPathComponent` finds it, but without its cost or its trap on one-character names.
@Suite struct BaseDirectoryTests {
  @Test func directoryOfAPathIsFoundationsAnswer() {
    let paths = [
      "", "/", "//", "/a", "//a", "a/b", "a/b/", "a//b", "/a/b", "./a", "../a/b.yaml", "~/x.yaml", "spec.yaml",
      "bench/out/lint/small/s0000.yaml", "/tmp/sprout-cli-1/spec.yaml", "<stdin>", "a/./b", "a/../b", "é/ü.yaml",
      "a b/c d.yaml", "/a/", "x/y//", "..", "a.yaml/", "ab", "ab/", "/ab//", "x//y/z.yaml",
    ]
    for path in paths {
      #expect(GraphBuilder.directory(of: path) == (path as NSString).deletingLastPathComponent, "'\(path)'")
    }
    // Foundation traps on these (a one-character name); like any name without a directory, they have none.
    for path in ["a", "x", ".", "a/", "a//", "./"] { #expect(GraphBuilder.directory(of: path) == "", "'\(path)'") }
    #expect(GraphBuilder.baseDirectory(of: "x") == FileManager.default.currentDirectoryPath)
    #expect(GraphBuilder.baseDirectory(of: "a/spec.yaml") == "a")
  }
}
