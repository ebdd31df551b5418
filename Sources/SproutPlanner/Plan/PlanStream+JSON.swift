import SproutConfig
import SproutDiagnostics

/// The plan file's text (``Plan/jsonText``), written from a stream: byte for byte `Plan.json.pretty()` followed by
/// a newline, without building the plan's JSON value. Each task's configuration and source location are pretty-printed
/// once per memo entry they come from (every task of a sweep's configuration shares them).
extension PlanStream {
  /// Hands the plan's JSON text to `sink` in pieces of about `chunk` bytes.
  public func writeJSON(chunk: Int = 1 << 16, to sink: ([UInt8]) -> Void) {
    var out: [UInt8] = []
    out.reserveCapacity(chunk + 4096)
    func flush() {
      if out.count >= chunk {
        sink(out)
        out.removeAll(keepingCapacity: true)
      }
    }
    func field(_ name: String, _ value: JSONValue, level: Int, last: Bool = false) {
      out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
      JSONValue.writeString(name, to: &out)
      out += ": ".utf8
      value.writePretty(to: &out, level: level)
      out += (last ? "\n" : ",\n").utf8
    }
    out += "{\n".utf8
    field("backend", .string(backend), level: 1)
    field("count", .object(["total": .int(count.total), "statement": .string(count.statement)]), level: 1)
    field("format", .int(formatVersion), level: 1)
    field("overrides", .array(overrides.map { .string($0) }), level: 1)
    field("root_seed", .int(rootSeed), level: 1)
    field(
      "spec", .object(["path": .string(spec.path), "sha256": .string(spec.textHash), "name": .string(spec.name)]),
      level: 1)

    // "tasks": an array of objects at level 1, each task an object at level 2 whose fields are at level 3.
    out += "  \"tasks\": ".utf8
    if taskCount == 0 {
      out += "[],\n".utf8
    } else {
      out += "[\n".utf8
      var written = 0
      var configs: [Int: [UInt8]] = [:]
      var sources: [Int: [UInt8]] = [:]
      let total = taskCount
      forEachTask { task, _, serial in
        out += "    {\n".utf8
        field(
          "changes",
          .array(
            task.changes.map { c in
              .object([
                "kind": .string(c.kind.rawValue), "path": .string(c.path), "old": c.old.map { .string($0) } ?? .null,
                "new": c.new.map { .string($0) } ?? .null,
              ])
            }), level: 3)
        if let serial, let known = configs[serial] {
          out += known
        } else {
          let start = out.count
          field("config", task.definition, level: 3)
          if let serial { configs[serial] = Array(out[start...]) }
        }
        if let gates = task.gates {
          func settings(_ list: [AxisSetting]) -> JSONValue {
            .array(list.map { .object(["axis": .string($0.axis), "value": .string($0.value)]) })
          }
          field(
            "gates",
            .array(
              gates.map { g in
                .object([
                  "select": .string(g.select.description), "group": settings(g.group),
                  "candidate": settings(g.candidate),
                ])
              }), level: 3)
        }
        field("hash", .string(task.hash), level: 3)
        field("inputs", .array(task.inputs.map { .string($0.description) }), level: 3)
        field("key", .string(task.key.description), level: 3)
        field("kind", .string(task.kind), level: 3)
        field("reason", .string(task.reason), level: 3)
        field("seed", .int(task.seed), level: 3)
        if let serial, let known = sources[serial] {
          out += known
        } else {
          let start = out.count
          let span = task.span
          field(
            "source",
            .object([
              "file": .string(span.file), "line": .int(span.line), "column": .int(span.column),
              "end_line": .int(span.endLine), "end_column": .int(span.endColumn),
            ]), level: 3)
          if let serial { sources[serial] = Array(out[start...]) }
        }
        field("state", .string(task.state.rawValue), level: 3)
        field("trial_index", task.trialIndex.map { .int($0) } ?? .null, level: 3, last: true)
        written += 1
        out += (written < total ? "    },\n" : "    }\n").utf8
        flush()
      }
      out += "  ],\n".utf8
    }

    // "trials": objects at level 2, their fields at level 3, each assignment entry an object at level 4.
    out += "  \"trials\": ".utf8
    if trialCount == 0 {
      out += "[]\n".utf8
    } else {
      out += "[\n".utf8
      let total = trialCount
      var written = 0
      forEachTrial { t in
        out += "    {\n".utf8
        field(
          "assignment", .array(t.assignment.map { .object(["axis": .string($0.axis), "value": $0.value]) }),
          level: 3)
        field("id", .string(t.id), level: 3)
        field("index", .int(t.index), level: 3)
        field("seed", .int(t.seed), level: 3, last: true)
        written += 1
        out += (written < total ? "    },\n" : "    }\n").utf8
        flush()
      }
      out += "  ]\n".utf8
    }
    out += "}\n".utf8
    sink(out)
  }
}
