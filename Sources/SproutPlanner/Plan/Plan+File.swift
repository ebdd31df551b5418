import Foundation
import SproutConfig
import SproutDiagnostics

/// Plan files: the plan as JSON (the same text as `sprout plan --format json`), read back exactly.
///
/// Numbers keep their int/float distinction and configurations read back exactly, so a loaded plan's hashes
/// recompute to the same values (``Plan/verifyHashes()``).
extension Plan {
  /// An error reading a plan file.
  public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong, with the JSON path of the field when known.
    public var message: String
    /// `path: message`.
    public var description: String { "\(path): \(message)" }
  }

  /// The plan as a JSON value.
  public var json: JSONValue {
    .object([
      "format": .int(formatVersion),
      "spec": .object(["path": .string(spec.path), "sha256": .string(spec.textHash), "name": .string(spec.name)]),
      "backend": .string(backend),
      "root_seed": .int(rootSeed),
      "overrides": .array(overrides.map { .string($0) }),
      "count": .object(["total": .int(count.total), "statement": .string(count.statement)]),
      "trials": .array(
        trials.map { t in
          .object([
            "index": .int(t.index), "id": .string(t.id), "seed": .int(t.seed),
            "assignment": .array(t.assignment.map { .object(["axis": .string($0.axis), "value": $0.value]) }),
          ])
        }),
      "tasks": .array(tasks.map(\.json)),
    ])
  }

  /// The plan file text.
  public var jsonText: String { json.pretty() + "\n" }

  /// Writes the plan file.
  public func save(to url: URL) throws {
    try Data(jsonText.utf8).write(to: url, options: .atomic)
  }

  /// Reads a plan file written by ``save(to:)``.
  public static func load(from url: URL) throws -> Plan {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw FileError(path: url.path, message: "cannot be read: \(error.localizedDescription)")
    }
    let value: JSONValue
    do { value = try JSONValue.parse(bytes: data) } catch {
      throw FileError(path: url.path, message: "is not JSON (\(error))")
    }
    do { return try Plan(json: value) } catch let e as FieldError {
      throw FileError(path: url.path, message: "field '\(e.path)': \(e.message)")
    }
  }

  struct FieldError: Error {
    var path: String
    var message: String
  }

  /// Reads the JSON form.
  init(json: JSONValue) throws {
    let r = Reader(value: json, path: "")
    let format = try r.int("format")
    guard format == Plan.currentFormatVersion else {
      throw FieldError(path: "format", message: "plan format \(format) is not \(Plan.currentFormatVersion); plan again")
    }
    let spec = try r.object("spec")
    let count = try r.object("count")
    self.init(
      formatVersion: format,
      spec: SpecIdentity(
        path: try spec.string("path"), textHash: try spec.string("sha256"), name: try spec.string("name")),
      backend: try r.string("backend"), rootSeed: try r.int("root_seed"),
      overrides: try r.array("overrides").map { try $0.stringValue() },
      count: TrialCount(total: try count.int("total"), statement: try count.string("statement")),
      trials: try r.array("trials").map { t in
        Trial(
          index: try t.int("index"), id: try t.string("id"),
          assignment: try t.array("assignment").map {
            AxisValue(axis: try $0.string("axis"), value: try $0.any("value"))
          },
          seed: try t.int("seed"))
      },
      tasks: try r.array("tasks").map(PlanTask.init(reader:)))
  }

  /// Recomputes every task's hash from its configuration, inputs, seed and the backend; returns the keys of tasks
  /// whose stored hash differs (a hand-edited or corrupted plan file).
  public func verifyHashes() -> [TaskKey] {
    let hashes = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.hash) })
    return tasks.filter { task in
      guard let config = task.config else { return true }
      return TaskHasher.hash(
        config: config, inputHashes: task.hashedInputs.map { hashes[$0] ?? "" }, seed: task.seed, backend: backend)
        != task.hash
    }.map(\.key)
  }
}

extension PlanTask {
  var json: JSONValue {
    var object = fields
    if let gates {
      object["gates"] = .array(
        gates.map { g in
          func settings(_ list: [AxisSetting]) -> JSONValue {
            .array(list.map { .object(["axis": .string($0.axis), "value": .string($0.value)]) })
          }
          return .object([
            "select": .string(g.select.description), "group": settings(g.group), "candidate": settings(g.candidate),
          ])
        })
    }
    return .object(object)
  }

