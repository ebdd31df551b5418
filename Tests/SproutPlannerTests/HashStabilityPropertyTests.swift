import Foundation
import PropertyBased
import SproutDiagnostics
import SproutPlanner
import Testing

/// Property: a task's hash is a function of what the spec means, not of how it is written. The same spec is
/// written out in random layouts — mapping keys in any order (where the order carries no meaning), block or flow
/// style, quoted or plain strings, other spellings of the same numbers, comments and blank lines — and every
/// layout must plan to exactly the same task keys and hashes.
@Suite struct HashStabilityPropertyTests {
  /// A YAML value to lay out.
  indirect enum Node {
    /// A mapping; `ordered` when its key order means something (split fractions, matrix axes).
    case map([(String, Node)], ordered: Bool)
    case list([Node])
    /// A plain word that may also be written quoted (`relu`, `adam`).
    case word(String)
    /// A number and other spellings of it (`0.05`, `5.0e-2`, `0.050`).
    case number([String])
  }

  /// The spec: two inits × two seeds, generated data, a model, train, evaluate.
  static let spec: Node = .map(
    [
      ("sprout", .number(["1"])),
      ("name", .word("layout")),
      ("seed", .number(["7", "0x7", "0o7"])),
      ("matrix", .map([("init", .list([.word("he"), .word("orth")])), ("seed", .list([.number(["0"]), .number(["1"])]))], ordered: true)),
      (
        "datasets",
        .map(
          [
            (
              "teacher",
              .map(
                [
                  ("kind", .word("teacher_student")), ("inputs", .number(["4"])), ("outputs", .number(["1"])),
                  ("samples", .number(["64", "0x40"])), ("hidden", .number(["8"])), ("noise", .number(["0.1", "1.0e-1", "0.10"])),
                  ("split", .map([("train", .number(["0.75", "7.5e-1"])), ("test", .number(["0.25"]))], ordered: true)),
                ], ordered: false)
            )
          ], ordered: false)
      ),
      (
        "models",
        .map(
          [
            (
              "net",
              .map(
                [
                  ("input", .number(["4"])),
                  (
                    "layers",
                    .list([
                      .map([("dense", .number(["8"]))], ordered: false), .word("tanh"),
                      .map([("dense", .number(["1"]))], ordered: false),
                    ])
                  ),
                ], ordered: false)
            )
          ], ordered: false)
      ),
      (
        "initializers",
        .map(
          [
            ("he", .map([("kind", .word("kaiming_normal")), ("nonlinearity", .word("tanh"))], ordered: false)),
            ("orth", .map([("kind", .word("orthogonal")), ("gain", .number(["1.0", "1", "1e0"]))], ordered: false)),
          ], ordered: false)
      ),
      (
        "stages",
        .map(
          [
            (
              "train",
              .map(
                [
                  ("kind", .word("train")), ("model", .word("net")), ("init", .word("${matrix.init}")),
                  ("data", .word("teacher.train")), ("loss", .word("mse")),
                  (
                    "optimizer",
                    .map(
                      [("kind", .word("adam")), ("lr", .number(["0.01", "1.0e-2", "0.010"])), ("beta1", .number(["0.9", "9e-1"]))],
                      ordered: false)
                  ),
                  ("steps", .number(["20"])), ("batch", .number(["8"])), ("checkpoint_every", .number(["5"])),
                  ("record", .list([.word("loss"), .word("weight_change")])), ("every", .number(["5"])),
                ], ordered: false)
            ),
            (
              "test",
              .map(
                [
                  ("kind", .word("evaluate")), ("from", .word("train")), ("data", .word("teacher.test")),
                  ("record", .list([.word("loss")])),
                ], ordered: false)
            ),
          ], ordered: false)
      ),
    ], ordered: false)

  /// Writes `node` in a layout chosen by `rng`.
  struct Writer {
    var rng: SplitMix
    var out = ""

    mutating func flow(_ node: Node) -> String {
      switch node {
      case .map(let entries, let ordered):
        let items = ordered ? entries : rng.shuffled(entries)
        return "{" + items.map { "\($0.0): \(flow($0.1))" }.joined(separator: rng.bool() ? ", " : ",  ") + "}"
      case .list(let items): return "[" + items.map { flow($0) }.joined(separator: ", ") + "]"
      case .word(let w): return scalar(w)
      case .number(let spellings): return spellings[rng.int(spellings.count)]
      }
    }

    mutating func scalar(_ w: String) -> String {
      switch rng.int(3) {
      case 0: return "\"\(w)\""
      case 1: return w.contains("$") ? "\"\(w)\"" : "'\(w)'"
      default: return w.hasPrefix("$") ? "\"\(w)\"" : w
      }
    }

    /// A mapping's entries in block style at `indent`, each value in block or flow style.
    mutating func block(_ node: Node, indent: Int) {
      guard case .map(let entries, let ordered) = node else { return }
      let pad = String(repeating: " ", count: indent)
      for (key, value) in ordered ? entries : rng.shuffled(entries) {
        if rng.int(6) == 0 { out += rng.bool() ? "\n" : "\(pad)# a comment\n" }
        switch value {
        case .map where rng.bool():
          out += "\(pad)\(key):\n"
          block(value, indent: indent + 2)
        case .list(let items) where rng.bool():
          out += "\(pad)\(key):\n"
          for item in items { out += "\(pad)  - \(flow(item))\n" }
        default:
          out += "\(pad)\(key): \(flow(value))\(rng.int(4) == 0 ? "   # why" : "")\n"
        }
      }
    }
  }

  /// SplitMix64: the layouts' own randomness, seeded by the property's input.
  struct SplitMix {
    var generator: SplitMix64
    init(state: UInt64) { generator = SplitMix64(seed: state) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func int(_ n: Int) -> Int { generator.next(below: n) }
    mutating func bool() -> Bool { next() & 1 == 1 }
    mutating func shuffled<T>(_ items: [T]) -> [T] {
      var a = items
      for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, int(i + 1)) }
      return a
    }
  }

  static func hashes(_ text: String) -> [String: String]? {
    var d = Diagnostics()
    guard let plan = Planner.plan(text: text, file: "layout.yaml", options: PlanOptions(), store: nil, diagnostics: &d),
      !d.hasErrors
    else { return nil }
    return Dictionary(uniqueKeysWithValues: plan.tasks.map { ($0.key.description, $0.hash) })
  }

  @Test("task hashes do not depend on key order, style, quoting, number spelling or comments")
  func hashesAreLayoutIndependent() async throws {
    var canonical = Writer(rng: SplitMix(state: 0))
    canonical.block(Self.spec, indent: 0)
    let reference = try #require(Self.hashes(canonical.out), "the reference layout plans:\n\(canonical.out)")
    #expect(reference.count == 8)
    await propertyCheck(count: 40, input: Gen.int(in: 1...Int.max)) { seed in
      var writer = Writer(rng: SplitMix(state: UInt64(seed)))
      writer.block(Self.spec, indent: 0)
      #expect(Self.hashes(writer.out) == reference, "layout of seed \(seed):\n\(writer.out)")
    }
  }
}
