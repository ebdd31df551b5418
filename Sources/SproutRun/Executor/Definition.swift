import SproutDiagnostics
import SproutPlanner

/// Typed reads of a task's resolved definition (JSON), each failure a `RunError(.invalidTask)` naming the key
/// path — lint should have caught it, so reaching one means the plan and the executor disagree.
struct Definition {
  /// The value read.
  let value: JSONValue
  /// Its key path (`stage.optimizer.lr`).
  let path: String

  init(_ value: JSONValue, path: String) {
    self.value = value
    self.path = path
  }

  func fail(_ message: String) -> RunError { RunError(.invalidTask, "\(path): \(message)") }

  /// Refuses (`run.unsupported-option`) a catalogue argument set to anything but `defaultValue`: lint accepts it,
  /// but the executor would otherwise ignore it, and Sprout never drops a setting silently.
  func refuseUnlessDefault(_ key: String, _ defaultValue: Double, _ why: String) throws {
    guard let d = self[key], try d.double() != defaultValue else { return }
    throw unsupported(d, why)
  }

  /// `refuseUnlessDefault` for a text argument.
  func refuseUnlessDefault(_ key: String, _ defaultValue: String, _ why: String) throws {
    guard let d = self[key], try d.string() != defaultValue else { return }
    throw unsupported(d, why)
  }

  /// `refuseUnlessDefault` for a list of integers.
  func refuseUnlessDefault(_ key: String, _ defaultValue: [Int], _ why: String) throws {
    guard let d = self[key], try d.array().map({ try $0.int() }) != defaultValue else { return }
    throw unsupported(d, why)
  }

  private func unsupported(_ d: Definition, _ why: String) -> RunError {
    RunError(
      .unsupportedOption,
      "\(d.path): \(d.value.display) is not supported by the executor yet (\(why)); lint accepts it, but running "
        + "it would silently ignore it, so remove the argument or use its default")
  }

  /// The member `key`, if present and not null.
  subscript(key: String) -> Definition? {
    guard let v = value[key], v != .null else { return nil }
    return Definition(v, path: path.isEmpty ? key : "\(path).\(key)")
  }

  /// The member `key`, or an error saying it is missing.
  func required(_ key: String) throws -> Definition {
    guard let d = self[key] else { throw fail("missing '\(key)'") }
    return d
  }

  func int() throws -> Int {
    guard let i = value.intValue else { throw fail("expected an integer, got \(value.display)") }
    return i
  }

  func double() throws -> Double {
    guard let d = value.doubleValue else { throw fail("expected a number, got \(value.display)") }
    return d
  }

  func float() throws -> Float { Float(try double()) }

  func string() throws -> String {
    guard let s = value.stringValue else { throw fail("expected a string, got \(value.display)") }
    return s
  }

  func bool() throws -> Bool {
    guard case .bool(let b) = value else { throw fail("expected true or false, got \(value.display)") }
    return b
  }

  func array() throws -> [Definition] {
    guard let a = value.arrayValue else { throw fail("expected a list, got \(value.display)") }
    return a.enumerated().map { Definition($1, path: "\(path)[\($0)]") }
  }

  /// Object members in key order.
  func members() throws -> [(String, Definition)] {
    guard let o = value.objectValue else { throw fail("expected a map, got \(value.display)") }
    return o.sorted { $0.key < $1.key }.map {
      ($0.key, Definition($0.value, path: path.isEmpty ? $0.key : "\(path).\($0.key)"))
    }
  }

  func int(_ key: String, default d: Int) throws -> Int { try self[key]?.int() ?? d }
  func double(_ key: String, default d: Double) throws -> Double { try self[key]?.double() ?? d }
  func float(_ key: String, default d: Float) throws -> Float { try self[key]?.float() ?? d }
  func bool(_ key: String, default d: Bool) throws -> Bool { try self[key]?.bool() ?? d }
  func string(_ key: String, default d: String) throws -> String { try self[key]?.string() ?? d }

  /// A kind written as a bare string (`loss: mse`) or a map with `kind` (`{kind: sgd, lr: 0.1}`) — or a one-key
  /// map `{name: argument}`; returns the kind and the map of arguments (the argument under `main` if scalar).
  func kindAndArguments(main: (String) -> String? = { _ in nil }) throws -> (String, Definition) {
    switch value {
    case .string(let s): return (s, Definition(.object([:]), path: path))
    case .object(let o):
      if let k = o["kind"]?.stringValue { return (k, self) }
      if o.count == 1, let (name, arg) = o.first {
        let argPath = path.isEmpty ? name : "\(path).\(name)"
        if case .object = arg { return (name, Definition(arg, path: argPath)) }
        if let m = main(name) { return (name, Definition(.object([m: arg]), path: argPath)) }
        return (name, Definition(arg, path: argPath))
      }
      throw fail("expected a kind name or a map with 'kind'")
    default: throw fail("expected a kind name or a map, got \(value.display)")
    }
  }
}