  private var fields: [String: JSONValue] {
    [
      "key": .string(key.description), "trial_index": trialIndex.map { .int($0) } ?? .null, "kind": .string(kind),
      "hash": .string(hash), "inputs": .array(inputs.map { .string($0.description) }), "config": definition,
      "seed": .int(seed),
      "source": .object([
        "file": .string(span.file), "line": .int(span.line), "column": .int(span.column),
        "end_line": .int(span.endLine),
        "end_column": .int(span.endColumn),
      ]),
      "state": .string(state.rawValue), "reason": .string(reason),
      "changes": .array(
        changes.map { c in
          .object([
            "kind": .string(c.kind.rawValue), "path": .string(c.path), "old": c.old.map { .string($0) } ?? .null,
            "new": c.new.map { .string($0) } ?? .null,
          ])
        }),
    ]
  }

  init(reader r: Plan.Reader) throws {
    let keyText = try r.string("key")
    guard let key = TaskKey(keyText) else {
      throw Plan.FieldError(path: r.path + ".key", message: "'\(keyText)' is not TRIAL/STAGE")
    }
    let source = try r.object("source")
    var span = SourceSpan(.wholeFile(try source.string("file")))
    span.line = try source.int("line")
    span.column = try source.int("column")
    span.endLine = try source.int("end_line")
    span.endColumn = try source.int("end_column")
    let stateText = try r.string("state")
    guard let state = TaskState(rawValue: stateText) else {
      throw Plan.FieldError(path: r.path + ".state", message: "'\(stateText)' is not cached, stale or new")
    }
    self.init(
      key: key, trialIndex: try r.optionalInt("trial_index"), kind: try r.string("kind"), hash: try r.string("hash"),
      inputs: try r.array("inputs").map { k in
        let text = try k.stringValue()
        guard let key = TaskKey(text) else {
          throw Plan.FieldError(path: k.path, message: "'\(text)' is not TRIAL/STAGE")
        }
        return key
      }, config: try Plan.config(r.field("config")), seed: try r.int("seed"), span: span, state: state,
      reason: try r.string("reason"),
      changes: try r.array("changes").map { c in
        let kindText = try c.string("kind")
        guard let kind = TaskChange.Kind(rawValue: kindText) else {
          throw Plan.FieldError(path: c.path + ".kind", message: "unknown change kind '\(kindText)'")
        }
        return TaskChange(
          kind, path: try c.string("path"), old: try c.optionalString("old"), new: try c.optionalString("new"))
      })
    if case .object(let o) = r.value, o["gates"] != nil {
      gates = try r.array("gates").map { g in
        let text = try g.string("select")
        guard let select = TaskKey(text) else {
          throw Plan.FieldError(path: g.path + ".select", message: "'\(text)' is not TRIAL/STAGE")
        }
        func settings(_ key: String) throws -> [AxisSetting] {
          try g.array(key).map { AxisSetting(axis: try $0.string("axis"), value: try $0.string("value")) }
        }
        return TaskGate(select: select, group: try settings("group"), candidate: try settings("candidate"))
      }
    }
  }
}

extension Plan {
  /// A task's configuration from its JSON form (nil for `null`).
  static func config(_ r: Reader) throws -> TaskConfig? {
    guard r.value != .null else { return nil }
    do { return try TaskConfig(json: r.value) } catch {
      throw FieldError(path: r.path, message: "is not a task configuration (\(error))")
    }
  }

  /// Typed access to a JSON object, naming the JSON path of a missing or mistyped field.
  struct Reader {
    let value: JSONValue
    let path: String

    func field(_ key: String) throws -> Reader {
      guard case .object(let o) = value else { throw FieldError(path: path, message: "expected an object") }
      guard let v = o[key] else { throw FieldError(path: path.isEmpty ? key : "\(path).\(key)", message: "missing") }
      return Reader(value: v, path: path.isEmpty ? key : "\(path).\(key)")
    }
    func any(_ key: String) throws -> JSONValue { try field(key).value }
    func object(_ key: String) throws -> Reader { try field(key) }
    func string(_ key: String) throws -> String { try field(key).stringValue() }
    func int(_ key: String) throws -> Int { try field(key).intValue() }
    func optionalInt(_ key: String) throws -> Int? {
      let f = try field(key)
      return f.value == .null ? nil : try f.intValue()
    }
    func optionalString(_ key: String) throws -> String? {
      let f = try field(key)
      return f.value == .null ? nil : try f.stringValue()
    }
    func array(_ key: String) throws -> [Reader] {
      let f = try field(key)
      guard case .array(let items) = f.value else { throw FieldError(path: f.path, message: "expected an array") }
      return items.enumerated().map { Reader(value: $1, path: "\(f.path)[\($0)]") }
    }
    func stringValue() throws -> String {
      guard case .string(let s) = value else { throw FieldError(path: path, message: "expected a string") }
      return s
    }
    func intValue() throws -> Int {
      guard case .int(let i) = value else { throw FieldError(path: path, message: "expected an integer") }
      return i
    }
  }
}
