import Foundation
import SproutDiagnostics
import SproutPlanner
import Testing

@testable import SproutRun

/// task.json's text is written without Foundation's encoder (`Store.recordText`); it must stay the encoder's bytes.
struct TaskRecordTextTests {
  func expectSameAsEncoder(_ record: TaskRecord, _ what: String) throws {
    #expect(try Store.recordText(record) == Store.encodeJSON(record), "\(what)")
  }

  @Test func theTextIsTheEncodersForAwkwardValues() throws {
    let strings = [
      "", "plain", "a/b\\c", "quote \" inside", "tab\tnew\nline\rcr\u{8}bs\u{C}ff", "\u{0}\u{1}\u{1F}\u{7F}",
      "ünïcødé ✓ 🌱", "${params.lr}",
    ]
    let doubles: [Double] = [
      0, -0.0, 1, -1, 0.5, 0.1, 0.01, 1e-05, 1e-300, 5e-324, 2.5e-8, 1e16, 1e22, 123456789.125, 1.0 / 3.0,
      -2.2360680, 1e+100, 0.1 + 0.2, Double(Float(0.1)), 4096, 9007199254740993,
    ]
    let ints = [0, -1, 7, Int.max, Int.min]
    let definition = JSONValue.object([
      "strings": .array(strings.map(JSONValue.string)), "doubles": .array(doubles.map(JSONValue.double)),
      "ints": .array(ints.map(JSONValue.int)), "empty_object": .object([:]), "empty_array": .array([]),
      "nested": .object(["b": .array([.null, .bool(true), .bool(false), .object(["z": .int(1), "a": .array([])])])]),
      "B": .null, "a": .int(1), "é": .string("key order is by UTF-8 bytes"), "_": .null,
    ])
    for s in strings {
      try expectSameAsEncoder(
        TaskRecord(hash: s, definition: .object([s: .string(s)]), inputHashes: [s: s], seed: 3, backend: s), s)
    }
    try expectSameAsEncoder(
      TaskRecord(
        hash: "h", definition: definition, inputHashes: ["t0001/train": "abc", "t0000/train": "def"], seed: -5,
        backend: "cpu"), "the mixed definition")
    try expectSameAsEncoder(TaskRecord(hash: "h", definition: .null, inputHashes: [:], seed: 0, backend: "cpu"), "null")
    try expectSameAsEncoder(
      TaskRecord(hash: "h", definition: .array([]), inputHashes: [:], seed: 0, backend: "cpu"), "empty")
  }

  @Test func aNonFiniteNumberIsRefusedAsTheEncoderRefusesIt() {
    let record = TaskRecord(hash: "h", definition: .double(.nan), inputHashes: [:], seed: 0, backend: "cpu")
    #expect(throws: RunError.self) { try Store.recordText(record) }
  }

  /// The records of every task of every example (what real stores hold).
  @Test func theTextIsTheEncodersForEveryExampleTask() throws {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let folder = root.appendingPathComponent("examples")
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
    var tasks = 0
    for name in names.sorted() where name.hasSuffix(".yaml") {
      let path = folder.appendingPathComponent(name).path
      let text = try String(contentsOfFile: path, encoding: .utf8)
      var diagnostics = Diagnostics()
      guard let plan = Planner.plan(text: text, file: path, options: PlanOptions(), store: nil, diagnostics: &diagnostics)
      else { continue }
      let hashes = plan.hashesByKey
      for task in plan.tasks {
        try expectSameAsEncoder(TaskRecord(task: task, plan: plan, hashes: hashes), "\(name) \(task.key)")
        tasks += 1
      }
    }
    #expect(tasks > 100)
  }
}
