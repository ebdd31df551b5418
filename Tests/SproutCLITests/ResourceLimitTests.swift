import Foundation
import Testing

/// Tiny inputs never make Sprout allocate much: a few KB of spec or data header is refused, with the size it
/// claims, by a process whose data segment is capped at 150 MB (`ulimit -d`), so a refusal that came only after
/// a large allocation would fail as "failed to allocate" instead.
@Suite struct ResourceLimitTests {
  /// Runs `sprout args...` in `dir` with its heap capped at 150 MB.
  static func capped(_ args: [String], in dir: URL) throws -> CLI.Result {
    try CLI.run(
      ["-c", "ulimit -d 150000 && exec \"$0\" \"$@\"", CLI.binary.path] + args, in: dir,
      executable: URL(fileURLWithPath: "/bin/sh"))
  }

  static let spec = """
    sprout: 1
    name: budget
    seed: 0
    backend: cpu
    matrix:
      init: [xn, xu]
      a: [A]
      b: [B]
      c: [C]
    datasets:
      target: {kind: image, file: huge.pgm}
    models:
      mlp: {input: 2, layers: [{dense: 4}, tanh, {dense: 1}]}
    initializers:
      xn: {kind: xavier_normal}
      xu: {kind: xavier_uniform}
    stages:
      train:
        kind: train
        model: mlp
        init: ${matrix.init}
        data: target
        loss: mse
        optimizer: {kind: sgd, lr: 0.01}
        steps: 2
        batch: 4
        record: [loss]
        every: 1
    """

  static func write(_ dir: URL, axis: Int, image: String) throws {
    let values = "[" + (0..<axis).map(String.init).joined(separator: ", ") + "]"
    let text = spec.replacingOccurrences(of: "[A]", with: values).replacingOccurrences(of: "[B]", with: values)
      .replacingOccurrences(of: "[C]", with: values)
    try text.write(to: dir.appendingPathComponent("spec.yaml"), atomically: true, encoding: .utf8)
    try Data(image.utf8).write(to: dir.appendingPathComponent("huge.pgm"))
  }

  @Test("lint and plan refuse a 300×300×300 matrix with its count; --max-trials is checked")
  func hugeMatrix() throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.write(dir, axis: 300, image: "P5\n2 2\n255\n\u{1}\u{2}\u{3}\u{4}")
    let spec = try Data(contentsOf: dir.appendingPathComponent("spec.yaml"))
    #expect(spec.count < 6_000)
    for args in [["lint", "spec.yaml"], ["plan", "spec.yaml", "--store", "st"]] {
      let r = try Self.capped(args, in: dir)
      #expect(r.status == 1, "\(args): \(r.stderr)")
      #expect(r.stderr.contains("spec.yaml:6:3: error: the matrix forms 54,000,000 trials (2 init × 300 a × 300 b"))
      #expect(r.stderr.contains("[plan.too-many-trials]"))
      #expect(!r.stderr.contains("Fatal error"))
    }
    let zero = try CLI.run(["lint", "--max-trials", "0", "spec.yaml"], in: dir)
    #expect(zero.status != 0)
    #expect(zero.stderr.contains("--max-trials must be at least 1"))
    // Raised above the count, the limit no longer refuses (a small matrix keeps the test cheap).
    try Self.write(dir, axis: 5, image: "P5\n2 2\n255\n\u{1}\u{2}\u{3}\u{4}")
    let low = try CLI.run(["lint", "--max-trials", "249", "spec.yaml"], in: dir)
    #expect(low.stderr.contains("the matrix forms 250 trials"))
    let raised = try CLI.run(["lint", "--max-trials", "250", "spec.yaml"], in: dir)
    #expect(!raised.stderr.contains("plan.too-many-trials"), "\(raised.stderr)")
  }

  @Test("a PGM header claiming 100000×100000 or 4e9×4e9 is refused by lint and by run", arguments: [
    ("P5\n100000 100000\n255\n", "pixel data is truncated: expected 10000000000 bytes"),
    ("P2\n100000 100000\n255\n1 2 3\n", "need at least 20000000000 bytes"),
    ("P5\n4000000000 4000000000\n255\n", "image size 4000000000×4000000000 is too large"),
    ("P2\n4000000000 4000000000\n255\n1\n", "image size 4000000000×4000000000 is too large"),
  ])
  func hugeImageHeader(header: String, message: String) throws {
    let dir = try CLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.write(dir, axis: 1, image: header)
    let lint = try Self.capped(["lint", "spec.yaml"], in: dir)
    #expect(lint.status == 1)
    #expect(lint.stderr.contains(message), "\(lint.stderr)")
    #expect(!lint.stderr.contains("Fatal error"))
    // The trainer reads the header the same way before it reads the file.
    let run = try Self.capped(["run", "spec.yaml", "--store", "st"], in: dir)
    #expect(run.status != 0)
    #expect(run.stderr.contains(message), "\(run.stderr)")
    #expect(!run.stderr.contains("Fatal error"))
  }
}
